import hashlib
import hmac
import logging
from dataclasses import replace

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.webapp.privacy.conftest import csrf_token, log_in
from tests.webapp.privacy.seed import (
    EMAIL,
    NATIONAL_PHONE,
    PASSWORD,
    PHONE,
    SeededPerson,
    add_user,
)
from webapp.models import (
    Assignment,
    AuditEvent,
    AvailabilitySlot,
    Consent,
    ErasedContact,
    InboundSms,
    Invitation,
    Membership,
    Message,
    ProviderEvent,
    RecoveryCode,
    Suppression,
    User,
    VolunteerProfile,
)
from webapp.models.users import Channel, Role
from webapp.services.erasure import (
    PersonNotFoundError,
    SoleAdministratorError,
    WrongPasswordError,
    check_own_erasure,
    contact_hash,
    erase_person,
    forget_erased_contact,
    is_erased,
    normalise_address,
)
from webapp.settings import Settings

SECRET = "test-secret-key-that-is-long-enough-0123456789"


def _count(session: Session, model: type, *where: object) -> int:
    return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _user_exists(session: Session, user_id: int) -> bool:
    return _count(session, User, User.id == user_id) == 1


def test_contact_hash_is_an_hmac_of_the_normalised_address() -> None:
    expected = hmac.new(SECRET.encode(), f"sms:{PHONE}".encode(), hashlib.sha256).hexdigest()

    assert contact_hash(SECRET, Channel.SMS, PHONE) == expected
    assert contact_hash(SECRET, Channel.SMS, "06 98 76 54 31") == expected
    assert contact_hash(SECRET, Channel.EMAIL, " Zoe.Quelinval@Example.org ") == contact_hash(
        SECRET, Channel.EMAIL, EMAIL
    )
    assert contact_hash(SECRET, Channel.EMAIL, EMAIL) != contact_hash(
        "another-secret-key-of-enough-length-000", Channel.EMAIL, EMAIL
    )
    assert len(expected) == 64


@pytest.mark.parametrize(
    ("channel", "raw", "expected"),
    [
        (Channel.SMS, "+33 6 98 76 54 31", PHONE),
        (Channel.SMS, NATIONAL_PHONE, PHONE),
        (Channel.SMS, "not a number", ""),
        (Channel.SMS, "06-98-76", "+33069876"),
        (Channel.EMAIL, "  A@B.FR ", "a@b.fr"),
    ],
)
def test_normalise_address(channel: Channel, raw: str, expected: str) -> None:
    assert normalise_address(channel, raw) == expected


def test_erasure_removes_the_person_from_every_table(
    app: Flask, person: SeededPerson, db_session: Session
) -> None:
    user_id = person.user.id
    with app.app_context():
        report = erase_person(db_session, user_id)
        db_session.commit()

    for model, where in (
        (User, User.id == user_id),
        (Membership, Membership.user_id == user_id),
        (VolunteerProfile, VolunteerProfile.user_id == user_id),
        (AvailabilitySlot, AvailabilitySlot.user_id == user_id),
        (Consent, Consent.user_id == user_id),
        (Assignment, Assignment.user_id == user_id),
        (RecoveryCode, RecoveryCode.user_id == user_id),
        (Message, Message.recipient.in_([EMAIL, PHONE])),
        (Suppression, Suppression.address.in_([EMAIL, PHONE])),
        (InboundSms, InboundSms.sender == PHONE),
        (Invitation, Invitation.email == EMAIL),
    ):
        assert _count(db_session, model, where) == 0, model.__tablename__
    assert _count(db_session, ProviderEvent) == 0
    assert report.deleted == {
        "provider_events": 1,
        "messages": 2,
        "inbound_sms": 1,
        "suppressions": 2,
        "invitations": 1,
        "users": 1,
    }
    assert report.trace.message_ids == (person.email_message.id, person.sms_message.id)
    assert report.trace.twilio_sids == ("SM" + "a1" * 16, "SM" + "b2" * 16)


def test_erasure_leaves_the_hashes_of_each_contact(
    app: Flask, person: SeededPerson, db_session: Session
) -> None:
    with app.app_context():
        erase_person(db_session, person.user.id)
        db_session.commit()

    hashes = set(db_session.execute(select(ErasedContact.channel, ErasedContact.address_hash)))
    assert hashes == {
        (Channel.EMAIL, contact_hash(SECRET, Channel.EMAIL, EMAIL)),
        (Channel.EMAIL, contact_hash(SECRET, Channel.EMAIL, "zoe.nouvelle@example.org")),
        (Channel.SMS, contact_hash(SECRET, Channel.SMS, PHONE)),
    }


def test_new_message_to_erased_contact_is_recognised(
    app: Flask, person: SeededPerson, db_session: Session
) -> None:
    with app.app_context():
        assert not is_erased(db_session, Channel.SMS, PHONE)
        erase_person(db_session, person.user.id)
        db_session.commit()

        assert is_erased(db_session, Channel.SMS, PHONE)
        assert is_erased(db_session, Channel.SMS, "06 98 76 54 31")
        assert is_erased(db_session, Channel.EMAIL, EMAIL.upper())
        assert not is_erased(db_session, Channel.EMAIL, PHONE)
        assert not is_erased(db_session, Channel.SMS, "+33611223344")
        assert not is_erased(db_session, Channel.SMS, "")
        assert not is_erased(db_session, Channel.SMS, "not a number")


