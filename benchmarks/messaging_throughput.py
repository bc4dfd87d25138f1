"""Measure the sending engine: a broadcast's preparation, platform overhead, workers' pace.

Run by hand against PostgreSQL on 127.0.0.1; the script starts its own redis-server:
`.venv/bin/python -m benchmarks.messaging_throughput [--recipients 1000000] [--profile]`.

1. Preparation: a broadcast to `--recipients` volunteers. The request's part (the SQL
   count, the timing check, the broadcast row and its commit) is timed apart from the
   preparation job's (rows written by one INSERT … SELECT, status, commit, send jobs
   enqueued), which runs in this process. Then come the rows, jobs and Redis memory
   used. A second run of the job, and of the fan-out, must add nothing.
2. Platform overhead: `deliver_messages` in this process with a sender that returns at
   once, so the figure is the database work and the send-time rules per message.
3. One worker process sending SMS through the real Twilio SDK to the fake provider,
   which runs in this process on 127.0.0.1, without rate limit. Then the same for
   e-mails through the real SendGrid SDK, a thousand recipients a request.
4. Rate cap: two worker processes with the shared limit at `--rate` messages per
   second; the pace the provider observes is compared with the limit.

The database (`--database-url`) is dropped and migrated again. Never point it at data
you keep.
"""

import argparse
import cProfile
import pstats
import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory
from types import ModuleType
from typing import Any

from redis import Redis
from rq import Queue
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from benchmarks.messaging_rig import (
    SMS_BODY,
    InstantSender,
    add_campaign,
    add_messages,
    add_volunteers,
    run_workers,
    unfinished,
)
from messaging.providers.factory import Senders
from messaging.queues import DEFAULT_QUEUE, MESSAGES_QUEUE
from tests.conftest import migrated_empty_database
from tests.fakes.provider_server import AcceptedMessage, FakeProviderServer
from tests.redis_process import RedisServerProcess
from webapp import create_app
from webapp.db import SESSION_FACTORY_KEY
from webapp.jobs.broadcasts import prepare_broadcast_job
from webapp.jobs.dispatch import enqueue_messages
from webapp.models import Broadcast, Message
from webapp.models.users import Channel
from webapp.services import broadcast_preparation as preparation_service
from webapp.services import broadcasts as broadcasts_service
from webapp.services.broadcast_fanout import insert_broadcast_messages
from webapp.services.broadcast_segments import Segment, SegmentKind
from webapp.services.broadcasts import BroadcastDraft, create_broadcast
from webapp.services.delivery import deliver_messages
from webapp.settings import Settings

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/tournee_bench_messaging"
NO_LIMIT_PER_S = 1_000_000.0


@dataclass(frozen=True)
class Figure:
    label: str
    value: str


def used_memory(connection: Redis) -> int:
    return int(connection.info("memory")["used_memory"])


@dataclass(frozen=True)
class Span:
    """Wall and CPU seconds of one step; `inner_s` is the part spent in one function."""

    wall_s: float
    cpu_s: float
    inner_s: float


@contextmanager
def timing_calls(module: ModuleType, name: str, spent: list[float]) -> Iterator[None]:
    """Append the wall time of each call of `module.name` to `spent` while the block runs."""
    original = getattr(module, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - started)

    setattr(module, name, timed)
    try:
        yield
    finally:
        setattr(module, name, original)


def time_request(session: Session, campaign_id: int, draft: BroadcastDraft) -> tuple[int, Span]:
    """Run the request's part: count, timing check, the broadcast row, its commit."""
    counting: list[float] = []
    with timing_calls(broadcasts_service, "count_recipients", counting):
        wall, cpu = time.perf_counter(), time.process_time()
        creation = create_broadcast(
            session,
            campaign_id,
            draft,
            submission_key="bench-broadcast-0001",
            created_by_user_id=None,
        )
        session.commit()
        span = Span(time.perf_counter() - wall, time.process_time() - cpu, sum(counting))
    return creation.broadcast.id, span


def time_job(broadcast_id: int) -> tuple[str, Span]:
    """Run the preparation job in this process: rows, status, commit, send jobs."""
    inserting: list[float] = []
    with timing_calls(preparation_service, "insert_broadcast_messages", inserting):
        wall, cpu = time.perf_counter(), time.process_time()
        outcome = prepare_broadcast_job(broadcast_id)
        span = Span(time.perf_counter() - wall, time.process_time() - cpu, sum(inserting))
    return outcome, span


