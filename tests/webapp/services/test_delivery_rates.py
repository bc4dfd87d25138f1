"""Each channel's sender keeps its own rate and SMS validity, as configured."""

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from redis import Redis
from sqlalchemy.orm import Session

from messaging.ratelimit import KEY_PREFIX, SendRateLimiter
from tests.fakes.provider_server import FakeProviderServer
from tests.redis_urls import LIMITS_REDIS_URL
from tests.webapp.services.delivery_support import (
    deliver,
    make_campaign,
    make_message,
    make_volunteer,
    provider_settings,
)
from tests.webapp.services.test_delivery_batch import shared_emails
from webapp.models.messaging import MessageStatus
from webapp.models.users import Channel
from webapp.services.delivery import FollowUp
from webapp.settings import Settings

# 72 characters with a "ê": UCS-2, so two segments of at most 67.
TWO_SEGMENT_BODY = "Tournée de fête samedi : rendez-vous à 9 h 30 devant la mairie de Bondy."


@pytest.fixture
def settings(settings: Settings, provider_server: FakeProviderServer) -> Settings:
    return provider_settings(settings, provider_server)


@pytest.fixture
def limits() -> Iterator[Redis]:
    """The limiter's Redis, without any sender's bucket before and after the test."""
    connection = Redis.from_url(LIMITS_REDIS_URL)
    for key in connection.scan_iter(KEY_PREFIX + "*"):
        connection.delete(key)
    yield connection
    for key in connection.scan_iter(KEY_PREFIX + "*"):
        connection.delete(key)
    connection.close()


def test_slots_beyond_the_wait_come_back_later(
    app: Flask, db_session: Session, provider_server: FakeProviderServer, limits: Redis
) -> None:
    campaign = make_campaign(db_session)
    messages = [make_message(db_session, campaign, make_volunteer(db_session)) for _ in range(8)]
    limiters = {Channel.SMS: SendRateLimiter(limits, rate_per_s=2)}
    waits: list[float] = []
    before = datetime.now(UTC)

    results = deliver(app, db_session, messages, limiters=limiters, sleep=waits.append)

    # Slots at 0, 0.5, 1, 1.5 and 2 s fit in the two-second wait; the rest wait for later.
    statuses = [results[m.id].status for m in messages]
    assert statuses == ["sent"] * 5 + ["queued"] * 3
    later = {results[m.id] for m in messages[5:]}
    [result] = later
    assert result.follow_up is FollowUp.SEND
    assert result.at is not None
    assert before + timedelta(seconds=2) < result.at < before + timedelta(seconds=4)
    assert len(provider_server.send_requests) == 5
    assert len(waits) == 4
    for message in messages[5:]:
        db_session.refresh(message)
        assert (message.status, message.attempts, message.claimed_at) == ("queued", 0, None)


def test_long_sms_takes_a_slot_per_segment(
    app: Flask, db_session: Session, provider_server: FakeProviderServer, limits: Redis
) -> None:
    campaign = make_campaign(db_session)
    messages = [
        make_message(db_session, campaign, make_volunteer(db_session), body=TWO_SEGMENT_BODY)
        for _ in range(4)
    ]
    limiters = {Channel.SMS: SendRateLimiter(limits, rate_per_s=2)}
    waits: list[float] = []

    results = deliver(app, db_session, messages, limiters=limiters, sleep=waits.append)

    # Two slots each: the SMS start at 0, 1 and 2 s; the fourth would start at 3 s.
    assert [results[m.id].status for m in messages] == ["sent"] * 3 + ["queued"]
    assert [round(wait) for wait in waits] == [1, 2]
    assert len(provider_server.send_requests) == 3


def test_email_request_takes_a_slot_per_recipient(
    app: Flask, db_session: Session, provider_server: FakeProviderServer, limits: Redis
) -> None:
    campaign = make_campaign(db_session)
    first = shared_emails(db_session, campaign, 5)
    second = shared_emails(db_session, campaign, 1)
    limiters = {Channel.EMAIL: SendRateLimiter(limits, rate_per_s=1)}
    before = datetime.now(UTC)

    sent = deliver(app, db_session, first, limiters=limiters)
    waiting = deliver(app, db_session, second, limiters=limiters)

    # The five recipients of one request go out at once and use five seconds of rate.
    assert {r.status for r in sent.values()} == {MessageStatus.SENT}
    assert len(provider_server.send_requests) == 1
    [result] = waiting.values()
    assert (result.status, result.follow_up) == (MessageStatus.QUEUED, FollowUp.SEND)
    assert result.at is not None
    assert before + timedelta(seconds=4) < result.at < before + timedelta(seconds=6)


def test_each_channel_keeps_its_own_rate(
    app: Flask, db_session: Session, provider_server: FakeProviderServer, limits: Redis
) -> None:
    campaign = make_campaign(db_session)
    sms = [make_message(db_session, campaign, make_volunteer(db_session)) for _ in range(2)]
    email = make_message(db_session, campaign, make_volunteer(db_session), channel=Channel.EMAIL)
    limiters = {
        Channel.SMS: SendRateLimiter(limits, rate_per_s=0.1),
        Channel.EMAIL: SendRateLimiter(limits, rate_per_s=100),
    }

    results = deliver(app, db_session, [*sms, email], limiters=limiters)

    # The second SMS waits ten seconds; the e-mail sender's rate is untouched by it.
    assert [results[m.id].status for m in sms] == ["sent", "queued"]
    assert results[email.id].status == MessageStatus.SENT
    assert len(provider_server.send_requests) == 2


def test_sms_carries_the_validity_period_of_the_settings(
    app: Flask,
    db_session: Session,
    settings: Settings,
    provider_server: FakeProviderServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    changed = replace(settings, sms_validity_period_s=7200)
    monkeypatch.setitem(app.extensions, "tournee.settings", changed)
    message = make_message(db_session, make_campaign(db_session), make_volunteer(db_session))

    deliver(app, db_session, [message])

    [request] = provider_server.send_requests
    assert request.body["ValidityPeriod"] == "7200"
