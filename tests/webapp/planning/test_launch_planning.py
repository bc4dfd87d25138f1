"""Running the planning from the sessions page and following its progress."""

from datetime import date, time

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from routing.assignment_types import AssignmentPlan
from routing.status import SolveStatus
from tests.conftest import SAMPLE_DIR
from tests.factories import at_utc, make_campaign, make_canvass_session
from tests.webapp.accounts.html_page import Page, csrf_token
from tests.webapp.planning.conftest import TARGET_IRIS, Territory
from tests.webapp.targets.members import add_member, log_in_as
from webapp.models import (
    Address,
    Assignment,
    AvailabilitySlot,
    Campaign,
    CanvassSession,
    Consent,
    JobRun,
    Membership,
    Message,
    Route,
    User,
    VolunteerProfile,
)
from webapp.models.jobs import JobStatus
from webapp.models.messaging import MessagePurpose, MessageStatus
from webapp.models.users import Channel, ConsentPurpose, Role
from webapp.services import planning_steps
from webapp.services.scoring import score_campaign
from webapp.services.sessions import SessionDraft, create_session
from webapp.services.territory_import import import_territory

CENTRE_VILLE = "930100202"
NAMES = (
    ("Alix", "Bernard"),
    ("Malik", "Diallo"),
    ("Zoé", "Petit"),
    ("Inès", "Roux"),
    ("Hugo", "Simon"),
)


def add_volunteer(
    session: Session, campaign: Campaign, name: tuple[str, str], home: Address, *, is_free: bool
) -> None:
    user = User(
        email=f"{name[0].lower()}@example.org",
        password_hash="x",
        first_name=name[0],
        last_name=name[1],
        phone_e164=None,
    )
    session.add(user)
    session.flush()
    session.add(Membership(user_id=user.id, campaign_id=campaign.id, role=Role.VOLUNTEER))
    session.add(VolunteerProfile(user_id=user.id, home_lon=home.lon, home_lat=home.lat))
    if is_free:
        # Saturday morning, 09:00 to 12:30 Paris time.
        session.add(AvailabilitySlot(user_id=user.id, weekday=5, start_minute=540, end_minute=750))
    session.add(
        Consent(
            user_id=user.id,
            purpose=ConsentPurpose.CANVASS_MESSAGES,
            channel=Channel.EMAIL,
            is_granted=True,
            wording_version="test",
            source="test",
        )
    )


@pytest.fixture
def bondy_campaign(db_session: Session) -> Campaign:
    """Bondy imported, scored, one Saturday session, three free volunteers and one who is not."""
    import_territory(db_session, SAMPLE_DIR)
    campaign = Campaign(
        name="Municipales Bondy",
        election_kind="municipales",
        commune_codes=["93010"],
        our_candidates=["MÉLENCHON"],
    )
    db_session.add(campaign)
    db_session.flush()
    score_campaign(db_session, campaign.id)
    homes = db_session.scalars(
        select(Address).where(Address.iris_code == CENTRE_VILLE).order_by(Address.id).limit(4)
    ).all()
    for index, home in enumerate(homes):
        add_volunteer(db_session, campaign, NAMES[index], home, is_free=index < 3)
    create_session(
        db_session,
        campaign.id,
        SessionDraft(
            day=date(2027, 3, 6),
            start=time(9, 30),
            end=time(11, 0),
            iris_code=CENTRE_VILLE,
            min_volunteers=2,
            max_volunteers=8,
            meeting_address_id=homes[0].id,
        ),
        today=date(2027, 3, 6),
    )
    db_session.commit()
    return campaign


def add_run(
    session: Session, campaign_id: int, *, kind: str = "planning", **values: object
) -> JobRun:
    run = JobRun(kind=kind, campaign_id=campaign_id, counts={}, **values)
    session.add(run)
    session.commit()
    return run


def launch(client: FlaskClient) -> TestResponse:
    token = csrf_token(client.get("/planification/sessions").get_data(as_text=True))
    return client.post("/planification/lancer", data={"csrf_token": token})