def measure_preparation(
    settings: Settings, engine: Engine, connection: Redis, recipients: int
) -> list[Figure]:
    """Prepare one SMS broadcast to every volunteer of a campaign of `recipients`."""
    campaign_id = add_campaign(engine, "Bench broadcast")
    started = time.perf_counter()
    add_volunteers(engine, campaign_id, recipients, "broadcast")
    seeded_s = time.perf_counter() - started
    app = create_app(settings)
    draft = BroadcastDraft(channel=Channel.SMS, segment=Segment(SegmentKind.ALL), body=SMS_BODY)
    memory_before = used_memory(connection)
    with app.app_context():
        session: Session = app.extensions[SESSION_FACTORY_KEY]()
        broadcast_id, request = time_request(session, campaign_id, draft)
        preparations = Queue(DEFAULT_QUEUE, connection=connection).count
        outcome, job = time_job(broadcast_id)
        memory_delta = used_memory(connection) - memory_before
        rows = session.scalar(
            select(func.count(Message.id)).where(Message.broadcast_id == broadcast_id)
        )
        started = time.perf_counter()
        outcome_again = prepare_broadcast_job(broadcast_id)
        job_again_s = time.perf_counter() - started
        broadcast = session.get(Broadcast, broadcast_id, populate_existing=True)
        assert broadcast is not None
        started = time.perf_counter()
        again = insert_broadcast_messages(session, broadcast, datetime.now(UTC))
        session.commit()
        again_s = time.perf_counter() - started
        session.close()
    jobs = Queue(MESSAGES_QUEUE, connection=connection).count
    connection.flushall()
    app.extensions[SESSION_FACTORY_KEY].kw["bind"].dispose()
    return [
        Figure(f"seed {recipients:,} volunteers (not part of the target)", f"{seeded_s:.1f} s"),
        Figure("request: count, timing check, broadcast row", _span(request)),
        Figure("  of which SELECT count(*)", f"{request.inner_s:.2f} s"),
        Figure("  preparation jobs enqueued", f"{preparations}"),
        Figure("preparation job: rows, status and send jobs", _span(job)),
        Figure("  of which INSERT … SELECT", f"{job.inner_s:.1f} s"),
        Figure("  outcome", outcome),
        Figure("  rows", f"{rows:,}"),
        Figure("  send jobs", f"{jobs:,}"),
        Figure("  Redis used_memory delta", f"{memory_delta / 2**20:.1f} MiB"),
        Figure("preparation job run again", f"{outcome_again} in {job_again_s:.2f} s"),
        Figure("fan-out run again: new rows", f"{len(again)} in {again_s:.1f} s"),
    ]


def _span(span: Span) -> str:
    return f"{span.wall_s:.2f} s wall, {span.cpu_s:.2f} s CPU of this process"


def measure_overhead(settings: Settings, engine: Engine, count: int, profile: bool) -> list[Figure]:
    """Deliver `count` SMS in this process with an instant sender."""
    campaign_id = add_campaign(engine, "Bench overhead")
    users = add_volunteers(engine, campaign_id, count, "overhead")
    ids = add_messages(engine, campaign_id, users, "sms", "overhead")
    sender = InstantSender()
    senders = Senders(sms=sender, email=sender)  # type: ignore[arg-type]
    app = create_app(settings)
    profiler = cProfile.Profile() if profile else None
    with app.app_context():
        session: Session = app.extensions[SESSION_FACTORY_KEY]()
        wall, cpu = time.perf_counter(), time.process_time()
        if profiler is not None:
            profiler.enable()
        for start in range(0, len(ids), 1000):
            deliver_messages(session, ids[start : start + 1000], senders=senders)
        if profiler is not None:
            profiler.disable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        session.close()
    app.extensions[SESSION_FACTORY_KEY].kw["bind"].dispose()
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    return [
        Figure(
            f"platform overhead per message, {count:,} SMS (wall)", f"{1000 * wall / count:.3f} ms"
        ),
        Figure(
            "platform overhead per message (CPU of this process)", f"{1000 * cpu / count:.3f} ms"
        ),
    ]


def measure_worker(
    settings: Settings,
    engine: Engine,
    server: FakeProviderServer,
    count: int,
    *,
    channel: str,
    profile: Path | None,
) -> list[Figure]:
    log = Path(settings.outbox_path).parent / "workers.log"
    """Time one worker process sending through the real SDK to the fake provider, no limit."""
    campaign_id = add_campaign(engine, f"Bench worker {channel}")
    users = add_volunteers(engine, campaign_id, count, f"worker{channel}")
    ids = add_messages(engine, campaign_id, users, channel, f"worker{channel}")
    before = len(server.accepted)
    requests_before = len(server.send_requests)
    enqueue_messages(settings, [(message_id, None) for message_id in ids])
    worker_cpu = _children_cpu_s()
    own_cpu = time.process_time()
    started = time.perf_counter()
    run_workers(
        settings,
        1,
        NO_LIMIT_PER_S,
        is_done=lambda: unfinished(engine, ids) == 0,
        log=log,
        profile=profile,
    )
    elapsed = time.perf_counter() - started
    worker_cpu = _children_cpu_s() - worker_cpu
    own_cpu = time.process_time() - own_cpu
    accepted = sorted(server.accepted[before:], key=lambda message: message.received_at)
    if len(accepted) != count:
        raise RuntimeError(f"the provider got {len(accepted)} messages instead of {count}")
    pace = _pace(accepted)
    requests = len(server.send_requests) - requests_before
    return [
        Figure(
            f"one worker, {count:,} {channel}, no limit (provider's clock)",
            pace,
        ),
        Figure("  provider requests", f"{requests:,}"),
        Figure("  whole run, worker start included", f"{count / elapsed:.0f} messages/s"),
        Figure("  CPU of the worker process per message", f"{1000 * worker_cpu / count:.3f} ms"),
        Figure("  CPU of the fake provider per message", f"{1000 * own_cpu / count:.3f} ms"),
    ]


