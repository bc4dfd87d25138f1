"""A batch of messages delivered at once: chunks, e-mails sharing a request, partial slots."""

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from messaging.providers.base import SendOutcome
from messaging.providers.factory import Senders
from tests.fakes.provider_server import FakeProviderServer
from tests.webapp.services.delivery_support import (
    OPEN_NOON,
    deliver,
    make_campaign,
    make_message,
    make_volunteer,
    provider_settings,
)
from webapp.models import Campaign, ErasedContact, Message
from webapp.models.messaging import MessagePurpose, MessageStatus
from webapp.models.users import Channel
from webapp.services.delivery import (
    CHUNK_UNITS,
    STALE_CLAIM,
    DeliveryResult,
    FollowUp,
    deliver_messages,
    follow_ups,
)
from webapp.services.delivery_claims import OutgoingMessage, mark_sent
from webapp.services.delivery_send import plan_units
from webapp.services.erasure import contact_hash
from webapp.services.message_batch import UNSUBSCRIBE_URL_TAG
from webapp.settings import Settings

# Sunday 7 June 2026, 12:00 in Paris: push messages wait for Monday 08:00.
SUNDAY_NOON = datetime(2026, 6, 7, 10, 0, tzinfo=UTC)
MONDAY_8 = datetime(2026, 6, 8, 6, 0, tzinfo=UTC)
SHARED_TEXT = f"Porte-à-porte samedi.\n\n--\n{UNSUBSCRIBE_URL_TAG}"


@pytest.fixture
def settings(settings: Settings, provider_server: FakeProviderServer) -> Settings:
    return provider_settings(settings, provider_server)


def shared_emails(session: Session, campaign: Campaign, count: int) -> list[Message]:
    """Return `count` broadcast e-mails with one text, which go out in one request."""
    messages = []
    for _ in range(count):
        message = make_message(
            session,
            campaign,
            make_volunteer(session),
            channel=Channel.EMAIL,
            purpose=MessagePurpose.BROADCAST,
            body=SHARED_TEXT,
        )
        messages.append(message)
    return messages


def test_more_than_a_chunk_goes_out_once_each(
    app: Flask, db_session: Session, provider_server: FakeProviderServer
) -> None:
    campaign = make_campaign(db_session)
    messages = [
        make_message(db_session, campaign, make_volunteer(db_session))
        for _ in range(CHUNK_UNITS + 20)
    ]

    results = deliver(app, db_session, messages)

    assert set(results.values()) == {DeliveryResult(MessageStatus.SENT)}
    assert len(provider_server.send_requests) == CHUNK_UNITS + 20
    for message in messages:
        db_session.refresh(message)
    assert {(m.status, m.attempts) for m in messages} == {(MessageStatus.SENT, 1)}
    assert len({m.provider_id for m in messages}) == len(messages)


def test_each_row_gets_its_own_result(
    app: Flask, db_session: Session, provider_server: FakeProviderServer
) -> None:
    campaign = make_campaign(db_session)
    sent = make_message(db_session, campaign, make_volunteer(db_session))
    refused = make_message(db_session, campaign, make_volunteer(db_session, consent=False))
    later = make_message(db_session, campaign, make_volunteer(db_session))
    later.send_after = SUNDAY_NOON + timedelta(days=1)
    held = make_message(
        db_session, campaign, make_volunteer(db_session), purpose=MessagePurpose.BROADCAST
    )
    done = make_message(db_session, campaign, make_volunteer(db_session))
    done.status = MessageStatus.DELIVERED

    results = deliver(app, db_session, [sent, refused, later, held, done], now=SUNDAY_NOON)

    assert results == {
        sent.id: DeliveryResult(MessageStatus.SENT),
        refused.id: DeliveryResult(MessageStatus.SUPPRESSED),
        later.id: DeliveryResult(MessageStatus.QUEUED, FollowUp.SEND, later.send_after),
        held.id: DeliveryResult(MessageStatus.QUEUED, FollowUp.SEND, MONDAY_8),
        done.id: DeliveryResult(MessageStatus.DELIVERED),
    }
    assert held.send_after == MONDAY_8
    assert refused.failure_reason == "no_consent"
    assert [r.body["To"] for r in provider_server.send_requests] == [sent.recipient]


