"""The SQL count of a broadcast's recipients, and its preparation job: once, whole, or not at all.

Jobs go through Redis (`is_queue_synchronous` off) so the tests can see what each step
enqueues. The preparation runs in this process, as a worker runs it.
"""

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta

import pytest
from flask import Flask
from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy import select
from sqlalchemy.orm import Session

from messaging.queues import DEFAULT_QUEUE, MESSAGES_QUEUE
from tests.factories import at_utc, make_campaign, make_consents
from tests.webapp.broadcasts.crew import Crew, add_person, seed_crew
from tests.webapp.services.delivery_support import clean_redis
from webapp.db import utcnow
from webapp.jobs.broadcasts import prepare_broadcast_job
from webapp.models import Broadcast, Message, Suppression
from webapp.models.messaging import BroadcastStatus
from webapp.models.users import Channel
from webapp.services import broadcast_preparation
from webapp.services.broadcast_drafts import BroadcastDraft, estimate_broadcast
from webapp.services.broadcast_reach import count_recipients
from webapp.services.broadcast_segments import Segment, SegmentKind, list_recipients
from webapp.services.broadcasts import create_broadcast
from webapp.services.erasure import erase_person
from webapp.settings import Settings

FIRST_DAY = date(2027, 3, 13)
NOW = at_utc(2027, 3, 1, 10)
KEY = "prepare-key-0123456789abcdef"
GSM_TEXT = "Tournee: porte-a-porte samedi. STOP au 36180"
EVERYONE = Segment(SegmentKind.ALL)

