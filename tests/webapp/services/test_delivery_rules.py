"""Rules applied when a message goes out: consent, suppressions, push window, silence."""

import logging
from datetime import UTC, date, datetime, time, timedelta

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from tests.fakes.provider_server import FakeProviderServer
from tests.messaging.test_push_window import expected_open
from tests.webapp.services.delivery_support import (
    SMS_BODY,
    make_campaign,
    make_message,
    make_volunteer,
    provider_settings,
)
from webapp.models import Message, Suppression
from webapp.models.messaging import MessagePurpose, MessageStatus
from webapp.models.users import Channel
from webapp.services.delivery import DeliveryResult, FollowUp, deliver_message
from webapp.settings import Settings

# The 2026 municipal rounds, as in the push window tests.
ROUNDS = (date(2026, 3, 15), date(2026, 3, 22))
# Wednesday 3 June 2026, 12:00 in Paris: inside every window.
OPEN_NOON = datetime(2026, 6, 3, 10, 0, tzinfo=UTC)
# Sunday 7 June 2026, 12:00 in Paris.
SUNDAY_NOON = datetime(2026, 6, 7, 10, 0, tzinfo=UTC)


@pytest.fixture
def settings(settings: Settings, provider_server: FakeProviderServer) -> Settings:
    return provider_settings(settings, provider_server)


def deliver(app: Flask, session: Session, message: Message, now: datetime) -> DeliveryResult:
    session.commit()
    with app.app_context():
        return deliver_message(session, message.id, now=now)


def test_message_without_consent_is_suppressed(
    app: Flask, db_session: Session, provider_server: FakeProviderServer
) -> None:
    campaign = make_campaign(db_session)
    message = make_message(db_session, campaign, make_volunteer(db_session, consent=False))

    result = deliver(app, db_session, message, OPEN_NOON)

    assert result == DeliveryResult(MessageStatus.SUPPRESSED)
    db_session.refresh(message)
    assert (message.status, message.failure_reason, message.attempts) == (
        "suppressed",
        "no_consent",
        0,
    )
    assert provider_server.requests == []


def test_message_to_a_deleted_account_is_suppressed(
    app: Flask, db_session: Session, provider_server: FakeProviderServer
) -> None:
    campaign = make_campaign(db_session)
    message = make_message(db_session, campaign, make_volunteer(db_session))
    message.user_id = None

    assert deliver(app, db_session, message, OPEN_NOON).status == MessageStatus.SUPPRESSED
    assert message.failure_reason == "no_consent"


@pytest.mark.parametrize(
    ("suppressed_in", "expected"),
    [
        ("same", MessageStatus.SUPPRESSED),
        ("all", MessageStatus.SUPPRESSED),
        ("other", MessageStatus.SENT),
    ],
)
def test_suppressions_apply_per_campaign_and_globally(
    app: Flask,
    db_session: Session,
    provider_server: FakeProviderServer,
    suppressed_in: str,
    expected: MessageStatus,
) -> None:
    campaign = make_campaign(db_session)
    other = make_campaign(db_session, name="Autre campagne")
    user = make_volunteer(db_session)
    message = make_message(db_session, campaign, user)
    campaign_id = {"same": campaign.id, "all": None, "other": other.id}[suppressed_in]
    db_session.add(
        Suppression(
            campaign_id=campaign_id, channel=Channel.SMS, address=user.phone_e164, reason="stop"
        )
    )

    result = deliver(app, db_session, message, OPEN_NOON)

    assert result.status == expected
    assert len(provider_server.send_requests) == (1 if expected == MessageStatus.SENT else 0)
    if expected == MessageStatus.SUPPRESSED:
        assert message.failure_reason == "opted_out"


def test_e_mail_suppression_does_not_stop_sms(
    app: Flask, db_session: Session, provider_server: FakeProviderServer
) -> None:
    campaign = make_campaign(db_session)
    user = make_volunteer(db_session)
    message = make_message(db_session, campaign, user)
    db_session.add(
        Suppression(campaign_id=None, channel=Channel.EMAIL, address=user.email, reason="stop")
    )

    assert deliver(app, db_session, message, OPEN_NOON).status == MessageStatus.SENT