def test_planning_places_pairs_explains_rest(
    client: FlaskClient, db_session: Session, bondy_campaign: Campaign
) -> None:
    log_in_as(client, add_member(db_session, bondy_campaign, Role.COORDINATOR, "coord@example.org"))

    response = launch(client)

    # The test settings run jobs in-process, so the run is over once the request returns.
    run = db_session.scalars(select(JobRun)).one()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/planification/execution/{run.id}"
    db_session.expire_all()
    assignments = db_session.scalars(select(Assignment)).all()
    assert [a.team for a in assignments] == [1, 1]
    routes = db_session.scalars(select(Route)).all()
    assert len(routes) == 1
    assert routes[0].door_count > 0
    routed = db_session.scalars(select(Address).where(Address.id.in_(routes[0].address_ids)))
    dwellings = sum(max(1, address.dwellings) for address in routed)
    assert routes[0].dwelling_count == dwellings
    # A 90-minute walk at 1.5 minutes a dwelling reaches at most 60, so no digit grouping.
    counted = f"{routes[0].door_count} adresses (environ {dwellings} logements)"
    # Confirmations went out once the planning committed. Reminders wait for their day.
    messages = db_session.scalars(select(Message)).all()
    sent = [m for m in messages if m.status == MessageStatus.SENT]
    waiting = [m for m in messages if m.status == MessageStatus.QUEUED]
    assert [m.purpose for m in sent] == [MessagePurpose.ASSIGNMENT_CONFIRMATION] * 2
    assert MessagePurpose.SESSION_REMINDER in {m.purpose for m in waiting}
    assert len(sent) + len(waiting) == len(messages)

    page = Page(client.get(response.headers["Location"]).get_data(as_text=True))
    assert page.by_id("planning-progress").attrs["value"] == "100"
    assert page.by_id("planning-progress-text").text == "Planification terminée : 100 %"
    assert not page.has_id("planning-refresh")
    outcome = page.by_id("run-outcome").text
    assert outcome.startswith("Planification terminée. Résultat du solveur : optimal.")
    assert "2 places pourvues (2 bénévoles)" in outcome
    assert f"1 parcours, {counted}" in outcome
    assert (
        f"{len(messages)} nouveaux messages pour les bénévoles (confirmations, rappels et avis)."
        in outcome
    )
    assert page.select("a", href="/planification/bilan")
    assert not page.select("script", src="/static/js/planning_progress.js")

    page = Page(client.get("/planification/bilan").get_data(as_text=True))
    text = page.text()
    assert "Résultat du solveur : optimal." in page.by_id("last-run").text
    assert "2 places pourvues (2 bénévoles)" in text
    assert f"1 parcours, {counted}" in text
    assert f"{len(waiting)} messages en attente d’envoi" in text
    left_out = sorted(
        row.text for row in page.select("tr") if row.attrs.get("id", "").startswith("left-out-")
    )
    placed = {a.user.first_name for a in assignments}
    assert len(left_out) == 2
    # Each row ends with the form that places the volunteer by hand.
    assert left_out[0].startswith("Inès Roux aucune session à ses heures de disponibilité ")
    no_partner = next(row for row in left_out if not row.startswith("Inès"))
    assert " pas de binôme avec qui former une équipe " in no_partner
    assert not any(row.startswith(name) for row in left_out for name in placed)
    assert "Chaque session prévue a son minimum de bénévoles." in text

    canvass = db_session.scalars(select(CanvassSession)).one()
    detail = Page(client.get(f"/planification/sessions/{canvass.id}").get_data(as_text=True))
    assert detail.by_id("team-1").text.startswith("Équipe 1 : ")
    assert detail.select("a", href=f"/parcours/{routes[0].access_token}")
    listing = Page(client.get("/planification/sessions").get_data(as_text=True))
    assert listing.by_id(f"session-{canvass.id}").text.endswith(
        f"2 1 {routes[0].door_count} {dwellings} prévue"
    )
    assert not listing.has_id("active-run")


def test_planning_without_csrf_token_is_refused(
    coordinator_client: FlaskClient, db_session: Session
) -> None:
    response = coordinator_client.post("/planification/lancer")

    assert response.status_code == 400
    assert db_session.scalars(select(JobRun)).all() == []


