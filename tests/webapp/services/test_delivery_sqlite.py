"""Delivery and broadcasts on SQLite, the laptop demo's database, into the outbox.

SQLite has neither row locks nor advisory locks, and no UPDATE … FROM unnest: the same
services take their plain paths there.
"""

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from messaging.providers.outbox import read_outbox
from tests.webapp.broadcasts.crew import seed_crew
from tests.webapp.services.delivery_support import make_campaign, make_message, make_volunteer
from webapp import create_app, migrate
from webapp.db import SESSION_FACTORY_KEY, build_engine
from webapp.models import Message
from webapp.models.messaging import MessagePurpose, MessageStatus
from webapp.models.users import Channel
from webapp.services.broadcast_segments import Segment, SegmentKind
from webapp.services.broadcasts import BroadcastDraft, create_broadcast
from webapp.services.delivery import DeliveryResult, FollowUp, deliver_messages
from webapp.services.message_batch import UNSUBSCRIBE_URL_TAG
from webapp.settings import Settings

# Wednesday 3 June 2026, 12:00 in Paris; Sunday 7 June at 12:00; Monday 8 at 08:00.
OPEN_NOON = datetime(2026, 6, 3, 10, 0, tzinfo=UTC)
SUNDAY_NOON = datetime(2026, 6, 7, 10, 0, tzinfo=UTC)
MONDAY_8 = datetime(2026, 6, 8, 6, 0, tzinfo=UTC)


@pytest.fixture
def demo_app(settings: Settings, tmp_path: Path) -> Iterator[Flask]:
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    engine = build_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    app = create_app(Settings(**{**settings.__dict__, "database_url": url}))
    yield app
    app.extensions[SESSION_FACTORY_KEY].kw["bind"].dispose()


@pytest.fixture
def session(demo_app: Flask) -> Iterator[Session]:
    with demo_app.app_context():
        session: Session = demo_app.extensions[SESSION_FACTORY_KEY]()
        yield session
        session.close()


@pytest.mark.usefixtures("demo_app")
def test_messages_reach_the_outbox(session: Session, settings: Settings) -> None:
    campaign = make_campaign(session)
    sms = [make_message(session, campaign, make_volunteer(session)) for _ in range(2)]
    emails = [
        make_message(
            session,
            campaign,
            make_volunteer(session),
            channel=Channel.EMAIL,
            purpose=MessagePurpose.BROADCAST,
            body=f"Bonjour.\n{UNSUBSCRIBE_URL_TAG}",
        )
        for _ in range(2)
    ]
    refused = make_message(session, campaign, make_volunteer(session, consent=False))
    session.commit()
    ids = [m.id for m in [*sms, *emails, refused]]

    results = deliver_messages(session, ids, now=OPEN_NOON)

    assert [results[message_id].status for message_id in ids] == [
        MessageStatus.SENT,
        MessageStatus.SENT,
        MessageStatus.SENT,
        MessageStatus.SENT,
        MessageStatus.SUPPRESSED,
    ]
    rows = {m.id: m for m in session.scalars(select(Message).where(Message.id.in_(ids)))}
    # Sends run in parallel threads: the outbox's order is not the rows' order.
    stored = {record["reference"]: record for record in read_outbox(settings.outbox_path)}
    assert set(stored) == {rows[m.id].idempotency_key for m in [*sms, *emails]}
    for message in [*sms, *emails]:
        assert rows[message.id].provider_id == stored[rows[message.id].idempotency_key]["id"]
    links = [stored[rows[m.id].idempotency_key]["body"].split("\n")[1] for m in emails]
    assert all(link.startswith("http://127.0.0.1:5000/desinscription/") for link in links)
    assert links[0] != links[1]
    assert rows[refused.id].failure_reason == "no_consent"


@pytest.mark.usefixtures("demo_app")
def test_push_message_is_held_on_sunday(session: Session, settings: Settings) -> None:
    campaign = make_campaign(session)
    message = make_message(
        session, campaign, make_volunteer(session), purpose=MessagePurpose.BROADCAST
    )
    session.commit()

    results = deliver_messages(session, [message.id], now=SUNDAY_NOON)

    assert results == {message.id: DeliveryResult(MessageStatus.QUEUED, FollowUp.SEND, MONDAY_8)}
    assert session.scalar(select(Message.send_after).where(Message.id == message.id)) == MONDAY_8
    assert read_outbox(settings.outbox_path) == []


@pytest.mark.usefixtures("demo_app")
def test_broadcast_rows_are_written_once(session: Session) -> None:
    crew = seed_crew(session, date(2027, 3, 13))
    session.commit()
    draft = BroadcastDraft(
        channel=Channel.SMS,
        segment=Segment(SegmentKind.ALL),
        body="Tournee: porte-a-porte samedi. STOP au 36180",
        scheduled_at=datetime(2027, 3, 5, 9, 0, tzinfo=UTC),
    )

    creation = create_broadcast(
        session,
        crew.campaign.id,
        draft,
        submission_key="sqlite-form-0123456789",
        created_by_user_id=crew.coordinator.id,
        now=datetime(2027, 3, 1, 10, 0, tzinfo=UTC),
    )
    session.commit()

    rows = session.scalars(select(Message).where(Message.broadcast_id == creation.broadcast.id))
    keys = sorted(message.idempotency_key for message in rows)
    assert creation.broadcast.recipient_count == 4
    assert keys == sorted(
        f"broadcast:{creation.broadcast.id}:{crew.volunteers[name].id}:sms"
        for name in ("alice", "chloe", "david", "gina")
    )
