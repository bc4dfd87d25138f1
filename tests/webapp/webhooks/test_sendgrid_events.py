"""SendGrid's signed event webhook: verified, stored once per sg_event_id, applied."""

import base64
import json
import random
from dataclasses import replace

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.webapp.services.delivery_support import (
    SENDGRID_KEYS,
    make_campaign,
    make_message,
    make_sendgrid_keys,
    make_volunteer,
)
from tests.webapp.webhooks.callbacks import post_sendgrid, sendgrid_event
from webapp.models import Campaign, Message, ProviderEvent, Suppression
from webapp.models.messaging import MessageStatus
from webapp.models.users import Channel
from webapp.settings import Settings


def sent_email(session: Session, campaign: Campaign | None = None) -> Message:
    campaign = campaign or make_campaign(session)
    message = make_message(session, campaign, make_volunteer(session), channel=Channel.EMAIL)
    message.status = MessageStatus.SENT
    message.provider_id = f"sg{message.id}"
    session.commit()
    return message


def event_count(session: Session) -> int:
    return int(session.scalar(select(func.count(ProviderEvent.id))) or 0)


def test_signed_events_are_stored_and_applied(client: FlaskClient, db_session: Session) -> None:
    message = sent_email(db_session)
    events = [
        sendgrid_event("ev-1", "processed", message.idempotency_key),
        sendgrid_event("ev-2", "delivered", message.idempotency_key),
    ]

    response = post_sendgrid(client, events)

    assert response.status_code == 204
    assert sorted(db_session.scalars(select(ProviderEvent.event_key))) == ["ev-1", "ev-2"]
    db_session.refresh(message)
    assert message.status == MessageStatus.DELIVERED
    assert message.delivered_at is not None
    assert int(message.delivered_at.timestamp()) == 1780000000


@pytest.mark.parametrize(
    "tamper",
    ["no_signature", "other_key", "changed_body", "bad_base64", "old_timestamp_reused"],
)
def test_bad_signature_is_refused_and_nothing_stored(
    client: FlaskClient, db_session: Session, tamper: str
) -> None:
    message = sent_email(db_session)
    body = json.dumps([sendgrid_event("ev-3", "delivered", message.idempotency_key)]).encode()
    signature = SENDGRID_KEYS.sign("1780000000", body)
    headers: dict[str, object] = {"timestamp": "1780000000"}
    if tamper == "no_signature":
        headers["signature"] = ""
    elif tamper == "other_key":
        headers["signature"] = make_sendgrid_keys().sign("1780000000", body)
    elif tamper == "changed_body":
        headers["signature"] = signature
        body = body.replace(b"delivered", b"bounce")
    elif tamper == "bad_base64":
        headers["signature"] = "%%%not base64%%%"
    else:
        headers["signature"] = signature
        headers["timestamp"] = "1780000001"

    response = post_sendgrid(client, body, **headers)  # type: ignore[arg-type]

    assert response.status_code == 403
    assert event_count(db_session) == 0
    db_session.refresh(message)
    assert message.status == MessageStatus.SENT


def test_events_are_refused_without_a_configured_key(
    app: Flask, client: FlaskClient, db_session: Session, settings: Settings
) -> None:
    app.extensions["tournee.settings"] = replace(settings, sendgrid_webhook_public_key="")

    assert post_sendgrid(client, [sendgrid_event("ev-4", "delivered", "x")]).status_code == 403
    assert event_count(db_session) == 0


def test_malformed_key_refuses_events(
    app: Flask, client: FlaskClient, db_session: Session, settings: Settings
) -> None:
    key = base64.b64encode(b"not a key").decode()
    app.extensions["tournee.settings"] = replace(settings, sendgrid_webhook_public_key=key)

    assert post_sendgrid(client, [sendgrid_event("ev-5", "delivered", "x")]).status_code == 403


@pytest.mark.parametrize("body", [b"not json", b'{"event": "delivered"}', b"[1, 2]"])
def test_signed_body_that_is_not_a_list_of_events_is_refused(
    client: FlaskClient, db_session: Session, body: bytes
) -> None:
    assert post_sendgrid(client, body).status_code == 400
    assert event_count(db_session) == 0


