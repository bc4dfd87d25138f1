"""Every staff read of a planning page that names volunteers leaves an audit event."""

from datetime import datetime

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import at_utc, make_assignment, make_canvass_session, make_user
from tests.webapp.planning.conftest import TARGET_IRIS, Territory
from tests.webapp.targets.members import add_member, log_in_as
from webapp.db import utcnow
from webapp.models import AuditEvent, CanvassSession, LeftOutVolunteer, User
from webapp.models.users import Role


def events(db_session: Session) -> list[tuple[int | None, str, str, str | None, int]]:
    db_session.expire_all()
    return [
        (event.actor_user_id, event.action, event.object_type, event.object_id, event.row_count)
        for event in db_session.scalars(select(AuditEvent).order_by(AuditEvent.id))
    ]


def coordinator_of(db_session: Session) -> User:
    return db_session.scalars(select(User).where(User.email == "coord@example.org")).one()


def add_session(db_session: Session, territory: Territory) -> CanvassSession:
    canvass = make_canvass_session(
        db_session,
        campaign=territory.campaign,
        iris_code=TARGET_IRIS,
        starts_at=at_utc(2027, 3, 6, 9, 30),
    )
    db_session.commit()
    return canvass


def test_session_page_read_is_audited(
    coordinator_client: FlaskClient, db_session: Session, territory: Territory
) -> None:
    canvass = add_session(db_session, territory)
    for index, email in enumerate(("a@example.org", "b@example.org", "c@example.org")):
        person = make_user(db_session, email=email, campaign=territory.campaign)
        make_assignment(db_session, canvass_session=canvass, user=person, team=index // 2 + 1)
    db_session.commit()
    before = utcnow()

    response = coordinator_client.get(f"/planification/sessions/{canvass.id}")

    assert response.status_code == 200
    coordinator = coordinator_of(db_session)
    assert events(db_session) == [
        (coordinator.id, "read", "canvass_session", str(canvass.id), 3),
    ]
    event = db_session.scalars(select(AuditEvent)).one()
    assert before <= event.created_at <= utcnow()
    assert isinstance(event.created_at, datetime)


def test_session_without_volunteers_not_audited(
    coordinator_client: FlaskClient, db_session: Session, territory: Territory
) -> None:
    canvass = add_session(db_session, territory)

    assert coordinator_client.get(f"/planification/sessions/{canvass.id}").status_code == 200
    assert coordinator_client.get("/planification/sessions/999999").status_code == 404

    assert events(db_session) == []


def test_summary_read_is_audited(
    coordinator_client: FlaskClient, db_session: Session, territory: Territory
) -> None:
    for email in ("lou@example.org", "max@example.org"):
        person = make_user(db_session, email=email, campaign=territory.campaign)
        db_session.add(
            LeftOutVolunteer(campaign_id=territory.campaign.id, user_id=person.id, reason="too_far")
        )
    db_session.commit()

    coordinator_client.get("/planification/bilan")
    coordinator_client.get("/planification/bilan")

    coordinator = coordinator_of(db_session)
    read = (coordinator.id, "read", "planning_summary", str(territory.campaign.id), 2)
    assert events(db_session) == [read, read]


def test_summary_without_names_not_audited(
    coordinator_client: FlaskClient, db_session: Session
) -> None:
    assert coordinator_client.get("/planification/bilan").status_code == 200

    assert events(db_session) == []


def test_refused_reads_are_not_audited(
    client: FlaskClient, db_session: Session, territory: Territory
) -> None:
    canvass = add_session(db_session, territory)
    person = make_user(db_session, email="a@example.org", campaign=territory.campaign)
    make_assignment(db_session, canvass_session=canvass, user=person)
    log_in_as(client, add_member(db_session, territory.campaign, Role.VOLUNTEER, "v@example.org"))

    assert client.get(f"/planification/sessions/{canvass.id}").status_code == 403
    assert client.get("/planification/bilan").status_code == 403

    assert events(db_session) == []