EXTRA_NAMES = ["hugo", "ines", "jules", "karim", "lea", "marc", "oscar", "paul"]
# Who each channel reaches among the crew and the extra volunteers of `tricky_crew`.
EXPECTED = {
    Channel.SMS: ["alice", "chloe", "david", "gina", "ines", "marc"],
    Channel.EMAIL: [
        "alice",
        "bruno",
        "david",
        "emma",
        "gina",
        "hugo",
        "ines",
        "jules",
        "karim",
        "lea",
    ],
}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The base test settings, with jobs going through Redis."""
    return replace(settings, is_queue_synchronous=False)


@pytest.fixture
def redis_connection() -> Iterator[Redis]:
    yield from clean_redis()


@pytest.fixture
def crew(db_session: Session) -> Crew:
    crew = seed_crew(db_session, FIRST_DAY)
    db_session.commit()
    return crew


def tricky_crew(app: Flask, db_session: Session, crew: Crew) -> dict[str, int]:
    """Add volunteers on the edges of the rule; return every volunteer's id by name.

    Hugo withdrew his SMS consent, Ines granted hers after a refusal, Jules has no phone
    and Karim an empty one. Léa's number is suppressed everywhere, and her e-mail only
    for another campaign. Marc's number is suppressed for another campaign, his e-mail
    for this one. Oscar's account is disabled, and Paul was erased.
    """
    other = make_campaign(db_session, name="Autre campagne")
    phones = {"jules": None, "karim": ""}
    people = {}
    for index, name in enumerate(EXTRA_NAMES):
        phone = phones.get(name, f"+3361234570{index}")
        people[name] = add_person(db_session, crew.campaign, name=name, phone_e164=phone)
        make_consents(db_session, user=people[name], email=name != "ines", sms=name != "ines")
    make_consents(db_session, user=people["hugo"], email=True, sms=False, source="profile")
    make_consents(db_session, user=people["ines"], email=True, sms=True, source="profile")
    people["oscar"].is_enabled = False
    suppressions = [
        (None, Channel.SMS, people["lea"].phone_e164),
        (other.id, Channel.EMAIL, people["lea"].email),
        (other.id, Channel.SMS, people["marc"].phone_e164),
        (crew.campaign.id, Channel.EMAIL, people["marc"].email),
    ]
    for campaign_id, channel, address in suppressions:
        db_session.add(
            Suppression(campaign_id=campaign_id, channel=channel, address=address, reason="stop")
        )
    db_session.commit()
    paul_id = people.pop("paul").id
    with app.app_context():
        erase_person(db_session, paul_id)
    db_session.commit()
    return {name: user.id for name, user in {**crew.volunteers, **people}.items()}


def create(app: Flask, db_session: Session, draft: BroadcastDraft, crew: Crew) -> Broadcast:
    """Create the broadcast and commit, which enqueues its preparation."""
    with app.app_context():
        creation = create_broadcast(
            db_session,
            crew.campaign.id,
            draft,
            submission_key=KEY,
            created_by_user_id=crew.coordinator.id,
            now=NOW,
        )
        db_session.commit()
    return creation.broadcast


def prepare(app: Flask, broadcast_id: int) -> str:
    with app.app_context():
        return prepare_broadcast_job(broadcast_id)


def run_default_queue(app: Flask, connection: Redis) -> None:
    """Run the jobs waiting on the default queue only, as a worker of that queue does."""
    with app.app_context():
        queue = Queue(DEFAULT_QUEUE, connection=connection)
        SimpleWorker([queue], connection=connection).work(burst=True)


def draft_for(channel: Channel) -> BroadcastDraft:
    subject = "Nouvelles" if channel == Channel.EMAIL else ""
    return BroadcastDraft(channel=channel, segment=EVERYONE, body=GSM_TEXT, subject=subject)


@pytest.mark.usefixtures("redis_connection")
@pytest.mark.parametrize("channel", [Channel.SMS, Channel.EMAIL])
def test_count_equals_rows_written(
    app: Flask, db_session: Session, crew: Crew, settings: Settings, channel: Channel
) -> None:
    ids = tricky_crew(app, db_session, crew)
    names = {user_id: name for name, user_id in ids.items()}
    counted = count_recipients(db_session, crew.campaign.id, channel, EVERYONE, NOW)
    estimate = estimate_broadcast(
        db_session, crew.campaign.id, draft_for(channel), now=NOW, settings=settings
    )
    listed = list_recipients(db_session, crew.campaign.id, channel, EVERYONE, NOW)

    broadcast = create(app, db_session, draft_for(channel), crew)
    stored_count = broadcast.recipient_count
    prepare(app, broadcast.id)

    db_session.refresh(broadcast)
    written = db_session.scalars(
        select(Message.user_id).where(Message.broadcast_id == broadcast.id).order_by(Message.id)
    ).all()
    assert [names[user_id] for user_id in written] == EXPECTED[channel]
    assert counted == len(EXPECTED[channel])
    assert estimate.recipient_count == len(EXPECTED[channel])
    assert [names[recipient.user_id] for recipient in listed] == EXPECTED[channel]
    assert stored_count == len(EXPECTED[channel])
    assert broadcast.recipient_count == len(EXPECTED[channel])


def test_request_stores_preparing_and_enqueues_the_job(
    app: Flask, db_session: Session, crew: Crew, redis_connection: Redis
) -> None:
    broadcast = create(app, db_session, draft_for(Channel.SMS), crew)

    assert (broadcast.status, broadcast.recipient_count) == (BroadcastStatus.PREPARING, 4)
    assert db_session.scalars(select(Message)).all() == []
    default = Queue(DEFAULT_QUEUE, connection=redis_connection)
    assert default.get_job_ids() == [f"prepare-broadcast-{broadcast.id}"]
    assert Queue(MESSAGES_QUEUE, connection=redis_connection).count == 0


def test_job_run_twice_prepares_once(
    app: Flask, db_session: Session, crew: Crew, redis_connection: Redis
) -> None:
    broadcast = create(app, db_session, draft_for(Channel.SMS), crew)

    first = prepare(app, broadcast.id)
    second = prepare(app, broadcast.id)
    run_default_queue(app, redis_connection)

    assert (first, second) == ("4 messages, sending", "nothing to prepare")
    db_session.refresh(broadcast)
    assert (broadcast.status, broadcast.recipient_count) == (BroadcastStatus.SENDING, 4)
    message_ids = db_session.scalars(select(Message.id).order_by(Message.id)).all()
    assert len(message_ids) == 4
    messages = Queue(MESSAGES_QUEUE, connection=redis_connection)
    [job_id] = messages.get_job_ids()
    assert messages.count == 1
    assert messages.fetch_job(job_id).args == (list(message_ids),)  # type: ignore[union-attr]


def test_scheduled_broadcast_is_prepared_as_scheduled(
    app: Flask, db_session: Session, crew: Crew, redis_connection: Redis
) -> None:
    scheduled_at = utcnow() + timedelta(days=2)
    draft = replace(draft_for(Channel.SMS), scheduled_at=scheduled_at)
    with app.app_context():
        creation = create_broadcast(
            db_session,
            crew.campaign.id,
            draft,
            submission_key=KEY,
            created_by_user_id=crew.coordinator.id,
        )
        db_session.commit()

    assert prepare(app, creation.broadcast.id) == "4 messages, scheduled"

    messages = Queue(MESSAGES_QUEUE, connection=redis_connection)
    assert messages.count == 0
    [job_id] = messages.scheduled_job_registry.get_job_ids()
    assert messages.scheduled_job_registry.get_scheduled_time(job_id) == scheduled_at.replace(
        microsecond=0
    )


def test_killed_job_leaves_nothing_written(
    app: Flask,
    db_session: Session,
    crew: Crew,
    redis_connection: Redis,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    broadcast = create(app, db_session, draft_for(Channel.SMS), crew)
    real_insert = broadcast_preparation.insert_broadcast_messages

    def insert_then_die(*args: object, **kwargs: object) -> list[int]:
        real_insert(*args, **kwargs)  # type: ignore[arg-type]
        raise RuntimeError("worker killed after the INSERT")

    monkeypatch.setattr(broadcast_preparation, "insert_broadcast_messages", insert_then_die)

    with pytest.raises(RuntimeError):
        prepare(app, broadcast.id)

    db_session.refresh(broadcast)
    assert (broadcast.status, broadcast.recipient_count) == (BroadcastStatus.PREPARING, 4)
    assert db_session.scalars(select(Message)).all() == []
    assert Queue(MESSAGES_QUEUE, connection=redis_connection).count == 0
    monkeypatch.setattr(broadcast_preparation, "insert_broadcast_messages", real_insert)
    assert prepare(app, broadcast.id) == "4 messages, sending"
    assert len(db_session.scalars(select(Message)).all()) == 4


def test_rolled_back_request_enqueues_nothing(
    app: Flask, db_session: Session, crew: Crew, redis_connection: Redis
) -> None:
    with app.app_context():
        create_broadcast(
            db_session,
            crew.campaign.id,
            draft_for(Channel.SMS),
            submission_key=KEY,
            created_by_user_id=crew.coordinator.id,
            now=NOW,
        )
        db_session.rollback()
        # A later commit of the same session must not run the dropped hook.
        db_session.commit()

    assert db_session.scalars(select(Broadcast)).all() == []
    assert Queue(DEFAULT_QUEUE, connection=redis_connection).count == 0
    assert redis_connection.keys("rq:job:prepare-broadcast-*") == []


def test_broadcast_gone_is_nothing_to_prepare(
    app: Flask, db_session: Session, crew: Crew, redis_connection: Redis
) -> None:
    assert prepare(app, 999_999) == "nothing to prepare"


def test_redis_down_leaves_it_to_the_sweeper(
    app: Flask,
    db_session: Session,
    crew: Crew,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Nothing listens on port 1 of the loopback: the connection is refused at once.
    app.extensions["tournee.settings"] = replace(settings, redis_url="redis://127.0.0.1:1/0")

    broadcast = create(app, db_session, draft_for(Channel.SMS), crew)

    db_session.refresh(broadcast)
    assert broadcast.status == BroadcastStatus.PREPARING
    assert f"Enqueueing the preparation of broadcast {broadcast.id} failed" in caplog.text
