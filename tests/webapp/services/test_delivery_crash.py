"""Workers killed with SIGKILL at random moments, and Redis restarted empty, while ten
thousand messages go out: the provider gets each message exactly once and every row
ends with an outcome.

The workers are real processes on the committed test database and on a redis-server
that this test starts for itself on a free port. The fake provider runs in this
process. The sweeper runs in between, with a short stale claim, so that the test does
not wait two minutes after each crash, and so does RQ's scheduler, which moves the
retries and follow-ups that have come due to the queue. E-mails share one text, so they
go out a request for many recipients, and a kill can leave a whole request's rows in
sending.
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
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from redis import Redis
from rq import Queue
from rq.scheduler import RQScheduler
from sqlalchemy import func, insert, select
from sqlalchemy.engine import Engine

from messaging.queues import MESSAGES_QUEUE
from tests.fakes.provider_server import FakeProviderServer
from tests.redis_process import RedisServerProcess
from tests.webapp.services.delivery_support import (
    CommittedApp,
    committed_app,
    make_campaign,
    make_message,
    make_volunteer,
    provider_settings,
    run_worker,
    worker_environment,
)
from webapp.jobs.dispatch import enqueue_messages, send_job_id
from webapp.jobs.messages import send_messages
from webapp.jobs.sweeper import sweep
from webapp.models import Consent, Message, User
from webapp.models.messaging import MessagePurpose, MessageStatus
from webapp.models.users import Channel, ConsentPurpose
from webapp.settings import Settings

ROOT = Path(__file__).resolve().parents[3]
RECIPIENTS = 10_000
WORKERS = 4
KILLS = 24
# Redis is restarted, losing every key, right after this kill.
RESTART_AFTER_KILL = 12
# Slow enough that the sending outlasts the kills.
SEND_RATE_PER_S = 400.0
STALE_AFTER = timedelta(seconds=3)
# Rows settle in seconds in most runs, but the product's own waits can keep some for
# minutes. A lookup is tried again a minute later while a live worker has the address
# locked, and a transient failure waits up to 30 s, then up to 60 s, 120 s and so on. RQ
# runs a send job again 30 s after it raised, as when Redis went away under it.
RECOVERY_LIMIT_S = 600
FINAL = {MessageStatus.SENT, MessageStatus.FAILED, MessageStatus.SUPPRESSED}
EMAIL_BODY = "Rappel : session samedi à 9 h 30, parvis de la mairie."


@pytest.fixture
def redis_server() -> Iterator[RedisServerProcess]:
    with RedisServerProcess() as server:
        yield server


@pytest.fixture
def redis_connection(redis_server: RedisServerProcess) -> Iterator[Redis]:
    connection = Redis.from_url(redis_server.url)
    yield connection
    connection.close()


@pytest.fixture
def live(
    settings: Settings,
    provider_server: FakeProviderServer,
    database_engine: Engine,
    redis_server: RedisServerProcess,
) -> Iterator[CommittedApp]:
    yield from committed_app(
        provider_settings(settings, provider_server, redis_url=redis_server.url + "/0"),
        database_engine,
    )


class Workers:
    """Worker processes forked from one parent that reads the production environment."""

    def __init__(self, settings: Settings, log_path: Path) -> None:
        outbox = log_path.parent / "outbox.jsonl"
        environment = worker_environment(
            replace(
                settings,
                outbox_path=outbox,
                sms_rate_per_s=SEND_RATE_PER_S,
                email_rate_per_s=SEND_RATE_PER_S,
            )
        )
        self.log = log_path.open("ab")
        self.parent = subprocess.Popen(  # noqa: S603 - fixed arguments
            [
                sys.executable,
                "-m",
                "tests.webapp.services.delivery_crash_worker",
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

    def replace_dead(self) -> None:
        """Start a new worker for each one that exited on its own (Redis went away)."""
        for pid in list(self.started_at):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                del self.started_at[pid]
                self.start()

    def kill_one(self, rng: random.Random) -> None:
        """Kill a worker that has had time to start sending.

        A worker that exited on its own since the last look is replaced, and another
        one is picked.
        """
        while True:
            settled = [pid for pid, at in self.started_at.items() if time.monotonic() - at > 1.5]
            victim = rng.choice(settled or list(self.started_at))
            del self.started_at[victim]
            try:
                os.kill(victim, signal.SIGKILL)
            except ProcessLookupError:
                self.start()
                continue
            self.killed += 1
            return

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
                    "body": _body(index, channel),
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


def _body(index: int, channel: Channel) -> str:
    return EMAIL_BODY if channel == Channel.EMAIL else f"Rappel : samedi 9 h 30, parcours {index}."


def _address(index: int, channel: Channel) -> str:
    return f"crash{index}@example.org" if channel == Channel.EMAIL else f"+3363{index:07d}"


def recover(live: CommittedApp, connection: Redis) -> None:
    """Sweep as the cron line does, and move due scheduled jobs as RQ's scheduler does."""
    with live.app.app_context():
        session = live.session()
        sweep(session, live.settings, now=datetime.now(UTC), stale_after=STALE_AFTER)
        session.close()
    move_due_jobs(connection)


