"""Twilio status callbacks: signed, stored once, applied in order whatever their order."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.webapp.services.delivery_support import (
    AUTH_TOKEN,
    PUBLIC_BASE_URL,
    make_campaign,
    make_message,
    make_volunteer,
    twilio_signature,
)
from tests.webapp.webhooks.callbacks import TWILIO_STATUS_PATH, post_twilio, status_form
from webapp.models import Campaign, Message, ProviderEvent, Suppression
from webapp.models.messaging import MessageStatus
from webapp.services.delivery import UNREACHABLE_RETRY_DELAY, deliver_message


def sent_message(session: Session, sid: str, campaign: Campaign | None = None) -> Message:
    campaign = campaign or make_campaign(session)
    message = make_message(session, campaign, make_volunteer(session))
    message.status = MessageStatus.SENT
    message.provider_id = sid
    message.attempts = 1
    session.commit()
    return message


def event_count(session: Session) -> int:
    return int(session.scalar(select(func.count(ProviderEvent.id))) or 0)


@pytest.mark.parametrize(
    "signature",
    [
        "",
        "not-a-signature",
        twilio_signature(PUBLIC_BASE_URL + TWILIO_STATUS_PATH, status_form("SM1", "sent")),
        twilio_signature("http://127.0.0.1" + TWILIO_STATUS_PATH, status_form("SM1", "delivered")),
        twilio_signature(
            PUBLIC_BASE_URL + TWILIO_STATUS_PATH, status_form("SM1", "delivered"), "other-token"
        ),
    ],
)
def test_bad_signature_is_refused_and_nothing_changes(
    client: FlaskClient, db_session: Session, signature: str
) -> None:
    message = sent_message(db_session, "SM1")

    response = post_twilio(
        client, TWILIO_STATUS_PATH, status_form("SM1", "delivered"), signature=signature
    )

    assert response.status_code == 403
    assert event_count(db_session) == 0
    db_session.refresh(message)
    assert message.status == MessageStatus.SENT


def test_delivery_report_is_stored_then_applied(client: FlaskClient, db_session: Session) -> None:
    message = sent_message(db_session, "SM2")

    response = post_twilio(client, TWILIO_STATUS_PATH, status_form("SM2", "delivered"))

    assert response.status_code == 204
    [event] = db_session.scalars(select(ProviderEvent)).all()
    assert (event.provider, event.event_key) == ("twilio", "SM2:delivered")
    assert event.payload["MessageStatus"] == "delivered"
    assert event.processed_at is not None
    db_session.refresh(message)
    assert message.status == MessageStatus.DELIVERED
    assert message.delivered_at is not None


def test_replayed_report_changes_nothing(client: FlaskClient, db_session: Session) -> None:
    sent_message(db_session, "SM3")

    responses = [
        post_twilio(client, TWILIO_STATUS_PATH, status_form("SM3", "delivered")) for _ in range(3)
    ]

    assert [response.status_code for response in responses] == [204, 204, 204]
    assert event_count(db_session) == 1


def test_delivered_never_goes_back_to_sent(client: FlaskClient, db_session: Session) -> None:
    message = sent_message(db_session, "SM4")

    post_twilio(client, TWILIO_STATUS_PATH, status_form("SM4", "delivered"))
    post_twilio(client, TWILIO_STATUS_PATH, status_form("SM4", "sent"))
    post_twilio(client, TWILIO_STATUS_PATH, status_form("SM4", "undelivered", "30005"))

    db_session.refresh(message)
    assert (message.status, message.failure_reason) == ("delivered", None)


@pytest.mark.parametrize(
    ("status", "code", "reason"),
    [
        ("undelivered", "30005", "invalid_recipient"),
        ("undelivered", "30006", "landline"),
        ("failed", "21635", "landline"),
        ("failed", "30007", "rejected"),
        ("failed", None, "undelivered"),
    ],
)
def test_failure_reports_record_their_reason(
    client: FlaskClient, db_session: Session, status: str, code: str | None, reason: str
) -> None:
    message = sent_message(db_session, "SM5")

    post_twilio(client, TWILIO_STATUS_PATH, status_form("SM5", status, code))

    db_session.refresh(message)
    assert (message.status, message.failure_reason) == ("failed", reason)
    assert db_session.scalars(select(Suppression)).all() == []


def test_unsubscribed_report_suppresses_the_number(
    client: FlaskClient, db_session: Session
) -> None:
    message = sent_message(db_session, "SM6")
    queued = make_message(db_session, make_campaign(db_session), make_volunteer(db_session))
    queued.campaign_id = message.campaign_id
    queued.recipient = message.recipient
    db_session.commit()

    post_twilio(client, TWILIO_STATUS_PATH, status_form("SM6", "failed", "21610"))

    db_session.refresh(message)
    db_session.refresh(queued)
    assert (message.status, message.failure_reason) == ("failed", "unsubscribed")
    assert queued.status == MessageStatus.SUPPRESSED
    [suppression] = db_session.scalars(select(Suppression)).all()
    assert (suppression.campaign_id, suppression.address) == (
        message.campaign_id,
        message.recipient,
    )


def test_unreachable_handset_is_retried_once(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    message = sent_message(db_session, "SM7")
    before = datetime.now(UTC)

    post_twilio(client, TWILIO_STATUS_PATH, status_form("SM7", "undelivered", "30003"))

    db_session.refresh(message)
    assert (message.status, message.provider_id) == ("queued", None)
    assert message.failure_reason == "unreachable_retried"
    assert message.send_after is not None
    assert message.send_after >= before + UNREACHABLE_RETRY_DELAY
    with app.app_context():
        deliver_message(db_session, message.id, now=message.send_after)
    db_session.refresh(message)
    assert message.status == MessageStatus.SENT
    second_sid = message.provider_id
    assert second_sid is not None and second_sid != "SM7"

    post_twilio(client, TWILIO_STATUS_PATH, status_form(second_sid, "undelivered", "30003"))

    db_session.refresh(message)
    assert (message.status, message.failure_reason, message.attempts) == (
        "failed",
        "unreachable",
        2,
    )


def test_report_before_the_send_is_recorded_waits(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    post_twilio(client, TWILIO_STATUS_PATH, status_form("SM8", "delivered"))
    [event] = db_session.scalars(select(ProviderEvent)).all()
    assert event.processed_at is None
    message = sent_message(db_session, "SM8")

    from webapp.services.provider_events import EventOutcome, process_provider_event

    with app.app_context():
        result = process_provider_event(db_session, event.id)

    assert result.outcome is EventOutcome.APPLIED
    db_session.refresh(message)
    assert message.status == MessageStatus.DELIVERED


@pytest.mark.parametrize("form", [{"MessageStatus": "sent"}, {"MessageSid": "SM9"}])
def test_callback_without_its_ids_is_refused(
    client: FlaskClient, db_session: Session, form: dict[str, str]
) -> None:
    assert post_twilio(client, TWILIO_STATUS_PATH, form).status_code == 400
    assert event_count(db_session) == 0


# Each story is the sequence Twilio reports for one message, in order.
STORIES = (
    (
        ("queued", None),
        ("sent", None),
        ("delivered", None),
    ),
    (
        ("sent", None),
        ("undelivered", "30005"),
    ),
    (
        ("sent", None),
        ("failed", "21610"),
    ),
    (
        ("accepted", None),
        ("sending", None),
        ("sent", None),
        ("undelivered", "30003"),
    ),
    (
        ("sent", None),
        ("read", None),
        ("delivered", None),
    ),
)


def final_states(session: Session, messages: list[Message]) -> list[tuple[object, ...]]:
    states: list[tuple[object, ...]] = []
    for message in messages:
        session.refresh(message)
        states.append(
            (
                message.status,
                message.failure_reason,
                message.provider_id is None,
                message.delivered_at is not None,
            )
        )
    return states


def test_shuffled_replays_end_like_one_in_order_delivery(
    client: FlaskClient, db_session: Session
) -> None:
    campaign = make_campaign(db_session)
    in_order = [sent_message(db_session, f"SMa{index}", campaign) for index in range(len(STORIES))]
    replayed = [sent_message(db_session, f"SMb{index}", campaign) for index in range(len(STORIES))]

    for index, story in enumerate(STORIES):
        for status, code in story:
            post_twilio(client, TWILIO_STATUS_PATH, status_form(f"SMa{index}", status, code))
    callbacks = [
        status_form(f"SMb{index}", status, code)
        for index, story in enumerate(STORIES)
        for status, code in story
    ] * 3
    random.Random(2026).shuffle(callbacks)
    for form in callbacks:
        assert post_twilio(client, TWILIO_STATUS_PATH, form).status_code == 204

    assert final_states(db_session, replayed) == final_states(db_session, in_order)
    assert [state[0] for state in final_states(db_session, in_order)] == [
        "delivered",
        "failed",
        "failed",
        "queued",
        "delivered",
    ]


def test_token_comes_from_the_settings(client: FlaskClient, db_session: Session) -> None:
    sent_message(db_session, "SM10")
    form = status_form("SM10", "delivered")
    signature = twilio_signature(PUBLIC_BASE_URL + TWILIO_STATUS_PATH, form, AUTH_TOKEN)

    assert post_twilio(client, TWILIO_STATUS_PATH, form, signature=signature).status_code == 204


def test_query_string_is_part_of_the_signed_url(client: FlaskClient, db_session: Session) -> None:
    sent_message(db_session, "SM11")
    form = status_form("SM11", "delivered")
    path = TWILIO_STATUS_PATH + "?campaign=3"
    signature = twilio_signature(PUBLIC_BASE_URL + path, form)

    response = client.post(path, data=form, headers={"X-Twilio-Signature": signature})
    unsigned_query = client.post(
        TWILIO_STATUS_PATH + "?campaign=4", data=form, headers={"X-Twilio-Signature": signature}
    )

    assert (response.status_code, unsigned_query.status_code) == (204, 403)


def test_delivery_time_is_when_the_report_came(client: FlaskClient, db_session: Session) -> None:
    message = sent_message(db_session, "SM12")
    before = datetime.now(UTC)

    post_twilio(client, TWILIO_STATUS_PATH, status_form("SM12", "delivered"))

    db_session.refresh(message)
    assert message.delivered_at is not None
    assert before <= message.delivered_at <= datetime.now(UTC) + timedelta(seconds=1)
