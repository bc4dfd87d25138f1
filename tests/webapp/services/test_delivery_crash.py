"""Workers killed with SIGKILL at random moments, and a lost queue, while thousands of
messages go out: the provider gets each message exactly once and every row ends with an
outcome.

The workers are real processes on the committed test database and Redis db 15; the
fake provider runs in this process. The sweeper runs in between, with a short stale
claim so that the test does not wait two minutes for each crash.
"""

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from redis import Redis
from rq import Queue
from rq.scheduler import RQScheduler
from sqlalchemy import func, insert, select
from sqlalchemy.engine import Engine

from messaging.queues import MESSAGES_QUEUE
from tests.fakes.provider_server import FakeProviderServer
from tests.webapp.services.delivery_support import (
    CommittedApp,
    clean_redis,
    committed_app,
    make_campaign,
    provider_settings,
)
from webapp.jobs.dispatch import enqueue_messages
from webapp.jobs.sweeper import sweep
from webapp.models import Consent, Message, User
from webapp.models.messaging import MessagePurpose, MessageStatus
from webapp.models.users import Channel, ConsentPurpose
from webapp.settings import Settings

ROOT = Path(__file__).resolve().parents[3]
RECIPIENTS = 2000
WORKERS = 4
KILLS = 24
SEND_RATE_PER_S = 5000.0
STALE_AFTER = timedelta(seconds=3)
RECOVERY_LIMIT_S = 150
FINAL = {MessageStatus.SENT, MessageStatus.FAILED, MessageStatus.SUPPRESSED}


@pytest.fixture
def redis_connection() -> Iterator[Redis]:
    yield from clean_redis()


@pytest.fixture
def live(
    settings: Settings,
    provider_server: FakeProviderServer,
    database_engine: Engine,
    redis_connection: Redis,
) -> Iterator[CommittedApp]:
    yield from committed_app(provider_settings(settings, provider_server), database_engine)


class Workers:
    """Worker processes forked from one parent that reads the production environment."""

    def __init__(self, settings: Settings, log_path: Path) -> None:
        environment = {
            **os.environ,
            "TOURNEE_ENVIRONMENT": "test",
            "TOURNEE_SECRET_KEY": settings.secret_key,
            "TOURNEE_DATABASE_URL": settings.database_url,
            "TOURNEE_REDIS_URL": settings.redis_url,
            "TOURNEE_IS_QUEUE_SYNCHRONOUS": "false",
            "TOURNEE_PUBLIC_BASE_URL": settings.public_base_url,
            "TOURNEE_MESSAGE_BACKEND": "providers",
            "TOURNEE_TWILIO_ACCOUNT_SID": settings.twilio_account_sid,
            "TOURNEE_TWILIO_AUTH_TOKEN": settings.twilio_auth_token,
            "TOURNEE_TWILIO_API_BASE_URL": settings.twilio_api_base_url,
            "TOURNEE_SENDGRID_API_KEY": settings.sendgrid_api_key,
            "TOURNEE_SENDGRID_API_HOST": settings.sendgrid_api_host,
            "TOURNEE_OUTBOX_PATH": str(log_path.parent / "outbox.jsonl"),
        }
        self.log = log_path.open("ab")
        self.parent = subprocess.Popen(  # noqa: S603 - fixed arguments
            [
                sys.executable,
                "-m",
                "tests.webapp.services.delivery_crash_worker",
                str(SEND_RATE_PER_S),
                str(STALE_AFTER.total_seconds()),
            ],
            cwd=ROOT,
            env=environment,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
        )
        self.started_at: dict[int, float] = {}
        self.killed = 0

    def start(self) -> None:
        assert self.parent.stdin is not None and self.parent.stdout is not None
        self.parent.stdin.write(b"spawn\n")
        self.parent.stdin.flush()
        self.started_at[int(self.parent.stdout.readline())] = time.monotonic()

    def kill_one(self, rng: random.Random) -> None:
        """Kill a worker that has had time to start sending."""
        settled = [pid for pid, at in self.started_at.items() if time.monotonic() - at > 1.5]
        victim = rng.choice(settled or list(self.started_at))
        os.kill(victim, signal.SIGKILL)
        del self.started_at[victim]
        self.killed += 1

    def stop(self) -> None:
        for pid in self.started_at:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        assert self.parent.stdin is not None and self.parent.stdout is not None
        self.parent.stdin.close()
        self.parent.stdout.close()
        self.parent.kill()
        self.parent.wait()
        self.log.close()