def _pace(accepted: list[AcceptedMessage]) -> str:
    """Return the messages per second between the first and the last request's arrival.

    The messages of the last request arrive at its start, so they are left out: for SMS
    that is the one message, for e-mails the recipients sharing its message id.
    """
    last_request = [m for m in accepted if m.provider_id == accepted[-1].provider_id]
    span_s = (accepted[-1].received_at - accepted[0].received_at).total_seconds()
    if span_s <= 0:
        return "n/a (one request)"
    return f"{(len(accepted) - len(last_request)) / span_s:.0f} messages/s"


def _children_cpu_s() -> float:
    """Return the user and system CPU seconds of the finished child processes so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure_rate(
    settings: Settings, engine: Engine, server: FakeProviderServer, count: int, rate: float
) -> list[Figure]:
    """Two worker processes held to `rate` messages per second by the shared limiter."""
    log = Path(settings.outbox_path).parent / "workers.log"
    campaign_id = add_campaign(engine, f"Bench rate {rate:g}")
    users = add_volunteers(engine, campaign_id, count, f"rate{rate:g}-")
    ids = add_messages(engine, campaign_id, users, "sms", f"rate{rate:g}")
    before = len(server.accepted)
    enqueue_messages(settings, [(message_id, None) for message_id in ids])
    run_workers(settings, 2, rate, is_done=lambda: unfinished(engine, ids) == 0, log=log)
    times = sorted(m.received_at.timestamp() for m in server.accepted[before:])
    observed = (len(times) - 1) / (times[-1] - times[0])
    return [
        Figure(f"two workers, limit {rate:g}/s, {len(times)} SMS", f"{observed:.2f} messages/s"),
        Figure("  observed / limit", f"{observed / rate:.3f}"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument(
        "--redis-port", type=int, default=6390, help="port of the redis-server it starts"
    )
    parser.add_argument(
        "--recipients", type=int, default=1_000_000, help="broadcast size, 0 to skip"
    )
    parser.add_argument("--messages", type=int, default=5000, help="messages per throughput run")
    parser.add_argument("--rates", default="20,100", help="comma-separated limits, messages/s")
    parser.add_argument("--rate-seconds", type=float, default=10.0, help="length of a rate run")
    parser.add_argument(
        "--profile", action="store_true", help="print cProfile of the overhead, dump the worker's"
    )
    args = parser.parse_args()

    engine = migrated_empty_database(args.database_url)
    figures: list[Figure] = []
    with (
        TemporaryDirectory() as folder,
        RedisServerProcess(args.redis_port) as redis_server,
        FakeProviderServer() as server,
    ):
        settings = Settings(
            environment="test",
            secret_key="bench-secret-key-0123456789-0123456789-0123456789",  # noqa: S106
            database_url=args.database_url,
            redis_url=redis_server.url + "/0",
            is_queue_synchronous=False,
            message_backend="providers",
            outbox_path=Path(folder) / "outbox.jsonl",
            twilio_account_sid="AC" + "0" * 32,
            twilio_auth_token="bench-token",  # noqa: S106 - the fake provider's
            twilio_api_base_url=server.base_url,
            sendgrid_api_key="SG.bench",
            sendgrid_api_host=server.base_url,
        )
        connection = Redis.from_url(settings.redis_url)
        if args.recipients:
            # At the default 10 SMS a second, a million SMS would outlast the validity
            # period and the timing check would reject the broadcast.
            unlimited = replace(settings, sms_rate_per_s=NO_LIMIT_PER_S)
            figures += measure_preparation(unlimited, engine, connection, args.recipients)
        figures += measure_overhead(settings, engine, args.messages, args.profile)
        profile = Path(folder) / "worker.prof" if args.profile else None
        figures += measure_worker(
            settings, engine, server, args.messages, channel="sms", profile=profile
        )
        if profile is not None:
            pstats.Stats(str(profile)).sort_stats("tottime").print_stats(30)
        figures += measure_worker(
            settings, engine, server, args.messages, channel="email", profile=None
        )
        for rate in (float(text) for text in args.rates.split(",") if text):
            count = int(rate * args.rate_seconds) + 1
            figures += measure_rate(replace(settings), engine, server, count, rate)
    engine.dispose()
    width = max(len(figure.label) for figure in figures)
    for figure in figures:
        print(f"{figure.label:<{width}}  {figure.value}")


if __name__ == "__main__":
    main()
