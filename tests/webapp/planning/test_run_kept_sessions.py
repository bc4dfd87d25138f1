"""The page of a finished planning run names the sessions under way it left as they were."""

from datetime import datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import at_utc, make_assignment, make_canvass_session, make_route, make_user
from tests.webapp.accounts.html_page import Page, csrf_token
from tests.webapp.planning.conftest import OTHER_IRIS, TARGET_IRIS, Territory
from webapp.models import CanvassSession, DoorVisit, JobRun
from webapp.models.canvass import DoorOutcome
from webapp.models.jobs import JobStatus

# Saturday 6 March 2027, 09:00 in Paris.
NOW = at_utc(2027, 3, 6, 8)

KEPT_ONE = (
    "La planification a laissé cette session telle quelle, car elle a commencé : une porte y "
    "est déjà notée."
)
KEPT_MANY = (
    "La planification a laissé ces sessions telles quelles, car elles ont commencé : une porte "
    "y est déjà notée."
)
GO_TO_ITS_PAGE = (
    "Pour changer ses équipes ou ses parcours, passez par sa page : fermer une rue, noter une "
    "équipe absente ou donner d’autres portes à une équipe."
)
GO_TO_THEIR_PAGES = (
    "Pour changer leurs équipes ou leurs parcours, passez par la page de chacune : fermer une "
    "rue, noter une équipe absente ou donner d’autres portes à une équipe."
)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("webapp.planning.views.utcnow", lambda: NOW)
    monkeypatch.setattr("webapp.services.planning_steps.utcnow", lambda: NOW)
    monkeypatch.setattr("tests.factories.hash_password", lambda _password: "unused-hash")


def add_session(
    db_session: Session, territory: Territory, starts_at: datetime, iris_code: str
) -> CanvassSession:
    """Add a session of two hours with a pair in team 1."""
    canvass = make_canvass_session(
        db_session, campaign=territory.campaign, iris_code=iris_code, starts_at=starts_at
    )
    for index in range(2):
        user = make_user(db_session, email=f"s{canvass.id}-{index}@example.org")
        make_assignment(db_session, canvass_session=canvass, user=user, team=1)
    db_session.flush()
    return canvass


def record_door(db_session: Session, territory: Territory, canvass: CanvassSession) -> None:
    """Give team 1 a route with one door, and record a visit of that door."""
    route = make_route(db_session, canvass_session=canvass, access_token=f"route-{canvass.id:024d}")
    address = next(iter(territory.addresses.values()))
    route.address_ids = [address.id]
    db_session.add(DoorVisit(route_id=route.id, address_id=address.id, outcome=DoorOutcome.OPENED))
    db_session.flush()


def run_page(client: FlaskClient, db_session: Session) -> Page:
    """Launch the planning, confirmed, and return the page of the finished run."""
    token = csrf_token(client.get("/planification/sessions").get_data(as_text=True))
    response = client.post("/planification/lancer", data={"csrf_token": token, "is_confirmed": "y"})
    # The test settings run jobs in-process, so the run is over once the request returns.
    run = db_session.scalars(select(JobRun)).one()
    db_session.refresh(run)
    assert run.status == JobStatus.SUCCEEDED, run.error
    return Page(client.get(response.headers["Location"]).get_data(as_text=True))


def test_two_sessions_kept_are_named(
    coordinator_client: FlaskClient, db_session: Session, territory: Territory
) -> None:
    centre = add_session(db_session, territory, NOW - timedelta(minutes=30), TARGET_IRIS)
    record_door(db_session, territory, centre)
    flamiche = add_session(db_session, territory, NOW - timedelta(hours=1), OTHER_IRIS)
    record_door(db_session, territory, flamiche)
    db_session.commit()

    page = run_page(coordinator_client, db_session)

    assert page.by_id("run-kept").text == (
        f"{KEPT_MANY} Samedi 6 mars 2027 à 08:00 (La Flamiche) "
        f"Samedi 6 mars 2027 à 08:30 (Le Centre Ville) {GO_TO_THEIR_PAGES}"
    )
    links = [e.attrs["href"] for e in page.select("a") if e.is_inside(page.by_id("run-kept"))]
    assert links == [
        f"/planification/sessions/{flamiche.id}",
        f"/planification/sessions/{centre.id}",
    ]


def test_one_session_kept_among_others(
    coordinator_client: FlaskClient, db_session: Session, territory: Territory
) -> None:
    begun = add_session(db_session, territory, NOW - timedelta(minutes=30), TARGET_IRIS)
    record_door(db_session, territory, begun)
    # Started without a door recorded: the run plans it again, so it is not named.
    add_session(db_session, territory, NOW - timedelta(minutes=15), OTHER_IRIS)
    add_session(db_session, territory, NOW + timedelta(days=1), OTHER_IRIS)
    db_session.commit()

    page = run_page(coordinator_client, db_session)

    assert page.by_id("run-kept").text == (
        f"{KEPT_ONE} Samedi 6 mars 2027 à 08:30 (Le Centre Ville) {GO_TO_ITS_PAGE}"
    )


def test_ended_session_is_not_named(
    coordinator_client: FlaskClient, db_session: Session, territory: Territory
) -> None:
    yesterday = add_session(db_session, territory, NOW - timedelta(days=1), TARGET_IRIS)
    record_door(db_session, territory, yesterday)
    add_session(db_session, territory, NOW + timedelta(days=1), OTHER_IRIS)
    db_session.commit()

    page = run_page(coordinator_client, db_session)

    assert page.has_id("run-outcome")
    assert not page.has_id("run-kept")


def test_nothing_kept_adds_nothing(
    coordinator_client: FlaskClient, db_session: Session, territory: Territory
) -> None:
    add_session(db_session, territory, NOW + timedelta(days=1), TARGET_IRIS)
    db_session.commit()

    page = run_page(coordinator_client, db_session)

    assert page.has_id("run-outcome")
    assert not page.has_id("run-kept")
    assert "commencé" not in page.by_id("run-outcome").text


def test_kept_sessions_in_english(
    coordinator_client: FlaskClient, db_session: Session, territory: Territory
) -> None:
    with coordinator_client.session_transaction() as browser_session:
        browser_session["locale"] = "en"
    begun = add_session(db_session, territory, NOW - timedelta(minutes=30), TARGET_IRIS)
    record_door(db_session, territory, begun)
    db_session.commit()

    page = run_page(coordinator_client, db_session)

    # The page reader folds the narrow no-break space before "AM" into a space.
    assert page.by_id("run-kept").text == (
        "The planning left this session as it was, because it has begun: a door is already "
        "recorded there. Saturday, March 6, 2027 at 8:30 AM (Le Centre Ville) To change "
        "its teams or routes, go to its page: close a street, mark a team absent or give a "
        "team more doors."
    )