@pytest.mark.parametrize(
    "case",
    [
        ([("bounce", {"type": "bounce"})], "failed", "bounced", None),
        ([("bounce", {"type": "blocked"})], "failed", "blocked", None),
        ([("dropped", {"reason": "Bounced Address"})], "failed", "bounced", None),
        (
            [("dropped", {"reason": "Unsubscribed Address"})],
            "failed",
            "unsubscribed",
            "unsubscribed",
        ),
        ([("delivered", {}), ("spamreport", {})], "delivered", None, "spam_report"),
        ([("delivered", {}), ("unsubscribe", {})], "delivered", None, "unsubscribed"),
        ([("deferred", {}), ("delivered", {}), ("open", {})], "delivered", None, None),
    ],
)
def test_events_map_to_states_and_suppressions(
    client: FlaskClient,
    db_session: Session,
    case: tuple[list[tuple[str, dict[str, str]]], str, str | None, str | None],
) -> None:
    events, status, reason, suppression = case
    message = sent_email(db_session)
    payload = [
        sendgrid_event(f"ev-{index}", kind, message.idempotency_key, **fields)
        for index, (kind, fields) in enumerate(events)
    ]

    assert post_sendgrid(client, payload).status_code == 204

    db_session.refresh(message)
    assert (message.status, message.failure_reason) == (status, reason)
    suppressions = [
        (s.campaign_id, s.address, s.reason) for s in db_session.scalars(select(Suppression))
    ]
    assert suppressions == (
        [(message.campaign_id, message.recipient, suppression)] if suppression else []
    )


def test_event_without_reference_matches_the_message_id(
    client: FlaskClient, db_session: Session
) -> None:
    message = sent_email(db_session)
    event = sendgrid_event(
        "ev-6",
        "delivered",
        "",
        sg_message_id=f"{message.provider_id}.filter1",
        email=message.recipient.upper(),
    )

    post_sendgrid(client, [event])

    db_session.refresh(message)
    assert message.status == MessageStatus.DELIVERED


def test_shared_message_id_matches_by_address(client: FlaskClient, db_session: Session) -> None:
    # One Mail Send request to many recipients: they all share its X-Message-Id.
    campaign = make_campaign(db_session)
    first, second = sent_email(db_session, campaign), sent_email(db_session, campaign)
    second.provider_id = first.provider_id
    db_session.commit()
    events = [
        sendgrid_event(
            "ev-7",
            "bounce",
            "",
            sg_message_id=f"{first.provider_id}.filter1",
            email=second.recipient,
            type="bounce",
        ),
        sendgrid_event(
            "ev-8", "delivered", "", sg_message_id=f"{first.provider_id}.filter2", email="x@y.fr"
        ),
    ]

    post_sendgrid(client, events)

    db_session.refresh(first)
    db_session.refresh(second)
    assert (first.status, second.status) == (MessageStatus.SENT, MessageStatus.FAILED)
    assert second.failure_reason == "bounced"


# Each story is what SendGrid reports for one e-mail, in order.
STORIES: tuple[tuple[tuple[str, dict[str, str]], ...], ...] = (
    (
        ("processed", {}),
        ("delivered", {}),
        ("open", {}),
    ),
    (
        ("processed", {}),
        ("deferred", {}),
        ("bounce", {"type": "bounce"}),
    ),
    (("dropped", {"reason": "Spam Reporting Address"}),),
    (
        ("processed", {}),
        ("delivered", {}),
        ("spamreport", {}),
    ),
    (
        ("processed", {}),
        ("bounce", {"type": "blocked"}),
    ),
)


def test_shuffled_replays_end_like_one_in_order_delivery(
    client: FlaskClient, db_session: Session
) -> None:
    campaign = make_campaign(db_session)
    in_order = [sent_email(db_session, campaign) for _ in STORIES]
    replayed = [sent_email(db_session, campaign) for _ in STORIES]

    for message, story in zip(in_order, STORIES, strict=True):
        for index, (kind, fields) in enumerate(story):
            event = sendgrid_event(
                f"a-{message.id}-{index}", kind, message.idempotency_key, **fields
            )
            post_sendgrid(client, [event])
    events = [
        sendgrid_event(f"b-{message.id}-{index}", kind, message.idempotency_key, **fields)
        for message, story in zip(replayed, STORIES, strict=True)
        for index, (kind, fields) in enumerate(story)
    ] * 6
    rng = random.Random(93)
    rng.shuffle(events)
    while events:
        size = rng.randint(1, 5)
        batch, events = events[:size], events[size:]
        assert post_sendgrid(client, batch).status_code == 204

    def state(message: Message) -> tuple[object, ...]:
        db_session.refresh(message)
        suppressed = db_session.scalar(
            select(Suppression.reason).where(Suppression.address == message.recipient)
        )
        return (message.status, message.failure_reason, suppressed)

    assert [state(m) for m in replayed] == [state(m) for m in in_order]
    assert [state(m)[0] for m in in_order] == [
        "delivered",
        "failed",
        "failed",
        "delivered",
        "failed",
    ]
