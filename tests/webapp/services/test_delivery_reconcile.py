"""A message left in sending is settled by asking the provider, never sent blindly."""

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from messaging.providers.twilio_sms import TwilioSmsSender
from tests.fakes.provider_server import FakeProviderServer
from tests.webapp.services.delivery_support import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    make_campaign,
    make_message,
    make_volunteer,
    provider_settings,
)
from webapp.models import Message
from webapp.models.messaging import MessageStatus
from webapp.models.users import Channel
from webapp.services.delivery import (
    LOOKUP_RETRY_DELAY,
    MAX_SEND_ATTEMPTS,
    STALE_CLAIM,
    DeliveryResult,
    FollowUp,
    deliver_message,
    reconcile_message,
)
from webapp.settings import Settings


@pytest.fixture
def settings(settings: Settings, provider_server: FakeProviderServer) -> Settings:
    return provider_settings(settings, provider_server)


def left_in_sending(
    session: Session, *, channel: Channel = Channel.SMS, claimed_ago: timedelta, attempts: int = 1
) -> Message:
    """Return a message as a worker killed right after its claim leaves it."""
    message = make_message(
        session, make_campaign(session), make_volunteer(session), channel=channel
    )
    message.status = MessageStatus.SENDING
    message.claimed_at = datetime.now(UTC) - claimed_ago
    message.attempts = attempts
    session.commit()
    return message


def reconcile(app: Flask, session: Session, message: Message, **options: object) -> DeliveryResult:
    with app.app_context():
        result = reconcile_message(session, message.id, **options)  # type: ignore[arg-type]
    session.refresh(message)
    return result


def send_directly(server: FakeProviderServer, message: Message) -> str:
    """Send the message as the killed worker did before it could record the response."""
    sender = TwilioSmsSender(ACCOUNT_SID, AUTH_TOKEN, api_base_url=server.base_url)
    return sender.send_sms(to=message.recipient, body=message.body, sender="T", reference="r")


def test_message_the_provider_holds_becomes_sent(
    app: Flask, db_session: Session, provider_server: FakeProviderServer
) -> None:
    message = left_in_sending(db_session, claimed_ago=timedelta(minutes=3))
    sid = send_directly(provider_server, message)

    result = reconcile(app, db_session, message)

    assert result == DeliveryResult(MessageStatus.SENT)
    assert (message.status, message.provider_id, message.attempts) == ("sent", sid, 1)


def test_message_the_provider_never_got_is_queued_and_sent_once(
    app: Flask, db_session: Session, provider_server: FakeProviderServer
) -> None:
    message = left_in_sending(db_session, claimed_ago=timedelta(minutes=3))

    result = reconcile(app, db_session, message)
    assert result.status == MessageStatus.QUEUED
    assert result.follow_up is FollowUp.SEND
    with app.app_context():
        deliver_message(db_session, message.id)
    db_session.refresh(message)

    assert (message.status, message.attempts) == ("sent", 2)
    assert len(provider_server.send_requests) == 1


def test_email_is_looked_up_by_its_reference(
    app: Flask, db_session: Session, provider_server: FakeProviderServer
) -> None:
    message = left_in_sending(db_session, channel=Channel.EMAIL, claimed_ago=timedelta(minutes=5))

    assert reconcile(app, db_session, message).status == MessageStatus.QUEUED
    lookup = provider_server.requests[-1]
    assert lookup.method == "GET"
    assert message.idempotency_key in lookup.body["query"]


def test_failed_lookup_leaves_the_message_in_sending(
    app: Flask, db_session: Session, provider_server: FakeProviderServer
) -> None:
    message = left_in_sending(db_session, claimed_ago=timedelta(minutes=3))
    provider_server.fail_next_lookups(1, status=503)
    now = datetime.now(UTC)

    result = reconcile(app, db_session, message, now=now)

    assert result == DeliveryResult(
        MessageStatus.SENDING, FollowUp.RECONCILE, now + LOOKUP_RETRY_DELAY
    )
    assert (message.status, message.last_error) == ("sending", "twilio lookup failed (http_503)")
    assert provider_server.send_requests == []


def test_provider_silent_for_a_day_fails_the_message_for_a_person(
    app: Flask, db_session: Session, provider_server: FakeProviderServer
) -> None:
    message = left_in_sending(db_session, claimed_ago=timedelta(hours=25))
    provider_server.fail_next_lookups(1, status=503)

    assert reconcile(app, db_session, message) == DeliveryResult(MessageStatus.FAILED)
    assert message.failure_reason == "outcome_unknown"


def test_recent_claim_is_left_to_its_worker(
    app: Flask, db_session: Session, provider_server: FakeProviderServer
) -> None:
    message = left_in_sending(db_session, claimed_ago=timedelta(seconds=10))

    result = reconcile(app, db_session, message)

    assert message.claimed_at is not None
    assert result == DeliveryResult(
        MessageStatus.SENDING, FollowUp.RECONCILE, message.claimed_at + STALE_CLAIM
    )
    assert provider_server.requests == []


def test_provider_id_of_another_message_is_not_taken(
    app: Flask, db_session: Session, provider_server: FakeProviderServer
) -> None:
    message = left_in_sending(db_session, claimed_ago=timedelta(minutes=3))
    sid = send_directly(provider_server, message)
    twin = make_message(db_session, make_campaign(db_session), make_volunteer(db_session))
    twin.status = MessageStatus.SENT
    twin.provider_id = sid
    db_session.commit()

    assert reconcile(app, db_session, message).status == MessageStatus.QUEUED


def test_not_found_after_the_last_attempt_fails(
    app: Flask, db_session: Session, provider_server: FakeProviderServer
) -> None:
    message = left_in_sending(
        db_session, claimed_ago=timedelta(minutes=3), attempts=MAX_SEND_ATTEMPTS
    )

    assert reconcile(app, db_session, message) == DeliveryResult(MessageStatus.FAILED)
    assert message.failure_reason == "provider_unavailable"


@pytest.mark.parametrize("status", [MessageStatus.QUEUED, MessageStatus.SENT])
def test_message_not_in_sending_is_left_alone(
    app: Flask, db_session: Session, provider_server: FakeProviderServer, status: MessageStatus
) -> None:
    message = left_in_sending(db_session, claimed_ago=timedelta(minutes=3))
    message.status = status
    db_session.commit()

    assert reconcile(app, db_session, message) == DeliveryResult(status)
    assert provider_server.requests == []


def test_unknown_message_is_reported(app: Flask, db_session: Session) -> None:
    with app.app_context():
        assert reconcile_message(db_session, 987654) == DeliveryResult(None)
