"""A notice to coordinators goes out without a consent row, but never to an opted-out address."""

from datetime import date

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from tests.fakes.provider_server import FakeProviderServer
from tests.webapp.services.delivery_support import make_campaign, make_message, provider_settings
from tests.webapp.services.test_delivery_rules import OPEN_NOON, SUNDAY_NOON, deliver
from webapp.models import Message, Suppression, User
from webapp.models.messaging import MessagePurpose, MessageStatus
from webapp.models.users import Channel
from webapp.services.erasure import erase_person
from webapp.settings import Settings


@pytest.fixture
def settings(settings: Settings, provider_server: FakeProviderServer) -> Settings:
    return provider_settings(settings, provider_server)


def make_coordinator(session: Session, email: str = "coordination@example.org") -> User:
    """A coordinator account without any consent row, as an accepted invitation creates it."""
    user = User(email=email, password_hash="x", first_name="Claire", last_name="Exemple")
    session.add(user)
    session.flush()
    return user


def notice(session: Session, **campaign_options: object) -> Message:
    campaign = make_campaign(session, **campaign_options)  # type: ignore[arg-type]
    return make_message(
        session,
        campaign,
        make_coordinator(session),
        channel=Channel.EMAIL,
        purpose=MessagePurpose.COORDINATOR_NOTICE,
        body="Alice Exemple s’est désistée.",
    )


def test_notice_without_consent_is_sent(
    app: Flask, db_session: Session, provider_server: FakeProviderServer
) -> None:
    message = notice(db_session)

    result = deliver(app, db_session, message, OPEN_NOON)

    assert result.status == MessageStatus.SENT
    assert message.failure_reason is None
    assert len(provider_server.send_requests) == 1


def test_notice_is_not_held_on_sunday(
    app: Flask, db_session: Session, provider_server: FakeProviderServer
) -> None:
    # Sunday 7 June 2026 is also a round day, inside the electoral silence.
    message = notice(db_session, rounds=(date(2026, 6, 7), None))

    assert deliver(app, db_session, message, SUNDAY_NOON).status == MessageStatus.SENT


def test_notice_to_opted_out_address_is_suppressed(
    app: Flask, db_session: Session, provider_server: FakeProviderServer
) -> None:
    message = notice(db_session)
    db_session.add(
        Suppression(
            campaign_id=None, channel=Channel.EMAIL, address=message.recipient, reason="bounced"
        )
    )

    result = deliver(app, db_session, message, OPEN_NOON)

    assert result.status == MessageStatus.SUPPRESSED
    assert message.failure_reason == "opted_out"
    assert provider_server.send_requests == []


def test_notice_to_erased_contact_is_suppressed(
    app: Flask, db_session: Session, settings: Settings, provider_server: FakeProviderServer
) -> None:
    campaign = make_campaign(db_session)
    erased = make_coordinator(db_session)
    with app.app_context():
        erase_person(db_session, erased.id, settings=settings)
    # A new account later takes the erased address.
    newcomer = make_coordinator(db_session)
    message = make_message(
        db_session,
        campaign,
        newcomer,
        channel=Channel.EMAIL,
        purpose=MessagePurpose.COORDINATOR_NOTICE,
    )

    result = deliver(app, db_session, message, OPEN_NOON)

    assert result.status == MessageStatus.SUPPRESSED
    assert message.failure_reason == "opted_out"
    assert provider_server.send_requests == []
