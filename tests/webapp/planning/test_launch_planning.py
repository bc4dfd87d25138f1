"""Running the planning from the sessions page on Bondy's real data."""

from datetime import date, time

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.assignment_types import AssignmentPlan
from routing.status import SolveStatus
from tests.conftest import SAMPLE_DIR
from tests.webapp.accounts.html_page import Page, csrf_token
from tests.webapp.targets.members import add_member, log_in_as
from webapp.models import (
    Address,
    Assignment,
    AvailabilitySlot,
    Campaign,
    CanvassSession,
    Consent,
    Membership,
    Message,
    Route,
    User,
    VolunteerProfile,
)
from webapp.models.messaging import MessagePurpose, MessageStatus
from webapp.models.users import Channel, ConsentPurpose, Role
from webapp.services import planning
from webapp.services.planning import PlanningReport
from webapp.services.scoring import score_campaign
from webapp.services.sessions import SessionDraft, create_session
from webapp.services.territory_import import import_territory
from webapp.settings import Settings

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
    )
    db_session.commit()
    return campaign


def test_planning_places_pairs_explains_rest(
    client: FlaskClient, db_session: Session, bondy_campaign: Campaign
) -> None:
    log_in_as(client, add_member(db_session, bondy_campaign, Role.COORDINATOR, "coord@example.org"))
    token = csrf_token(client.get("/planification/sessions").get_data(as_text=True))

    response = client.post("/planification/lancer", data={"csrf_token": token})

    assert response.status_code == 302
    assert response.headers["Location"] == "/planification/bilan"
    db_session.expire_all()
    assignments = db_session.scalars(select(Assignment)).all()
    assert [a.team for a in assignments] == [1, 1]
    routes = db_session.scalars(select(Route)).all()
    assert len(routes) == 1
    assert routes[0].door_count > 0
    # Confirmations went out once the request committed. Reminders wait for their day.
    messages = db_session.scalars(select(Message)).all()
    assert {(m.purpose, m.status) for m in messages} == {
        (MessagePurpose.ASSIGNMENT_CONFIRMATION, MessageStatus.SENT),
        (MessagePurpose.SESSION_REMINDER, MessageStatus.QUEUED),
    }
    assert len(messages) == 4

    page = Page(client.get("/planification/bilan").get_data(as_text=True))
    text = page.text()
    assert "Planification terminée. Résultat du solveur : optimal." in text
    assert "4 nouveaux messages pour les bénévoles (confirmations et rappels)." in text
    assert "2 bénévoles placés" in text
    assert f"1 parcours, {routes[0].door_count} portes" in text
    assert "2 messages en attente d’envoi" in text
    left_out = sorted(row.text for row in page.select("tr")[1:])
    placed = {a.user.first_name for a in assignments}
    assert len(left_out) == 2
    assert "Inès Roux disponible à l’heure d’aucune session" in left_out
    no_partner = next(row for row in left_out if not row.startswith("Inès"))
    assert no_partner.endswith(" pas de binôme avec qui former une équipe")
    assert not any(row.startswith(name) for row in left_out for name in placed)
    assert "Chaque session prévue a son minimum de bénévoles." in text

    canvass = db_session.scalars(select(CanvassSession)).one()
    detail = Page(client.get(f"/planification/sessions/{canvass.id}").get_data(as_text=True))
    assert detail.by_id("team-1").text.startswith("Équipe 1 : ")
    assert detail.select("a", href=f"/parcours/{routes[0].access_token}")
    listing = Page(client.get("/planification/sessions").get_data(as_text=True))
    assert listing.by_id(f"session-{canvass.id}").text.endswith(
        f"2 1 {routes[0].door_count} prévue"
    )


def test_planning_without_csrf_token_is_refused(
    coordinator_client: FlaskClient, db_session: Session
) -> None:
    response = coordinator_client.post("/planification/lancer")

    assert response.status_code == 400
    assert db_session.scalars(select(Message)).all() == []


def test_planning_without_solution_says_so(
    coordinator_client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unsolved(session: Session, campaign_id: int, settings: Settings) -> PlanningReport:
        plan = AssignmentPlan(
            status=SolveStatus.NO_SOLUTION_FOUND,
            placements=(),
            left_out=(),
            short_sessions=(),
            objective=0.0,
            wall_time_s=2.0,
        )
        return PlanningReport(assignment=plan, routes=[], messages=[])

    monkeypatch.setattr(planning, "run_planning", unsolved)
    token = csrf_token(coordinator_client.get("/planification/sessions").get_data(as_text=True))

    response = coordinator_client.post("/planification/lancer", data={"csrf_token": token})

    assert response.status_code == 302
    text = Page(coordinator_client.get("/planification/bilan").get_data(as_text=True)).text()
    assert (
        "L’affectation n’a trouvé aucune solution (aucune solution trouvée dans le temps "
        "imparti) : les affectations précédentes sont conservées." in text
    )
    assert "Tous les bénévoles ont été placés." in text