def add_recipients(live: CommittedApp, provider_server: FakeProviderServer) -> dict[str, set[int]]:
    """Add one message per recipient; a few numbers are invalid, a few lack consent.

    Rows go in with a few multi-row inserts: thousands of ORM flushes would take longer
    than the test itself.
    """
    plan = [
        (index, _group_of(index), Channel.EMAIL if index % 10 == 0 else Channel.SMS)
        for index in range(RECIPIENTS)
    ]
    with live.app.app_context():
        session = live.session()
        campaign_id = make_campaign(session).id
        user_ids = session.scalars(
            insert(User).returning(User.id, sort_by_parameter_order=True),
            [
                {
                    "email": f"crash{index}@example.org",
                    "password_hash": "x",
                    "first_name": "Alice",
                    "last_name": "Exemple",
                    "phone_e164": f"+3363{index:07d}",
                }
                for index, _group, _channel in plan
            ],
        ).all()
        session.execute(
            insert(Consent),
            [
                {
                    "user_id": user_id,
                    "purpose": ConsentPurpose.CANVASS_MESSAGES,
                    "channel": channel,
                    "is_granted": group != "no_consent",
                    "wording_version": "test",
                    "source": "test",
                }
                for user_id, (_index, group, _channel) in zip(user_ids, plan, strict=True)
                for channel in (Channel.EMAIL, Channel.SMS)
            ],
        )
        message_ids = session.scalars(
            insert(Message).returning(Message.id, sort_by_parameter_order=True),
            [
                {
                    "campaign_id": campaign_id,
                    "user_id": user_id,
                    "idempotency_key": f"crash:{index}",
                    "channel": channel,
                    "purpose": MessagePurpose.SESSION_REMINDER,
                    "recipient": _address(index, channel),
                    "subject": "Rappel" if channel == Channel.EMAIL else "",
                    "body": f"Rappel : session samedi à 9 h 30, parcours {index}.",
                }
                for user_id, (index, _group, channel) in zip(user_ids, plan, strict=True)
            ],
        ).all()
        session.commit()
        session.close()
    groups: dict[str, set[int]] = {"sent": set(), "invalid": set(), "no_consent": set()}
    for message_id, (index, group, channel) in zip(message_ids, plan, strict=True):
        groups[group].add(message_id)
        if group == "invalid" and channel == Channel.SMS:
            provider_server.fail_recipient(_address(index, channel), status=400, code=21211)
        elif group == "invalid":
            provider_server.fail_recipient(
                _address(index, channel), status=400, field="personalizations.0.to.0.email"
            )
    return groups


def _group_of(index: int) -> str:
    """Return what should happen to recipient `index`: about 1 % each invalid, no consent."""
    if index % 97 == 0:
        return "invalid"
    if index % 89 == 0:
        return "no_consent"
    return "sent"


def _address(index: int, channel: Channel) -> str:
    return f"crash{index}@example.org" if channel == Channel.EMAIL else f"+3363{index:07d}"


def recover(live: CommittedApp, connection: Redis) -> None:
    """Sweep as the cron line does, and move due scheduled jobs as RQ's scheduler does."""
    with live.app.app_context():
        session = live.session()
        sweep(session, live.settings, now=datetime.now(UTC), stale_after=STALE_AFTER)
        session.close()
    scheduler = RQScheduler([Queue(MESSAGES_QUEUE, connection=connection)], connection=connection)
    scheduler.enqueue_scheduled_jobs()  # type: ignore[no-untyped-call]


def unfinished(live: CommittedApp) -> int:
    with live.app.app_context():
        session = live.session()
        count = session.scalar(
            select(func.count(Message.id)).where(Message.status.not_in(list(FINAL)))
        )
        session.close()
    return int(count or 0)


def test_killed_workers_neither_lose_nor_repeat_a_message(
    live: CommittedApp,
    provider_server: FakeProviderServer,
    redis_connection: Redis,
    tmp_path: Path,
) -> None:
    rng = random.Random(20260315)
    groups = add_recipients(live, provider_server)
    with live.app.app_context():
        session = live.session()
        ids = list(session.scalars(select(Message.id).order_by(Message.id)))
        session.close()
    enqueue_messages(live.settings, [(message_id, None) for message_id in ids])
    workers = Workers(live.settings, tmp_path / "workers.log")
    try:
        for _ in range(WORKERS):
            workers.start()
        while workers.killed < KILLS:
            time.sleep(rng.uniform(0.3, 1.5))
            workers.kill_one(rng)
            workers.start()
            if workers.killed == KILLS // 2:
                # Redis loses the queue once; the rows are still there.
                redis_connection.delete(Queue(MESSAGES_QUEUE, connection=redis_connection).key)
            if workers.killed % 4 == 0:
                recover(live, redis_connection)
        deadline = time.monotonic() + RECOVERY_LIMIT_S
        while unfinished(live) and time.monotonic() < deadline:
            time.sleep(1.0)
            recover(live, redis_connection)
    finally:
        workers.stop()

    assert workers.killed == KILLS
    assert unfinished(live) == 0
    with live.app.app_context():
        session = live.session()
        rows = {message.id: message for message in session.scalars(select(Message))}
        session.close()
    accepted = Counter((message.channel, message.to) for message in provider_server.accepted)
    attempts = Counter(
        request.body["To"]
        if "To" in request.body
        else request.body["personalizations"][0]["to"][0]["email"]
        for request in provider_server.send_requests
    )
    wrong: list[str] = []
    for message_id, message in rows.items():
        expected: tuple[MessageStatus, str | None, int, int]
        if message_id in groups["sent"]:
            expected = (MessageStatus.SENT, None, 1, 1)
        elif message_id in groups["invalid"]:
            # Refused, so never accepted; a worker killed before it recorded the refusal
            # leaves a claim the provider does not hold, and the refusal comes again.
            expected = (
                MessageStatus.FAILED,
                "invalid_recipient",
                0,
                max(1, attempts[message.recipient]),
            )
        else:
            expected = (MessageStatus.SUPPRESSED, "no_consent", 0, 0)
        actual = (
            message.status,
            message.failure_reason,
            accepted[(str(message.channel), message.recipient)],
            attempts[message.recipient],
        )
        if actual != expected:
            wrong.append(f"{message_id}: {actual} instead of {expected}")
        if message.status == MessageStatus.SENT and not message.provider_id:
            wrong.append(f"{message_id}: sent without a provider id")
    assert wrong == []
    assert len(groups["sent"]) + len(groups["invalid"]) + len(groups["no_consent"]) == RECIPIENTS
