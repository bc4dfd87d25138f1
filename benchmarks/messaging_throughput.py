"""Measure the cost of sending messages: platform overhead, one worker's pace, the rate cap.

Run by hand against PostgreSQL and Redis on 127.0.0.1:
`.venv/bin/python -m benchmarks.messaging_throughput [--messages 500] [--rate 20]`.

1. Platform overhead: `deliver_message` with a sender that returns at once, so the
   figure is the database work and the send-time rules per message (CPU and wall).
2. One worker: an RQ `SimpleWorker` sending through the real Twilio SDK to the fake
   provider on 127.0.0.1, without rate limit: messages per second.
3. Rate cap: two workers with the shared limit set to `--rate` messages per second;
   the pace the provider observes is compared with the limit.

The database (`--database-url`) is dropped and migrated again; Redis db `--redis-db`
is flushed. Never point them at data you keep.
"""

import argparse
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryDirectory

from redis import Redis
from rq import Queue, SimpleWorker
from rq.timeouts import TimerDeathPenalty
from sqlalchemy import insert

from benchmarks.databases import reset_database
from messaging.providers.factory import Senders
from messaging.queues import MESSAGES_QUEUE
from tests.fakes.provider_server import FakeProviderServer
from webapp import create_app
from webapp.db import SESSION_FACTORY_KEY
from webapp.jobs import messages as message_jobs
from webapp.jobs.dispatch import enqueue_messages
from webapp.models import Campaign, Consent, Message, User
from webapp.models.messaging import MessagePurpose
from webapp.models.users import Channel, ConsentPurpose
from webapp.services.delivery import deliver_message
from webapp.settings import Settings

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/tournee_bench_messaging"


class InstantSender:
    """A sender that accepts everything at once, to leave only the platform's own work."""

    def __init__(self) -> None:
        self.count = 0

    def send_sms(self, *, to: str, body: str, sender: str, reference: str) -> str:
        self.count += 1
        return f"SM{self.count:032d}"

    def send_email(self, **_fields: object) -> str:
        self.count += 1
        return f"em{self.count}"

    def find_sms(self, **_fields: object) -> tuple[str, ...]:
        return ()

    def find_email(self, **_fields: object) -> tuple[str, ...]:
        return ()


class ThreadWorker(SimpleWorker):
    """A SimpleWorker that runs outside the main thread: timer timeouts, no signals."""

    death_penalty_class = TimerDeathPenalty

    def _install_signal_handlers(self) -> None:
        """Leave signals to the main thread."""


@dataclass(frozen=True)
class Figures:
    label: str
    value: str


def add_messages(settings: Settings, count: int, tag: str) -> list[int]:
    """Add `count` consenting volunteers with one SMS each; return the message ids."""
    app = create_app(settings)
    session = app.extensions[SESSION_FACTORY_KEY]()
    campaign = Campaign(
        name=f"Bench {tag}", election_kind="municipales", commune_codes=[], our_candidates=[]
    )
    session.add(campaign)
    session.flush()
    user_ids = session.scalars(
        insert(User).returning(User.id, sort_by_parameter_order=True),
        [
            {
                "email": f"{tag}{index}@example.org",
                "password_hash": "x",
                "first_name": "A",
                "last_name": "B",
                "phone_e164": f"+3364{index:07d}",
            }
            for index in range(count)
        ],
    ).all()
    session.execute(
        insert(Consent),
        [
            {
                "user_id": user_id,
                "purpose": ConsentPurpose.CANVASS_MESSAGES,
                "channel": Channel.SMS,
                "is_granted": True,
                "wording_version": "bench",
                "source": "bench",
            }
            for user_id in user_ids
        ],
    )
    ids = session.scalars(
        insert(Message).returning(Message.id, sort_by_parameter_order=True),
        [
            {
                "campaign_id": campaign.id,
                "user_id": user_id,
                "idempotency_key": f"{tag}:{index}",
                "channel": Channel.SMS,
                "purpose": MessagePurpose.SESSION_REMINDER,
                "recipient": f"+3364{index:07d}",
                "subject": "",
                "body": f"Rappel : session samedi à 9 h 30, parcours {index}.",
            }
            for index, user_id in enumerate(user_ids)
        ],
    ).all()
    session.commit()
    session.close()
    app.extensions[SESSION_FACTORY_KEY].kw["bind"].dispose()
    return list(ids)