def move_due_jobs(connection: Redis) -> None:
    """Move the messages queue's scheduled jobs that have come due to the queue.

    RQ's scheduler (RQ 2.12) only moves the jobs of the queues whose lock it holds, so
    it takes the lock and releases it. The sweep leaves the rows of a scheduled job to
    that job, so without the lock they would stay queued for good.
    """
    scheduler = RQScheduler([Queue(MESSAGES_QUEUE, connection=connection)], connection=connection)
    locked = scheduler.acquire_locks()  # type: ignore[no-untyped-call]
    assert locked == {MESSAGES_QUEUE}, "another scheduler holds the lock"
    try:
        scheduler.enqueue_scheduled_jobs()  # type: ignore[no-untyped-call]
    finally:
        scheduler.release_locks()  # type: ignore[no-untyped-call]


def unfinished(live: CommittedApp) -> int:
    with live.app.app_context():
        session = live.session()
        count = session.scalar(
            select(func.count(Message.id)).where(Message.status.not_in(list(FINAL)))
        )
        session.close()
    return int(count or 0)


def unfinished_rows(live: CommittedApp) -> str:
    """Describe the rows without an outcome, grouped, for a failed assertion."""
    with live.app.app_context():
        session = live.session()
        rows = session.execute(
            select(
                Message.status, Message.channel, Message.attempts, Message.last_error, func.count()
            )
            .where(Message.status.not_in(list(FINAL)))
            .group_by(Message.status, Message.channel, Message.attempts, Message.last_error)
        ).all()
        session.close()
    return "; ".join(
        f"{count} {status} {channel} after {attempts} attempts ({error})"
        for status, channel, attempts, error, count in rows
    )


def crash_while_sending(
    live: CommittedApp, workers: Workers, redis_server: RedisServerProcess, connection: Redis
) -> None:
    """Kill a worker at random moments, restart Redis once, then recover until done."""
    rng = random.Random(20260315)
    for _ in range(WORKERS):
        workers.start()
    while workers.killed < KILLS:
        time.sleep(rng.uniform(0.3, 1.5))
        workers.kill_one(rng)
        workers.start()
        if workers.killed == RESTART_AFTER_KILL:
            redis_server.restart()
        workers.replace_dead()
        if workers.killed % 4 == 0:
            recover(live, connection)
    deadline = time.monotonic() + RECOVERY_LIMIT_S
    while unfinished(live) and time.monotonic() < deadline:
        time.sleep(1.0)
        workers.replace_dead()
        recover(live, connection)


def wrong_outcomes(
    live: CommittedApp, provider_server: FakeProviderServer, groups: dict[str, set[int]]
) -> list[str]:
    """Describe every row whose outcome, or whose sends to the provider, are not expected."""
    with live.app.app_context():
        session = live.session()
        rows = {message.id: message for message in session.scalars(select(Message))}
        session.close()
    accepted = Counter((message.channel, message.to) for message in provider_server.accepted)
    attempts = Counter(
        recipient
        for request in provider_server.send_requests
        for recipient in _recipients_of(request.body)
    )
    wrong: list[str] = []
    for message_id, message in rows.items():
        expected: tuple[MessageStatus, str | None, int, int]
        if message_id in groups["sent"] and message.channel == Channel.SMS:
            expected = (MessageStatus.SENT, None, 1, 1)
        elif message_id in groups["sent"]:
            # An e-mail also goes out again with the rest of a request that SendGrid
            # refused for another recipient's address.
            expected = (MessageStatus.SENT, None, 1, max(1, attempts[message.recipient]))
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
    return wrong


def test_killed_workers_neither_lose_nor_repeat_a_message(
    live: CommittedApp,
    provider_server: FakeProviderServer,
    redis_server: RedisServerProcess,
    redis_connection: Redis,
    tmp_path: Path,
) -> None:
    groups = add_recipients(live, provider_server)
    with live.app.app_context():
        session = live.session()
        ids = list(session.scalars(select(Message.id).order_by(Message.id)))
        session.close()
    enqueue_messages(live.settings, [(message_id, None) for message_id in ids])
    workers = Workers(live.settings, tmp_path / "workers.log")
    try:
        crash_while_sending(live, workers, redis_server, redis_connection)
    finally:
        workers.stop()

    assert workers.killed == KILLS
    assert redis_server.restarts == 1
    assert unfinished(live) == 0, unfinished_rows(live)
    assert wrong_outcomes(live, provider_server, groups) == []
    assert len(groups["sent"]) + len(groups["invalid"]) + len(groups["no_consent"]) == RECIPIENTS


def test_recovery_runs_due_retry(live: CommittedApp, redis_connection: Redis) -> None:
    """A send job's retry that has come due goes to the queue, and its message goes out.

    RQ schedules the retry of a send job that raised, and the sweep leaves the job's
    rows to that retry.
    """
    with live.app.app_context():
        session = live.session()
        message_id = make_message(session, make_campaign(session), make_volunteer(session)).id
        session.commit()
        session.close()
    queue = Queue(MESSAGES_QUEUE, connection=redis_connection)
    retry = queue.enqueue_at(
        datetime.now(UTC) - timedelta(seconds=1),
        send_messages,
        [message_id],
        job_id=send_job_id(message_id, "retry"),
    )

    recover(live, redis_connection)

    assert queue.get_job_ids() == [retry.id]
    assert queue.scheduled_job_registry.get_job_ids() == []
    run_worker(live.app, redis_connection)
    with live.app.app_context():
        session = live.session()
        message = session.get(Message, message_id)
        assert message is not None
        assert message.status == MessageStatus.SENT
        session.close()


def _recipients_of(body: Any) -> list[str]:
    """Return the recipients a send request names: Twilio's `To`, SendGrid's addresses."""
    if "To" in body:
        return [str(body["To"])]
    return [str(item["to"][0]["email"]) for item in body.get("personalizations") or []]
