"""Measure the public sign-up page and the sign-up POST under open-loop load.

    .venv/bin/python -m benchmarks.signup_load                          # both, 20 s each
    .venv/bin/python -m benchmarks.signup_load --scenario signup --duration 60

The real stack on this machine: gunicorn serving `wsgi:app` on 127.0.0.1 with the
production settings, PostgreSQL, Redis (rate-limit storage), and argon2id at the
parameters pinned in `webapp.services.passwords`. The database (`--database-url`) is
created, migrated, loaded with the Bondy sample and a campaign, and dropped at the end:
never point it at data you keep. E-mails go to the development outbox, in a temporary
folder, so no provider is called.

A second process (`benchmarks.load_generator`) sends the requests at a fixed arrival
rate whatever the latencies, so queueing shows up. Latency counts from each request's
scheduled time. Each scenario gets a fresh gunicorn, a warm-up, then the measured
window. Target for both: p95 under 300 ms with no error.
"""

import argparse
import json
import logging
import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from tempfile import TemporaryDirectory

from flask import Flask

from benchmarks.databases import drop_database, reset_database
from benchmarks.gunicorn_server import GunicornServer, ServerLayout, machine_busy_s
from benchmarks.load_summary import TARGET_P95_MS, Summary, summarise
from benchmarks.signup_profile import Breakdown, profile_signup, time_argon2
from benchmarks.signup_territory import count_accounts, load_campaign
from benchmarks.volunteers import FICTION_NUMBER_COUNT
from webapp import create_app
from webapp.db import SESSION_FACTORY_KEY
from webapp.services import passwords
from webapp.settings import ENV_PREFIX, Settings

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/tournee_bench_signup"
# The tests use Redis databases 13 to 15. Only the rate-limit counters go here, and
# nothing is flushed.
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/12"
# Two cores: a worker process per core and one more to cover PostgreSQL and I/O waits.
# Threads let argon2id, which releases the GIL, overlap with Python work.
DEFAULT_LAYOUT = ServerLayout(workers=3, threads=4)
# Settings handed to gunicorn through `TOURNEE_*` variables.
SERVER_SETTINGS = (
    "environment",
    "secret_key",
    "database_url",
    "redis_url",
    "is_queue_synchronous",
    "message_backend",
    "outbox_path",
    "public_base_url",
    "is_rate_limit_enabled",
)


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    rate_per_s: float
    # Sign-up limits (10 per address and hour) would reject almost every POST from the
    # single load address, so that scenario turns them off.
    is_rate_limit_enabled: bool


def server_environment(settings: Settings) -> dict[str, str]:
    """Return the `TOURNEE_*` variables that give gunicorn's app these settings."""
    environment = {}
    for name in SERVER_SETTINGS:
        value = getattr(settings, name)
        if isinstance(value, bool):
            value = "true" if value else "false"
        environment[ENV_PREFIX + name.upper()] = str(value)
    return environment


@dataclass(frozen=True)
class CpuSample:
    at_s: float
    server_s: float
    machine_s: float

    @classmethod
    def take(cls, server: GunicornServer) -> "CpuSample":
        return cls(time.monotonic(), server.cpu_s(), machine_busy_s())


@dataclass(frozen=True)
class CpuUse:
    """Cores busy on average during the measured window: gunicorn's, and the whole machine's."""

    server: float
    machine: float

    @classmethod
    def between(cls, start: CpuSample, end: CpuSample) -> "CpuUse":
        elapsed = end.at_s - start.at_s
        return cls(
            (end.server_s - start.server_s) / elapsed, (end.machine_s - start.machine_s) / elapsed
        )