def test_planning_without_solution_says_so(
    coordinator_client: FlaskClient,
    db_session: Session,
    territory: Territory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def unsolved(*_args: object) -> AssignmentPlan:
        return AssignmentPlan(
            status=SolveStatus.NO_SOLUTION_FOUND,
            placements=(),
            left_out=(),
            short_sessions=(),
            objective=0.0,
            wall_time_s=2.0,
        )

    make_canvass_session(
        db_session,
        campaign=territory.campaign,
        iris_code=TARGET_IRIS,
        starts_at=at_utc(2027, 3, 6, 9, 30),
    )
    db_session.commit()
    monkeypatch.setattr(planning_steps, "assign_volunteers", unsolved)

    response = launch(coordinator_client)

    page = Page(coordinator_client.get(response.headers["Location"]).get_data(as_text=True))
    assert page.by_id("planning-progress-text").text == "La planification a échoué."
    assert page.by_id("run-error").text == (
        "La planification a échoué. L’affectation n’a trouvé aucune solution (aucune solution "
        "trouvée dans le temps imparti) : les affectations précédentes sont conservées. "
        "Relancer la planification"
    )
    assert page.select("form", action="/planification/lancer")
    text = Page(coordinator_client.get("/planification/bilan").get_data(as_text=True)).text()
    assert "a échoué : L’affectation n’a trouvé aucune solution" in text
    assert "Tous les bénévoles ont été placés." in text


def test_campaign_without_session_fails_in_french(coordinator_client: FlaskClient) -> None:
    location = launch(coordinator_client).headers["Location"]

    payload = coordinator_client.get(f"{location}.json").get_json()

    assert payload["status"] == "failed"
    assert payload["error"] == (
        "La campagne n’a aucune session prévue : créez-en une avant de lancer la planification."
    )


def test_run_under_way_page_works_without_javascript(
    coordinator_client: FlaskClient, db_session: Session, territory: Territory
) -> None:
    run = add_run(db_session, territory.campaign.id, status=JobStatus.QUEUED)
    path = f"/planification/execution/{run.id}"

    page = Page(coordinator_client.get(path).get_data(as_text=True))

    progress = page.by_id("planning-progress")
    assert (progress.attrs["value"], progress.attrs["max"], progress.text) == ("0", "100", "0 %")
    status = page.by_id("planning-progress-text")
    assert status.attrs["aria-live"] == "polite"
    assert status.text == "En attente du démarrage de la planification."
    assert page.by_id("planning-refresh").text == "Actualiser"
    assert page.select("a", href=path)
    run_section = page.by_id("planning-run")
    assert run_section.attrs["data-status-url"] == f"{path}.json"
    assert page.select("script", src="/static/js/planning_progress.js")
    assert not page.has_id("run-outcome")
    listing = Page(coordinator_client.get("/planification/sessions").get_data(as_text=True))
    assert listing.by_id("active-run").text == (
        "Une planification est en cours : suivez son avancement."
    )


def test_progress_endpoint_reports_the_run(
    coordinator_client: FlaskClient, db_session: Session, territory: Territory
) -> None:
    run = add_run(db_session, territory.campaign.id, status=JobStatus.RUNNING, progress_pct=65)

    response = coordinator_client.get(f"/planification/execution/{run.id}.json")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_json() == {
        "id": run.id,
        "status": "running",
        "status_label": "en cours",
        "progress": 65,
        "progress_text": "Planification en cours : 65\xa0%",
        "is_finished": False,
        "counts": {},
        "solver_status_label": "",
        "error": None,
        "summary_url": "/planification/bilan",
    }


def test_launch_while_running_leads_to_the_running_run(
    coordinator_client: FlaskClient, db_session: Session, territory: Territory
) -> None:
    run = add_run(db_session, territory.campaign.id, status=JobStatus.RUNNING, progress_pct=40)

    response = launch(coordinator_client)

    assert response.headers["Location"] == f"/planification/execution/{run.id}"
    assert db_session.scalars(select(JobRun.id)).all() == [run.id]


def test_run_of_another_campaign_or_kind_is_not_found(
    coordinator_client: FlaskClient, db_session: Session, territory: Territory
) -> None:
    other = make_campaign(db_session, name="Autre campagne")
    foreign = add_run(db_session, other.id)
    import_run = add_run(db_session, territory.campaign.id, kind="territory_import")

    for run_id in (foreign.id, import_run.id, 999_999):
        assert coordinator_client.get(f"/planification/execution/{run_id}").status_code == 404
        response = coordinator_client.get(f"/planification/execution/{run_id}.json")
        assert (response.status_code, response.get_json()) == (404, {"error": "not_found"})


def test_volunteer_cannot_watch_a_run(
    client: FlaskClient, db_session: Session, territory: Territory
) -> None:
    run = add_run(db_session, territory.campaign.id)
    log_in_as(client, add_member(db_session, territory.campaign, Role.VOLUNTEER, "v@example.org"))

    assert client.get(f"/planification/execution/{run.id}").status_code == 403
    assert client.get(f"/planification/execution/{run.id}.json").status_code == 403