def test_unknown_ids_are_reported(app: Flask, db_session: Session) -> None:
    message = make_message(db_session, make_campaign(db_session), make_volunteer(db_session))

    results = deliver(app, db_session, [message], now=OPEN_NOON)
    with app.app_context():
        missing = deliver_messages(db_session, [987654, message.id], now=OPEN_NOON)

    assert results[message.id].status == MessageStatus.SENT
    assert missing == {
        987654: DeliveryResult(None),
        message.id: DeliveryResult(MessageStatus.SENT),
    }


def test_emails_sharing_a_text_share_a_request(
    app: Flask, db_session: Session, provider_server: FakeProviderServer
) -> None:
    campaign = make_campaign(db_session)
    messages = shared_emails(db_session, campaign, 4)
    alone = make_message(db_session, campaign, make_volunteer(db_session), channel=Channel.EMAIL)

    results = deliver(app, db_session, [*messages, alone])

    assert set(results.values()) == {DeliveryResult(MessageStatus.SENT)}
    # The two requests go out in parallel, in either order.
    single, shared = sorted(
        provider_server.send_requests, key=lambda r: len(r.body["personalizations"])
    )
    assert [p["to"][0]["email"] for p in shared.body["personalizations"]] == [
        m.recipient for m in messages
    ]
    assert [p["custom_args"] for p in shared.body["personalizations"]] == [
        {"reference": m.idempotency_key} for m in messages
    ]
    assert [p["to"][0]["email"] for p in single.body["personalizations"]] == [alone.recipient]
    addresses = {m.recipient for m in messages}
    links = [m.body.rsplit("\n", 1)[1] for m in provider_server.accepted if m.to in addresses]
    assert all(link.startswith("https://tournee.example.org/desinscription/") for link in links)
    assert len(set(links)) == 4
    for message in messages:
        db_session.refresh(message)
    assert len({m.provider_id for m in messages}) == 1


def test_refused_address_in_a_request_fails_alone(
    app: Flask, db_session: Session, provider_server: FakeProviderServer
) -> None:
    messages = shared_emails(db_session, make_campaign(db_session), 3)
    provider_server.fail_recipient(
        messages[1].recipient, status=400, field="personalizations.0.to.0.email"
    )

    results = deliver(app, db_session, messages)

    assert [results[m.id].status for m in messages] == ["sent", "failed", "sent"]
    db_session.refresh(messages[1])
    assert (messages[1].failure_reason, messages[1].attempts) == ("invalid_recipient", 1)
    assert [m.to for m in provider_server.accepted] == [
        messages[0].recipient,
        messages[2].recipient,
    ]


def test_unanswered_request_leaves_every_row_for_a_lookup(
    app: Flask, db_session: Session, provider_server: FakeProviderServer
) -> None:
    messages = shared_emails(db_session, make_campaign(db_session), 3)
    provider_server.accept_then_drop_next(1)

    results = deliver(app, db_session, messages)

    for message in messages:
        db_session.refresh(message)
        assert message.claimed_at is not None
        at = message.claimed_at + STALE_CLAIM
        assert results[message.id] == DeliveryResult(MessageStatus.SENDING, FollowUp.RECONCILE, at)
        assert message.last_error == "sendgrid network (connection_lost)"
    assert list(follow_ups(results)) == [
        (FollowUp.RECONCILE, messages[0].claimed_at + STALE_CLAIM, [m.id for m in messages])
    ]


class ExplodingSender:
    """An SMS sender that fails unexpectedly for one number and accepts the others."""

    def __init__(self, bad_number: str) -> None:
        self.bad_number = bad_number
        self.sent: list[str] = []

    def send_sms(self, *, to: str, body: str, sender: str, reference: str) -> str:
        if to == self.bad_number:
            raise RuntimeError("unexpected")
        self.sent.append(to)
        return f"SM{len(self.sent):032d}"

    def send_email_batch(self, **_fields: object) -> list[SendOutcome]:
        raise AssertionError("no e-mail in this test")