def run_generator(
    server: GunicornServer, scenario: Scenario, args: argparse.Namespace, homes: list[str]
) -> tuple[dict[str, object], CpuUse]:
    """Run the load process; return its results and the CPU in use while it measured.

    CPU is sampled when the measured window opens and when the last response is in.
    """
    plan = {
        "port": server.port,
        "scenario": scenario.name,
        "rate_per_s": scenario.rate_per_s,
        "warmup_s": args.warmup,
        "duration_s": args.duration,
        "timeout_s": args.timeout,
        "homes": homes,
    }
    command = [sys.executable, "-m", "benchmarks.load_generator"]
    process = subprocess.Popen(  # noqa: S603 - fixed command, own interpreter
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(json.dumps(plan))
    process.stdin.close()
    start = CpuSample.take(server)
    result: dict[str, object] = {}
    for line in process.stdout:
        event = json.loads(line)
        if event["event"] == "measuring":
            start = CpuSample.take(server)
        elif event["event"] == "done":
            result = event
    use = CpuUse.between(start, CpuSample.take(server))
    if process.wait() != 0 or not result:
        raise RuntimeError(
            f"the load process failed with exit code {process.returncode}; its error is above"
        )
    return result, use


def print_summary(
    scenario: Scenario, summary: Summary, cpu: CpuUse, result: dict[str, object]
) -> None:
    limits = "on, as in production" if scenario.is_rate_limit_enabled else "OFF"
    errors = ", ".join(f"{kind}: {count}" for kind, count in summary.errors.most_common())
    rows = [
        ("rate limits", limits),
        ("requests sent", f"{summary.sent}"),
        ("completed", f"{summary.completed}"),
        ("errors", f"{sum(summary.errors.values())}" + (f" ({errors})" if errors else "")),
        ("achieved rate", f"{summary.achieved_per_s:.1f}/s"),
        ("latency p50 / p95 / p99", summary.latency_text()),
        (
            "CPU in use",
            f"gunicorn {cpu.server:.2f} cores, whole machine {cpu.machine:.2f} of {os.cpu_count()}",
        ),
        ("gunicorn CPU per response", cpu_per_response(summary, cpu)),
        (
            "load process",
            f"max send lag {summary.max_send_lag_ms:.0f} ms, "
            f"{float(str(result['generator_cpu_s'])):.1f} s of CPU",
        ),
        (f"target (p95 < {TARGET_P95_MS:.0f} ms, no error)", summary.target_verdict()),
    ]
    print(f"\n{scenario.title} at {scenario.rate_per_s:g}/s")
    for label, value in rows:
        print(f"  {label:<34} {value}")


def cpu_per_response(summary: Summary, cpu: CpuUse) -> str:
    """Return gunicorn's CPU milliseconds per expected response during the window."""
    if not summary.achieved_per_s:
        return "no expected response"
    text = f"{1000 * cpu.server / summary.achieved_per_s:.1f} ms"
    if summary.errors:
        # Gunicorn also serves requests whose client has given up, so this is inflated.
        text += ", work on abandoned requests included"
    return text


def print_breakdown(rows: list[Breakdown]) -> None:
    wall_ms, cpu_ms = time_argon2()
    print(
        f"\nargon2id alone ({passwords.MEMORY_COST_KIB // 1024} MiB, t={passwords.TIME_COST}, "
        f"p={passwords.PARALLELISM}): {wall_ms:.0f} ms wall, {cpu_ms:.0f} ms CPU per hash"
    )
    print(f"One request at a time, in-process, mean of {rows[0].count} (ms):")
    print(f"  {'request':<18} {'wall':>6} {'CPU':>6} {'argon2':>7} {'SQL':>6} "
          f"{'queries':>7} {'template':>8} {'rest':>6}")  # fmt: skip
    for row in rows:
        print(
            f"  {row.label:<18} {row.total_ms:>6.1f} {row.cpu_ms:>6.1f} {row.argon2_ms:>7.1f} "
            f"{row.sql_ms:>6.1f} {row.statements:>7.1f} {row.templates_ms:>8.1f} "
            f"{row.rest_ms:>6.1f}"
        )
    cores = os.cpu_count() or 1
    for row in rows:
        print(
            f"  {row.label}: at most {1000 * cores / row.cpu_ms:.0f}/s on {cores} cores "
            "if it had them to itself (cores / CPU per request)"
        )


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scenario",
        choices=["page", "signup"],
        action="append",
        help="run only this scenario (repeatable); both by default",
    )
    parser.add_argument("--duration", type=float, default=20.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds before measuring")
    parser.add_argument("--page-rate", type=float, default=200.0, help="GETs per second")
    parser.add_argument("--signup-rate", type=float, default=20.0, help="POSTs per second")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per request")
    parser.add_argument(
        "--workers", type=int, default=DEFAULT_LAYOUT.workers, help="gunicorn worker processes"
    )
    parser.add_argument(
        "--threads", type=int, default=DEFAULT_LAYOUT.threads, help="threads per worker"
    )
    parser.add_argument(
        "--profile", type=int, default=20, help="sign-ups timed in-process afterwards; 0: none"
    )
    parser.add_argument(
        "--database-url",
        default=DEFAULT_DATABASE_URL,
        help="PostgreSQL database to create and drop; any existing one is emptied",
    )
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help="rate-limit storage")
    args = parser.parse_args()
    if min(args.duration, args.page_rate, args.signup_rate, args.timeout) <= 0:
        parser.error("--duration, the rates and --timeout must be positive")
    if args.warmup < 0 or args.profile < 0 or min(args.workers, args.threads) < 1:
        parser.error("--warmup and --profile must be 0 or more, --workers and --threads 1 or more")
    volunteers = round(args.signup_rate * args.warmup) + round(args.signup_rate * args.duration)
    if volunteers + args.profile + 1 > FICTION_NUMBER_COUNT:
        parser.error(
            f"{volunteers + args.profile + 1} volunteers needed, but the fiction phone range "
            f"has {FICTION_NUMBER_COUNT}: lower --signup-rate, --duration or --profile"
        )
    return args


