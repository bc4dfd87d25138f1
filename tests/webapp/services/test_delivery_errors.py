"""What each provider error does to a message: retry, look up, fail, suppress."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.fakes.provider_server import FakeProviderServer
from tests.webapp.services.delivery_support import (
    make_campaign,
    make_message,
    make_volunteer,
    provider_settings,
)
from webapp.models import Message, Suppression
from webapp.models.messaging import MessageStatus
from webapp.models.users import Channel
from webapp.services.delivery import (
    MAX_SEND_ATTEMPTS,
    STALE_CLAIM,
    DeliveryResult,
    FollowUp,
    deliver_message,
    reconcile_message,
)
from webapp.settings import Settings

OPEN_NOON = datetime(2026, 6, 3, 10, 0, tzinfo=UTC)


@pytest.fixture
def settings(settings: Settings, provider_server: FakeProviderServer) -> Settings:
    return provider_settings(settings, provider_server)


def deliver(app: Flask, session: Session, message: Message) -> DeliveryResult:
    session.commit()
    with app.app_context():
        result = deliver_message(session, message.id, now=OPEN_NOON)
    session.refresh(message)
    return result


@pytest.mark.parametrize(
    "case",
    [
        (Channel.SMS, 400, 21211, None, "invalid_recipient", False),
        (Channel.SMS, 400, 21612, None, "invalid_recipient", False),
        (Channel.SMS, 400, 21614, None, "invalid_recipient", False),
        (Channel.SMS, 400, 21635, None, "landline", False),
        (Channel.SMS, 400, 21610, None, "unsubscribed", True),
        (Channel.SMS, 401, 20003, None, "configuration", False),
        (Channel.EMAIL, 400, None, "personalizations.0.to.0.email", "invalid_recipient", False),
        (Channel.EMAIL, 401, None, None, "configuration", False),
        (Channel.EMAIL, 413, None, None, "rejected", False),
    ],
)
def test_permanent_errors_fail_without_retry(
    app: Flask,
    db_session: Session,
    provider_server: FakeProviderServer,
    case: tuple[Channel, int, int | None, str | None, str, bool],
) -> None:
    channel, status, code, field, reason, is_suppressed = case
    campaign = make_campaign(db_session)
    user = make_volunteer(db_session)
    message = make_message(db_session, campaign, user, channel=channel)
    later = make_message(db_session, campaign, user, channel=channel)
    provider_server.fail_next(1, status=status, code=code, field=field)

    result = deliver(app, db_session, message)

    assert result == DeliveryResult(MessageStatus.FAILED)
    assert (message.status, message.failure_reason, message.attempts) == ("failed", reason, 1)
    assert message.last_error is not None and str(code or f"http_{status}") in message.last_error
    suppressions = db_session.scalars(select(Suppression)).all()
    assert [(s.campaign_id, s.address, s.reason) for s in suppressions] == (
        [(campaign.id, message.recipient, reason)] if is_suppressed else []
    )
    db_session.refresh(later)
    assert later.status == (MessageStatus.SUPPRESSED if is_suppressed else MessageStatus.QUEUED)
    assert len(provider_server.send_requests) == 1


@pytest.mark.parametrize(
    "case", [(Channel.SMS, 429, 20429), (Channel.SMS, 429, None), (Channel.EMAIL, 429, None)]
)
def test_rate_limit_is_retried_after_a_backoff(
    app: Flask,
    db_session: Session,
    provider_server: FakeProviderServer,
    case: tuple[Channel, int, int | None],
) -> None:
    channel, status, code = case
    message = make_message(
        db_session, make_campaign(db_session), make_volunteer(db_session), channel=channel
    )
    provider_server.fail_next(1, status=status, code=code)
    before = datetime.now(UTC)

    result = deliver(app, db_session, message)

    assert result.status == MessageStatus.QUEUED
    assert result.follow_up is FollowUp.SEND
    assert result.at == message.send_after
    assert message.send_after is not None
    assert before + timedelta(seconds=15) <= message.send_after
    assert message.send_after <= datetime.now(UTC) + timedelta(seconds=30)
    assert (message.attempts, message.failure_reason) == (1, None)


def test_refused_connection_is_retried(
    app: Flask, db_session: Session, settings: Settings, closed_port: str
) -> None:
    app.extensions["tournee.settings"] = replace(settings, twilio_api_base_url=closed_port)
    message = make_message(db_session, make_campaign(db_session), make_volunteer(db_session))

    result = deliver(app, db_session, message)

    assert (result.status, result.follow_up) == (MessageStatus.QUEUED, FollowUp.SEND)
    assert message.last_error == "twilio network (network)"


def test_retries_end_in_a_failure_with_its_reason(
    app: Flask, db_session: Session, provider_server: FakeProviderServer
) -> None:
    message = make_message(db_session, make_campaign(db_session), make_volunteer(db_session))
    message.attempts = MAX_SEND_ATTEMPTS - 1
    provider_server.fail_next(1, status=429, code=20429)

    result = deliver(app, db_session, message)

    assert result == DeliveryResult(MessageStatus.FAILED)
    assert (message.failure_reason, message.attempts) == ("rate_limited", MAX_SEND_ATTEMPTS)


@pytest.mark.parametrize("channel", [Channel.SMS, Channel.EMAIL])
def test_server_error_is_looked_up_not_resent(
    app: Flask, db_session: Session, provider_server: FakeProviderServer, channel: Channel
) -> None:
    message = make_message(
        db_session, make_campaign(db_session), make_volunteer(db_session), channel=channel
    )
    provider_server.fail_next(1, status=500)

    result = deliver(app, db_session, message)

    assert message.status == MessageStatus.SENDING
    assert message.claimed_at is not None
    assert result == DeliveryResult(
        MessageStatus.SENDING, FollowUp.RECONCILE, message.claimed_at + STALE_CLAIM
    )
    assert len(provider_server.send_requests) == 1


@pytest.mark.parametrize("channel", [Channel.SMS, Channel.EMAIL])
@pytest.mark.parametrize("failure", ["server_error", "dropped"])
def test_accepted_message_behind_an_error_ends_sent_once(
    app: Flask,
    db_session: Session,
    provider_server: FakeProviderServer,
    channel: Channel,
    failure: str,
) -> None:
    message = make_message(
        db_session, make_campaign(db_session), make_volunteer(db_session), channel=channel
    )
    if failure == "server_error":
        provider_server.accept_then_fail_next(1, status=502)
    else:
        provider_server.accept_then_drop_next(1)
    deliver(app, db_session, message)

    with app.app_context():
        result = reconcile_message(db_session, message.id, now=datetime.now(UTC) + STALE_CLAIM)
    db_session.refresh(message)

    [accepted] = provider_server.accepted
    assert result == DeliveryResult(MessageStatus.SENT)
    assert (message.status, message.provider_id) == ("sent", accepted.provider_id)
    assert len(provider_server.send_requests) == 1


@pytest.fixture
def closed_port() -> str:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"