def measure_overhead(settings: Settings, count: int) -> list[Figures]:
    """Deliver `count` messages in-process with an instant sender."""
    ids = add_messages(settings, count, "overhead")
    sender = InstantSender()
    senders = Senders(sms=sender, email=sender)
    app = create_app(settings)
    with app.app_context():
        session = app.extensions[SESSION_FACTORY_KEY]()
        wall = time.perf_counter()
        cpu = time.process_time()
        for message_id in ids:
            deliver_message(session, message_id, senders=senders)
        cpu = time.process_time() - cpu
        wall = time.perf_counter() - wall
        session.close()
    app.extensions[SESSION_FACTORY_KEY].kw["bind"].dispose()
    return [
        Figures("platform overhead per message (wall)", f"{1000 * wall / count:.2f} ms"),
        Figures(
            "platform overhead per message (CPU of this process)", f"{1000 * cpu / count:.2f} ms"
        ),
    ]


def run_workers(settings: Settings, connection: Redis, workers: int) -> None:
    app = create_app(settings)

    def work() -> None:
        with app.app_context():
            queue = Queue(MESSAGES_QUEUE, connection=connection)
            ThreadWorker([queue], connection=connection).work(burst=True, logging_level="ERROR")

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    app.extensions[SESSION_FACTORY_KEY].kw["bind"].dispose()


def send_times(server: FakeProviderServer) -> list[float]:
    return sorted(message.created_at.timestamp() for message in server.accepted)


def measure_worker(
    settings: Settings, connection: Redis, server: FakeProviderServer, count: int
) -> list[Figures]:
    """Time one worker sending through the real SDK to the fake provider, no rate limit."""
    ids = add_messages(settings, count, "worker")
    message_jobs.SEND_RATE_PER_S = 1_000_000.0
    enqueue_messages(settings, [(message_id, None) for message_id in ids])
    started = time.perf_counter()
    run_workers(settings, connection, 1)
    elapsed = time.perf_counter() - started
    assert len(server.accepted) == count, len(server.accepted)
    return [
        Figures("one worker, fake provider, no limit", f"{count / elapsed:.0f} messages/s"),
        Figures("  time per message", f"{1000 * elapsed / count:.2f} ms"),
    ]


def measure_rate(
    settings: Settings, connection: Redis, server: FakeProviderServer, count: int, rate: float
) -> list[Figures]:
    """Two workers held to `rate` messages per second by the shared limiter."""
    ids = add_messages(settings, count, "rate")
    message_jobs.SEND_RATE_PER_S = rate
    before = len(server.accepted)
    enqueue_messages(settings, [(message_id, None) for message_id in ids])
    run_workers(settings, connection, 2)
    times = send_times(server)[before:]
    observed = (len(times) - 1) / (times[-1] - times[0])
    return [
        Figures(
            f"two workers, limit {rate:g}/s, {len(times)} messages", f"{observed:.2f} messages/s"
        ),
        Figures("  observed / limit", f"{observed / rate:.3f}"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-db", type=int, default=14)
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--rate-messages", type=int, default=200)
    args = parser.parse_args()

    reset_database(args.database_url)
    redis_url = f"redis://127.0.0.1:6379/{args.redis_db}"
    connection = Redis.from_url(redis_url)
    connection.flushdb()
    with TemporaryDirectory() as folder, FakeProviderServer() as server:
        settings = Settings(
            environment="test",
            database_url=args.database_url,
            redis_url=redis_url,
            is_queue_synchronous=False,
            message_backend="providers",
            outbox_path=Path(folder) / "outbox.jsonl",
            twilio_account_sid="AC" + "0" * 32,
            twilio_auth_token="bench-token",  # noqa: S106 - the fake provider's
            twilio_api_base_url=server.base_url,
            sendgrid_api_key="SG.bench",
            sendgrid_api_host=server.base_url,
        )
        figures = measure_overhead(settings, args.messages)
        figures += measure_worker(settings, connection, server, args.messages)
        figures += measure_rate(settings, connection, server, args.rate_messages, args.rate)
    connection.flushdb()
    width = max(len(figure.label) for figure in figures)
    for figure in figures:
        print(f"{figure.label:<{width}}  {figure.value}")


if __name__ == "__main__":
    main()