def main() -> None:
    args = parse_arguments()
    scenarios = [
        Scenario("page", "GET /inscription (sign-up page)", args.page_rate, True),
        Scenario("signup", "POST /inscription (new volunteer)", args.signup_rate, False),
    ]
    chosen = [s for s in scenarios if s.name in (args.scenario or ["page", "signup"])]
    reset_database(args.database_url)
    try:
        with TemporaryDirectory() as folder:
            settings = Settings(
                environment="production",
                secret_key=secrets.token_urlsafe(48),
                database_url=args.database_url,
                redis_url=args.redis_url,
                is_queue_synchronous=False,
                message_backend="outbox",
                outbox_path=Path(folder) / "outbox.jsonl",
                public_base_url="http://127.0.0.1",
                is_rate_limit_enabled=False,
            )
            app = create_app(settings)
            # The import and the profiled requests log a line per step, burying the figures.
            logging.getLogger().setLevel(logging.WARNING)
            run_all(app, settings, chosen, args)
            app.extensions[SESSION_FACTORY_KEY].kw["bind"].dispose()
    finally:
        drop_database(args.database_url)


def run_all(
    app: Flask, settings: Settings, scenarios: list[Scenario], args: argparse.Namespace
) -> None:
    homes = load_campaign(app)
    print(
        f"gunicorn: {args.workers} workers x {args.threads} threads (gthread) on "
        f"{os.cpu_count()} cores; argon2id {passwords.MEMORY_COST_KIB // 1024} MiB, "
        f"t={passwords.TIME_COST}, p={passwords.PARALLELISM}; warm-up {args.warmup:g} s, "
        f"measured {args.duration:g} s, timeout {args.timeout:g} s"
    )
    print(f"load average before: {format_load_average()}")
    used = 0
    for scenario in scenarios:
        used += run_scenario(app, settings, scenario, args, homes)
    print(f"\nload average after: {format_load_average()}")
    print(
        "NOTE: the load process runs on the same cores as gunicorn and PostgreSQL, and the "
        "machine may be shared, so the figures are noisy."
    )
    if args.profile:
        print_breakdown(profile_signup(app, homes, used, args.profile))


def run_scenario(
    app: Flask,
    settings: Settings,
    scenario: Scenario,
    args: argparse.Namespace,
    homes: list[str],
) -> int:
    """Serve, load and report one scenario; return how many volunteers it used."""
    layout = ServerLayout(args.workers, args.threads)
    server_settings = replace(settings, is_rate_limit_enabled=scenario.is_rate_limit_enabled)
    log_path = settings.outbox_path.parent / "gunicorn.log"
    with GunicornServer(layout, server_environment(server_settings), log_path) as server:
        result, cpu = run_generator(server, scenario, args, homes)
    outcomes = result["outcomes"]
    assert isinstance(outcomes, list)
    print_summary(scenario, summarise(outcomes, int(str(result["warmup_count"]))), cpu, result)
    if scenario.name != "signup":
        return 0
    # Gunicorn finishes the requests the load process gave up on, so timed-out sign-ups
    # may have created accounts too.
    redirects = sum(1 for outcome in outcomes if outcome["error"] is None)
    print(
        f"  {'accounts created':<34} {count_accounts(app)} "
        f"(redirects received, warm-up included: {redirects})"
    )
    return len(outcomes)


def format_load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


if __name__ == "__main__":
    main()
