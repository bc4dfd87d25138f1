import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.factories import make_campaign
from tests.webapp.privacy.conftest import log_in, make_member
from tests.webapp.privacy.seed import EMAIL, SeededPerson, add_user
from webapp.models import User
from webapp.models.users import Role
from webapp.services.audit import PAGE_SIZE, list_audit_events, record_access


def _member(session: Session, person: SeededPerson, role: Role, email: str) -> User:
    user = make_member(session, person.campaign, role, email, last_name="Journal")
    session.commit()
    return user


def test_record_access_writes_ids_only(person: SeededPerson, db_session: Session) -> None:
    event = record_access(db_session, person.user.id, "read", "session" * 20, 12, 7)

    assert (event.action, event.object_id, event.row_count) == ("read", "12", 7)
    assert len(event.object_type) == 60


def test_administrators_read_the_journal(
    client: FlaskClient, person: SeededPerson, db_session: Session
) -> None:
    admin = _member(db_session, person, Role.ADMINISTRATOR, "admin@example.org")
    record_access(db_session, person.user.id, "export", "user", person.user.id, 18)
    record_access(db_session, None, "purge", "retention", None, 3)
    db_session.commit()
    log_in(client, admin.email)

    response = client.get("/admin/journal")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Zoé Quelinval" in page
    assert "user " + str(person.user.id) in page


def test_journal_hides_outsiders(
    client: FlaskClient, person: SeededPerson, db_session: Session
) -> None:
    admin = _member(db_session, person, Role.ADMINISTRATOR, "admin@example.org")
    other = make_campaign(db_session, name="Autre campagne")
    outsider = add_user(
        db_session,
        email="dehors@example.org",
        first_name="Sentinelle",
        last_name="Dehors",
        campaign=other,
        role=Role.COORDINATOR,
    )
    record_access(db_session, outsider.id, "read", "session", 99, 4)
    db_session.commit()
    log_in(client, admin.email)

    page = client.get("/admin/journal").get_data(as_text=True)

    assert "Sentinelle" not in page
    assert [
        row.actor_user_id for row in list_audit_events(db_session, person.campaign.id).rows
    ] == []


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.TEAM_LEAD, Role.COORDINATOR])
def test_only_administrators_read_the_journal(
    client: FlaskClient, person: SeededPerson, db_session: Session, role: Role
) -> None:
    user = _member(db_session, person, role, f"{role.value}@example.org")
    log_in(client, user.email)

    assert client.get("/admin/journal").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client: FlaskClient, person: SeededPerson) -> None:
    response = client.get("/admin/journal")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/connexion")


@pytest.mark.parametrize("page", ["0", "-3", "abc", "99999999999999999999999", "2"])
def test_odd_page_numbers_show_a_page(
    client: FlaskClient, person: SeededPerson, db_session: Session, page: str
) -> None:
    admin = _member(db_session, person, Role.ADMINISTRATOR, "admin@example.org")
    log_in(client, admin.email)

    assert client.get(f"/admin/journal?page={page}").status_code == 200


def test_journal_pages_by_fifty(person: SeededPerson, db_session: Session) -> None:
    for index in range(PAGE_SIZE + 3):
        record_access(db_session, person.user.id, "read", "session", index, 1)

    first = list_audit_events(db_session, person.campaign.id, 1)
    second = list_audit_events(db_session, person.campaign.id, 2)

    assert (len(first.rows), first.has_next) == (PAGE_SIZE, True)
    assert (len(second.rows), second.has_next) == (3, False)


def test_export_lists_past_downloads(client: FlaskClient, person: SeededPerson) -> None:
    log_in(client, EMAIL)
    client.get("/mes-donnees/donnees.json")

    document = client.get("/mes-donnees/donnees.json").get_json()

    assert [event["action"] for event in document["tables"]["audit_events"]] == ["export"]
