"""Launching a planning that would form again the teams of sessions changed on the day."""

from datetime import datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from tests.factories import at_utc, make_assignment, make_canvass_session, make_route, make_user
from tests.webapp.accounts.html_page import Page, csrf_token
from tests.webapp.planning.conftest import OTHER_IRIS, TARGET_IRIS, Territory
from webapp.jobs import planning as planning_job
from webapp.models import CanvassSession, DoorVisit, JobRun
from webapp.models.canvass import DoorOutcome
from webapp.models.jobs import JobStatus
from webapp.models.planning import AssignmentStatus
from webapp.settings import Settings

# Saturday 6 March 2027, 09:00 in Paris.
NOW = at_utc(2027, 3, 6, 8)
LAUNCH = "/planification/lancer"


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("webapp.planning.views.utcnow", lambda: NOW)
    # The volunteers never log in, so they skip the slow password hashing.
    monkeypatch.setattr("tests.factories.hash_password", lambda _password: "unused-hash")


@pytest.fixture
def enqueued(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record the runs the launch enqueues instead of planning them."""
    run_ids: list[int] = []

    def record(_settings: Settings, job_run_id: int) -> None:
        run_ids.append(job_run_id)

    monkeypatch.setattr(planning_job, "enqueue_planning_job", record)
    return run_ids


def add_session(
    db_session: Session, territory: Territory, starts_at: datetime, iris_code: str = TARGET_IRIS
) -> CanvassSession:
    return make_canvass_session(
        db_session, campaign=territory.campaign, iris_code=iris_code, starts_at=starts_at
    )


def add_team(
    db_session: Session,
    canvass: CanvassSession,
    team: int,
    statuses: tuple[AssignmentStatus, ...],
    *,
    absent: bool = False,
) -> None:
    """Add one member per status to `team`. With `absent`, mark the team absent as its page does."""
    for index, status in enumerate(statuses):
        user = make_user(db_session, email=f"s{canvass.id}-t{team}-{index}@example.org")
        assignment = make_assignment(
            db_session, canvass_session=canvass, user=user, team=team, status=status
        )
        if absent:
            assignment.status_before_absence = status
            assignment.status = AssignmentStatus.DECLINED
    db_session.flush()


PAIR = (AssignmentStatus.CONFIRMED, AssignmentStatus.PROPOSED)
# A lone volunteer who joined a pair: three members coming.
JOINED = (*PAIR, AssignmentStatus.CONFIRMED)


def add_begun_session(db_session: Session, territory: Territory) -> CanvassSession:
    """Add a session under way, with a joined team and a door recorded on its route."""
    begun = add_session(db_session, territory, NOW - timedelta(minutes=30))
    add_team(db_session, begun, 1, JOINED)
    route = make_route(db_session, canvass_session=begun)
    address = territory.addresses[next(iter(territory.addresses))]
    route.address_ids = [address.id]
    db_session.add(DoorVisit(route_id=route.id, address_id=address.id, outcome=DoorOutcome.OPENED))
    db_session.flush()
    return begun


def launch(client: FlaskClient, **data: str) -> TestResponse:
    token = csrf_token(client.get("/planification/sessions").get_data(as_text=True))
    return client.post(LAUNCH, data={"csrf_token": token, **data})


def runs(db_session: Session) -> list[int]:
    db_session.expire_all()
    return list(db_session.scalars(select(JobRun.id).order_by(JobRun.id)))


def test_joined_team_asks_to_confirm(
    coordinator_client: FlaskClient,
    db_session: Session,
    territory: Territory,
    enqueued: list[int],
) -> None:
    joined = add_session(db_session, territory, NOW + timedelta(days=1))
    add_team(db_session, joined, 1, JOINED)
    quiet = add_session(db_session, territory, NOW + timedelta(days=2), OTHER_IRIS)
    add_team(db_session, quiet, 1, PAIR)
    db_session.commit()

    response = launch(coordinator_client)

    assert response.status_code == 200
    assert runs(db_session) == []
    assert enqueued == []
    page = Page(response.get_data(as_text=True))
    assert page.select("h1")[0].text == "Refaire ces équipes ?"
    assert page.by_id("sessions-to-reform").text == (
        "Dimanche 7 mars 2027 à 09:00 (Le Centre Ville) "
        "une personne seule a rejoint une autre équipe"
    )
    assert page.select("a", href=f"/planification/sessions/{joined.id}")
    assert not page.has_id("sessions-kept")
    (form,) = page.select("form", method="post", action=LAUNCH)
    assert page.select("input", type="hidden", name="is_confirmed", value="y")
    assert [b.text for b in page.select("button", **{"class": "button"})] == [
        "Refaire les équipes et lancer la planification"
    ]
    assert page.select("a", href="/planification/sessions")


def test_confirmed_launch_starts_the_run(
    coordinator_client: FlaskClient,
    db_session: Session,
    territory: Territory,
    enqueued: list[int],
) -> None:
    canvass = add_session(db_session, territory, NOW + timedelta(days=1))
    add_team(db_session, canvass, 1, JOINED)
    db_session.commit()

    response = launch(coordinator_client, is_confirmed="y")

    (run_id,) = runs(db_session)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/planification/execution/{run_id}"
    assert enqueued == [run_id]


@pytest.mark.parametrize(
    ("starts_in", "absent", "reason"),
    [
        (timedelta(days=1), True, "une équipe est notée absente"),
        (timedelta(hours=2, minutes=59), False, "elle commence dans moins de 3 heures"),
        (-timedelta(minutes=30), False, "elle a commencé, et aucune porte n’est encore notée"),
    ],
)
def test_each_reason_is_named(
    coordinator_client: FlaskClient,
    db_session: Session,
    territory: Territory,
    enqueued: list[int],
    *,
    starts_in: timedelta,
    absent: bool,
    reason: str,
) -> None:
    canvass = add_session(db_session, territory, NOW + starts_in)
    add_team(db_session, canvass, 1, PAIR)
    add_team(db_session, canvass, 2, PAIR, absent=absent)
    db_session.commit()

    page = Page(launch(coordinator_client).get_data(as_text=True))

    assert page.by_id(f"reform-{canvass.id}").text.endswith(f") {reason}")
    assert runs(db_session) == []


def test_reasons_add_up_in_english(
    coordinator_client: FlaskClient,
    db_session: Session,
    territory: Territory,
    enqueued: list[int],
) -> None:
    with coordinator_client.session_transaction() as browser_session:
        browser_session["locale"] = "en"
    canvass = add_session(db_session, territory, NOW + timedelta(hours=1))
    add_team(db_session, canvass, 1, JOINED)
    add_team(db_session, canvass, 2, PAIR, absent=True)
    db_session.commit()

    page = Page(launch(coordinator_client).get_data(as_text=True))

    assert page.select("h1")[0].text == "Form these teams again?"
    items = [item.text for item in page.select("li") if item.attrs.get("id") is None]
    assert items[-3:] == [
        "a volunteer left alone joined another team",
        "a team is marked absent",
        "it starts within 3 hours",
    ]


def test_sessions_with_doors_recorded_are_kept(
    coordinator_client: FlaskClient,
    db_session: Session,
    territory: Territory,
    enqueued: list[int],
) -> None:
    add_begun_session(db_session, territory)
    soon = add_session(db_session, territory, NOW + timedelta(hours=1), OTHER_IRIS)
    add_team(db_session, soon, 1, PAIR)
    db_session.commit()

    page = Page(launch(coordinator_client).get_data(as_text=True))

    assert page.by_id("sessions-to-reform").text == (
        "Samedi 6 mars 2027 à 10:00 (La Flamiche) elle commence dans moins de 3 heures"
    )
    assert page.by_id("sessions-kept").text == "Samedi 6 mars 2027 à 08:30 (Le Centre Ville)"


def test_only_begun_sessions_launch_at_once(
    coordinator_client: FlaskClient,
    db_session: Session,
    territory: Territory,
    enqueued: list[int],
) -> None:
    add_begun_session(db_session, territory)
    db_session.commit()

    response = launch(coordinator_client)

    assert response.status_code == 302
    assert enqueued == runs(db_session)
    listing = Page(coordinator_client.get("/planification/sessions").get_data(as_text=True))
    assert listing.by_id("planning-keeps").text.startswith(
        "La planification garde les équipes et les parcours des sessions où une porte est déjà "
        "notée."
    )


def test_empty_session_starting_soon_launches_at_once(
    coordinator_client: FlaskClient,
    db_session: Session,
    territory: Territory,
    enqueued: list[int],
) -> None:
    # Nobody is on it yet, so there is no team to form again.
    add_session(db_session, territory, NOW + timedelta(hours=1))
    db_session.commit()

    response = launch(coordinator_client)

    assert response.status_code == 302
    assert enqueued == runs(db_session)
    assert len(enqueued) == 1


def test_run_under_way_needs_no_confirmation(
    coordinator_client: FlaskClient,
    db_session: Session,
    territory: Territory,
    enqueued: list[int],
) -> None:
    canvass = add_session(db_session, territory, NOW + timedelta(days=1))
    add_team(db_session, canvass, 1, JOINED)
    run = JobRun(
        kind="planning",
        campaign_id=territory.campaign.id,
        status=JobStatus.RUNNING,
        counts={},
        created_at=NOW - timedelta(minutes=1),
    )
    db_session.add(run)
    db_session.commit()

    response = launch(coordinator_client)

    assert response.headers["Location"] == f"/planification/execution/{run.id}"
    assert runs(db_session) == [run.id]
    assert enqueued == []