def test_stop_confirmation_reaches_a_suppressed_number(
    app: Flask, db_session: Session, provider_server: FakeProviderServer
) -> None:
    campaign = make_campaign(db_session)
    user = make_volunteer(db_session)
    message = make_message(db_session, campaign, user, purpose=MessagePurpose.STOP_CONFIRMATION)
    db_session.add(
        Suppression(
            campaign_id=campaign.id, channel=Channel.SMS, address=user.phone_e164, reason="stop"
        )
    )

    assert deliver(app, db_session, message, SUNDAY_NOON).status == MessageStatus.SENT


def test_push_message_waits_for_monday_morning(
    app: Flask, db_session: Session, provider_server: FakeProviderServer
) -> None:
    campaign = make_campaign(db_session)
    message = make_message(
        db_session, campaign, make_volunteer(db_session), purpose=MessagePurpose.BROADCAST
    )

    result = deliver(app, db_session, message, SUNDAY_NOON)

    monday_8 = datetime(2026, 6, 8, 6, 0, tzinfo=UTC)
    assert result == DeliveryResult(MessageStatus.QUEUED, FollowUp.SEND, monday_8)
    db_session.refresh(message)
    assert (message.status, message.send_after, message.attempts) == ("queued", monday_8, 0)
    assert provider_server.requests == []


def test_held_message_goes_out_when_the_window_opens(
    app: Flask, db_session: Session, provider_server: FakeProviderServer
) -> None:
    campaign = make_campaign(db_session)
    message = make_message(
        db_session, campaign, make_volunteer(db_session), purpose=MessagePurpose.BROADCAST
    )
    deliver(app, db_session, message, SUNDAY_NOON)

    early = deliver(app, db_session, message, datetime(2026, 6, 8, 5, 59, tzinfo=UTC))
    on_time = deliver(app, db_session, message, datetime(2026, 6, 8, 6, 0, tzinfo=UTC))

    assert early.follow_up is FollowUp.SEND
    assert on_time.status == MessageStatus.SENT
    assert len(provider_server.send_requests) == 1


@pytest.mark.parametrize(
    "purpose",
    [
        MessagePurpose.ASSIGNMENT_CONFIRMATION,
        MessagePurpose.SESSION_REMINDER,
        MessagePurpose.SESSION_CHANGED,
    ],
)
def test_transactional_messages_are_not_held(
    app: Flask, db_session: Session, provider_server: FakeProviderServer, purpose: MessagePurpose
) -> None:
    campaign = make_campaign(db_session, rounds=(date(2026, 6, 7), None))
    message = make_message(db_session, campaign, make_volunteer(db_session), purpose=purpose)

    # Sunday 7 June 2026 at 12:00 is a round day, inside the electoral silence.
    assert deliver(app, db_session, message, SUNDAY_NOON).status == MessageStatus.SENT


def test_push_message_waits_for_the_end_of_the_silence(
    app: Flask, db_session: Session, provider_server: FakeProviderServer
) -> None:
    campaign = make_campaign(db_session, rounds=ROUNDS)
    message = make_message(
        db_session, campaign, make_volunteer(db_session), purpose=MessagePurpose.BROADCAST
    )

    # Saturday 21 March 2026 at 10:00, eve of the second round.
    result = deliver(app, db_session, message, datetime(2026, 3, 21, 9, 0, tzinfo=UTC))

    assert result.at == datetime(2026, 3, 23, 7, 0, tzinfo=UTC)


def test_campaign_quiet_hours_set_the_window(
    app: Flask, db_session: Session, provider_server: FakeProviderServer
) -> None:
    campaign = make_campaign(db_session, quiet_hours=(time(18, 0), time(10, 0)))
    message = make_message(
        db_session, campaign, make_volunteer(db_session), purpose=MessagePurpose.BROADCAST
    )

    # Wednesday 3 June 2026 at 09:00 in Paris: before this campaign's 10:00 opening.
    result = deliver(app, db_session, message, datetime(2026, 6, 3, 7, 0, tzinfo=UTC))

    assert result.at == datetime(2026, 6, 3, 8, 0, tzinfo=UTC)