def test_unexpected_error_leaves_only_its_row_in_sending(
    app: Flask, db_session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    campaign = make_campaign(db_session)
    messages = [make_message(db_session, campaign, make_volunteer(db_session)) for _ in range(3)]
    sender = ExplodingSender(messages[1].recipient)
    senders = Senders(sms=sender, email=sender)  # type: ignore[arg-type]

    results = deliver(app, db_session, messages, senders=senders)

    assert [results[m.id].status for m in messages] == ["sent", "sending", "sent"]
    assert results[messages[1].id].follow_up is FollowUp.RECONCILE
    assert "failed unexpectedly" in caplog.text


def test_spent_budget_hands_everything_back(
    app: Flask, db_session: Session, provider_server: FakeProviderServer
) -> None:
    campaign = make_campaign(db_session)
    messages = [make_message(db_session, campaign, make_volunteer(db_session)) for _ in range(3)]

    results = deliver(app, db_session, messages, budget_s=-1.0)

    assert {(r.status, r.follow_up) for r in results.values()} == {("queued", FollowUp.SEND)}
    assert provider_server.send_requests == []


def test_sent_mark_never_moves_a_row_back(app: Flask, db_session: Session) -> None:
    campaign = make_campaign(db_session)
    delivered = make_message(db_session, campaign, make_volunteer(db_session))
    delivered.status = MessageStatus.DELIVERED
    delivered.provider_id = "SMfirst"
    sending = make_message(db_session, campaign, make_volunteer(db_session))
    sending.status = MessageStatus.SENDING
    db_session.flush()

    mark_sent(db_session, {delivered.id: "SMsecond", sending.id: "SMthird"}, OPEN_NOON)

    rows = db_session.execute(
        select(Message.id, Message.status, Message.provider_id).where(
            Message.id.in_([delivered.id, sending.id])
        )
    ).all()
    assert sorted(rows) == sorted(
        [(delivered.id, "delivered", "SMfirst"), (sending.id, "sent", "SMthird")]
    )


def test_erased_contacts_are_never_written_to(
    app: Flask, db_session: Session, settings: Settings, provider_server: FakeProviderServer
) -> None:
    campaign = make_campaign(db_session)
    phone = make_message(db_session, campaign, make_volunteer(db_session, phone="+33612345699"))
    email_user = make_volunteer(db_session)
    email = make_message(db_session, campaign, email_user, channel=Channel.EMAIL)
    kept = make_message(db_session, campaign, make_volunteer(db_session))
    # The erasure stored hashes of the contacts as the person typed them.
    db_session.add_all(
        [
            ErasedContact(
                channel=Channel.SMS,
                address_hash=contact_hash(settings.secret_key, Channel.SMS, "06 12 34 56 99"),
            ),
            ErasedContact(
                channel=Channel.EMAIL,
                address_hash=contact_hash(
                    settings.secret_key, Channel.EMAIL, email_user.email.upper()
                ),
            ),
        ]
    )

    results = deliver(app, db_session, [phone, email, kept])

    assert [results[m.id].status for m in (phone, email, kept)] == [
        MessageStatus.SUPPRESSED,
        MessageStatus.SUPPRESSED,
        MessageStatus.SENT,
    ]
    assert (phone.failure_reason, email.failure_reason) == ("opted_out", "opted_out")
    assert [r.body["To"] for r in provider_server.send_requests] == [kept.recipient]


def test_one_address_gets_its_messages_in_order(
    app: Flask, db_session: Session, provider_server: FakeProviderServer
) -> None:
    campaign = make_campaign(db_session)
    alice = make_volunteer(db_session, phone="+33612345611")
    ordered = [
        make_message(db_session, campaign, alice, body=f"Message {index} pour Alice.")
        for index in range(3)
    ]
    others = [make_message(db_session, campaign, make_volunteer(db_session)) for _ in range(4)]

    results = deliver(app, db_session, [*others, *ordered])

    assert {r.status for r in results.values()} == {MessageStatus.SENT}
    to_alice = [
        r.body["Body"] for r in provider_server.send_requests if r.body["To"] == alice.phone_e164
    ]
    assert to_alice == [m.body for m in ordered]


def outgoing(message_id: int, to: str, body: str = SHARED_TEXT) -> OutgoingMessage:
    return OutgoingMessage(
        id=message_id,
        campaign_id=1,
        user_id=message_id,
        channel=Channel.EMAIL,
        purpose=MessagePurpose.BROADCAST,
        recipient=to,
        subject="Nouvelles",
        body=body,
        idempotency_key=f"key-{message_id}",
        status=MessageStatus.QUEUED,
        send_after=None,
        attempts=0,
    )


def test_units_name_each_address_once() -> None:
    messages = [
        outgoing(1, "a@example.org"),
        outgoing(2, "b@example.org"),
        outgoing(3, "a@example.org"),
        outgoing(4, "c@example.org", body="Autre texte"),
        outgoing(5, "c@example.org"),
    ]

    units = plan_units(messages)

    # The second message to a@ opens a new unit, which then takes the next ones.
    assert [[m.id for m in unit.messages] for unit in units] == [[1, 2], [3, 5], [4]]