def test_forgotten_hash_lets_a_returning_person_in(
    app: Flask, person: SeededPerson, db_session: Session
) -> None:
    with app.app_context():
        erase_person(db_session, person.user.id)
        assert forget_erased_contact(db_session, Channel.SMS, NATIONAL_PHONE)
        assert not forget_erased_contact(db_session, Channel.SMS, NATIONAL_PHONE)
        assert not is_erased(db_session, Channel.SMS, PHONE)
        assert is_erased(db_session, Channel.EMAIL, EMAIL)


def test_erasure_keeps_other_people(
    app: Flask, person: SeededPerson, bystander: User, db_session: Session
) -> None:
    with app.app_context():
        erase_person(db_session, person.user.id)
        db_session.commit()

    assert _user_exists(db_session, bystander.id)
    assert _count(db_session, Message, Message.user_id == bystander.id) == 1
    assert _count(db_session, Suppression, Suppression.address == "+33611223344") == 1


def test_shared_phone_is_kept(app: Flask, person: SeededPerson, db_session: Session) -> None:
    sibling = add_user(
        db_session, email="sibling@example.org", phone_e164=PHONE, campaign=person.campaign
    )
    db_session.commit()

    with app.app_context():
        erase_person(db_session, person.user.id)
        db_session.commit()
        assert not is_erased(db_session, Channel.SMS, PHONE)
        assert is_erased(db_session, Channel.EMAIL, EMAIL)
    assert _count(db_session, Suppression, Suppression.address == PHONE) == 1
    assert _user_exists(db_session, sibling.id)


def test_erasure_is_audited_without_contacts(
    app: Flask, person: SeededPerson, db_session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    with app.app_context():
        erase_person(db_session, person.user.id, reason="test")
        db_session.commit()

    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "erase")).one()
    assert (event.object_type, event.object_id, event.row_count) == (
        "user",
        str(person.user.id),
        8,
    )
    assert EMAIL not in caplog.text
    assert PHONE not in caplog.text
    assert "Quelinval" not in caplog.text


def test_erasing_twice_finds_nobody(app: Flask, person: SeededPerson, db_session: Session) -> None:
    with app.app_context():
        erase_person(db_session, person.user.id)
        db_session.commit()
        with pytest.raises(PersonNotFoundError):
            erase_person(db_session, person.user.id)


def test_rollback_runs_no_outside_clean_up(
    app: Flask,
    settings: Settings,
    person: SeededPerson,
    db_session: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[object] = []
    monkeypatch.setattr(
        "webapp.services.erasure.forget_outside_database", lambda *args: calls.append(args)
    )
    with app.app_context():
        erase_person(db_session, person.user.id)
        db_session.rollback()

    assert calls == []
    assert _user_exists(db_session, person.user.id)


def test_own_erasure_checks_the_password(
    app: Flask, person: SeededPerson, db_session: Session
) -> None:
    with pytest.raises(WrongPasswordError):
        check_own_erasure(db_session, person.user.id, "not the password")
    with pytest.raises(PersonNotFoundError):
        check_own_erasure(db_session, 987654, PASSWORD)
    check_own_erasure(db_session, person.user.id, PASSWORD)


def test_sole_administrator_must_hand_over(person: SeededPerson, db_session: Session) -> None:
    admin = add_user(
        db_session, email="admin@example.org", campaign=person.campaign, role=Role.ADMINISTRATOR
    )
    db_session.commit()

    with pytest.raises(SoleAdministratorError):
        check_own_erasure(db_session, admin.id, PASSWORD)

    add_user(
        db_session,
        email="admin2@example.org",
        campaign=person.campaign,
        role=Role.ADMINISTRATOR,
    )
    check_own_erasure(db_session, admin.id, PASSWORD)


def _erasure_form(client: FlaskClient) -> str:
    page = client.get("/mes-donnees/effacement")
    assert page.status_code == 200
    return csrf_token(page.get_data(as_text=True))


def test_erasing_from_the_page_logs_out_and_erases(
    client: FlaskClient, person: SeededPerson, db_session: Session
) -> None:
    log_in(client, EMAIL)
    token = _erasure_form(client)

    response = client.post(
        "/mes-donnees/effacement", data={"password": PASSWORD, "csrf_token": token}
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert not _user_exists(db_session, person.user.id)
    home = client.get("/").get_data(as_text=True)
    assert "Votre compte et vos données sont effacés." in home or "erased" in home
    assert client.get("/mes-donnees").status_code == 302


def test_wrong_password_erases_nothing(
    client: FlaskClient, person: SeededPerson, db_session: Session
) -> None:
    log_in(client, EMAIL)
    token = _erasure_form(client)

    response = client.post(
        "/mes-donnees/effacement", data={"password": "pas le bon", "csrf_token": token}
    )

    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert _user_exists(db_session, person.user.id)


def test_erasure_without_csrf_token_is_refused(
    client: FlaskClient, person: SeededPerson, db_session: Session
) -> None:
    log_in(client, EMAIL)

    response = client.post("/mes-donnees/effacement", data={"password": PASSWORD})

    assert response.status_code == 400
    assert _user_exists(db_session, person.user.id)


def test_erasure_page_needs_a_login(client: FlaskClient, person: SeededPerson) -> None:
    assert client.get("/mes-donnees/effacement").status_code == 302
    response = client.post("/mes-donnees/effacement", data={"password": PASSWORD})
    assert response.status_code in (302, 400)


def test_erasure_settings_without_redis_skip_the_queue(
    app: Flask, settings: Settings, person: SeededPerson, db_session: Session
) -> None:
    # The test settings run jobs in-process with the limits off: nothing to do in Redis.
    unreachable = replace(settings, redis_url="redis://127.0.0.1:1/0")
    with app.app_context():
        erase_person(db_session, person.user.id, settings=unreachable)
        db_session.commit()
    assert not _user_exists(db_session, person.user.id)