def test_quiet_hours_within_a_day_fall_back_to_the_national_window(
    app: Flask, db_session: Session, provider_server: FakeProviderServer
) -> None:
    campaign = make_campaign(db_session, quiet_hours=(time(12, 0), time(14, 0)))
    message = make_message(
        db_session, campaign, make_volunteer(db_session), purpose=MessagePurpose.BROADCAST
    )

    result = deliver(app, db_session, message, datetime(2026, 6, 3, 19, 0, tzinfo=UTC))

    assert result.at == datetime(2026, 6, 4, 6, 0, tzinfo=UTC)


def sample_hours() -> list[datetime]:
    """Every seventh hour from late February to mid-April 2026: rounds, clock change, Easter."""
    start = datetime(2026, 2, 27, 0, 0, tzinfo=UTC)
    return [start + timedelta(hours=7 * index) for index in range(160)]


def test_push_messages_go_out_only_inside_the_window(
    app: Flask, db_session: Session, provider_server: FakeProviderServer
) -> None:
    campaign = make_campaign(db_session, rounds=ROUNDS)
    user = make_volunteer(db_session)
    wrong: list[datetime] = []
    for hour in sample_hours():
        message = make_message(db_session, campaign, user, purpose=MessagePurpose.BROADCAST)
        result = deliver(app, db_session, message, hour)
        is_sent = result.status == MessageStatus.SENT
        waits_for_later = result.at is not None and result.at > hour
        if is_sent != expected_open(hour) or (not is_sent and not waits_for_later):
            wrong.append(hour)

    assert wrong == []
    assert 0 < len(provider_server.send_requests) < len(sample_hours())


def test_message_not_due_comes_back_at_its_time(
    app: Flask, db_session: Session, provider_server: FakeProviderServer
) -> None:
    message = make_message(db_session, make_campaign(db_session), make_volunteer(db_session))
    message.send_after = OPEN_NOON + timedelta(hours=2)

    result = deliver(app, db_session, message, OPEN_NOON)

    assert result == DeliveryResult(MessageStatus.QUEUED, FollowUp.SEND, message.send_after)
    assert provider_server.requests == []


@pytest.mark.parametrize(
    "status", [MessageStatus.SENDING, MessageStatus.SENT, MessageStatus.FAILED]
)
def test_message_no_longer_queued_is_left_alone(
    app: Flask, db_session: Session, provider_server: FakeProviderServer, status: MessageStatus
) -> None:
    message = make_message(db_session, make_campaign(db_session), make_volunteer(db_session))
    message.status = status

    assert deliver(app, db_session, message, OPEN_NOON) == DeliveryResult(status)
    assert provider_server.requests == []


def test_unknown_message_is_reported(app: Flask, db_session: Session) -> None:
    with app.app_context():
        assert deliver_message(db_session, 987654) == DeliveryResult(None)


def test_logs_hold_ids_but_no_body_or_number(
    app: Flask,
    db_session: Session,
    provider_server: FakeProviderServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    campaign = make_campaign(db_session)
    sent = make_message(db_session, campaign, make_volunteer(db_session, phone="+33612345612"))
    refused = make_message(db_session, campaign, make_volunteer(db_session, phone="+33612345634"))
    provider_server.fail_recipient("+33612345634", status=400, code=21211)

    deliver(app, db_session, sent, OPEN_NOON)
    deliver(app, db_session, refused, OPEN_NOON)

    ours = [r for r in caplog.records if r.name.startswith("webapp.services.delivery")]
    assert {record.message_id for record in ours} == {sent.id, refused.id}  # type: ignore[attr-defined]
    assert all(record.campaign_id == campaign.id for record in ours)  # type: ignore[attr-defined]
    assert "+33612345612" not in caplog.text
    assert "+33612345634" not in caplog.text
    assert SMS_BODY not in caplog.text
    # Only the refusal names the number, masked.
    assert "+33 6 ** ** ** 34" in caplog.text
    assert "** 12" not in caplog.text


def test_e_mail_carries_the_one_click_unsubscribe(
    app: Flask, db_session: Session, provider_server: FakeProviderServer
) -> None:
    message = make_message(
        db_session, make_campaign(db_session), make_volunteer(db_session), channel=Channel.EMAIL
    )

    deliver(app, db_session, message, OPEN_NOON)

    [request] = provider_server.send_requests
    [personalization] = request.body["personalizations"]
    headers = personalization["headers"]
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["List-Unsubscribe"].startswith("<https://tournee.example.org/")
    assert personalization["custom_args"] == {"reference": message.idempotency_key}
