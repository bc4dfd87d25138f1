"""`flask demo run`: the whole pipeline on the bundled Bondy data, then the site."""

import logging
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import click
from flask import current_app
from sqlalchemy import func, select
from werkzeug.serving import run_simple

from webapp import migrate
from webapp.db import SESSION_FACTORY_KEY, Base, db_session, utcnow
from webapp.models import Address, Iris, Message, PollingStation, Route, VolunteerProfile
from webapp.models.messaging import MessageStatus
from webapp.services.demo import (
    DemoSetup,
    NotDemoDatabaseError,
    build_demo,
    demo_coordinator_code,
)
from webapp.services.localtime import to_local_naive
from webapp.services.planning import PlanningReport, create_planning_run, mark_run_succeeded
from webapp.services.planning_steps import run_planning
from webapp.services.totp import TwoFactorError
from webapp.settings_access import get_settings
from webapp.urls import public_url

SAMPLE_DIR = Path(__file__).resolve().parent.parent.parent / "data" / "samples" / "bondy-93010"


@click.group("demo", help="Run the demonstration on the bundled Bondy data.")
def demo_group() -> None:
    pass


@demo_group.command(
    "run", help="Migrate, import Bondy, plan a weekend, queue messages, then serve."
)
@click.option(
    "--serve/--no-serve", default=True, help="Serve the site on 127.0.0.1:5000 afterwards."
)
@click.option("--port", default=5000, show_default=True, help="Port of the site.")
@click.option(
    "--verbose", is_flag=True, help="Log every step of the import and the planning (INFO)."
)
def run_command(serve: bool, port: int, verbose: bool) -> None:
    if serve:
        _check_link_port(get_settings().public_base_url, port)
    root = logging.getLogger()
    level = root.level
    if not verbose:
        # The steps log hundreds of INFO lines, which would bury the summary.
        root.setLevel(max(level, logging.WARNING))
    try:
        _build_and_plan()
    finally:
        root.setLevel(level)
    if serve:
        click.echo(f"Site: http://127.0.0.1:{port}/  (Ctrl+C to stop)")
        # Flask ignores app.run() inside its own CLI, so serve with werkzeug directly.
        run_simple("127.0.0.1", port, current_app._get_current_object(), threaded=True)  # type: ignore[attr-defined]


def _build_and_plan() -> None:
    """Migrate, build the demo, run the planning as the site's button does, and print."""
    engine = current_app.extensions[SESSION_FACTORY_KEY].kw["bind"]
    migrate.upgrade(engine)
    session = db_session()

    started = time.perf_counter()
    setup = build_demo(session, SAMPLE_DIR, to_local_naive(utcnow()))
    session.commit()
    setup_s = time.perf_counter() - started

    started = time.perf_counter()
    request = create_planning_run(session, setup.campaign_id, utcnow())
    report = run_planning(session, setup.campaign_id, get_settings())
    # Recorded as a run of the site's button would be, so the summary page shows it.
    mark_run_succeeded(request.run, report, utcnow())
    session.commit()
    planning_s = time.perf_counter() - started

    _print_summary(setup, report, setup_s, planning_s)


def _check_link_port(public_base_url: str, port: int) -> None:
    """Reject a port other than the one the links in the messages and pages point to."""
    parts = urlsplit(public_base_url)
    link_port = parts.port or (443 if parts.scheme == "https" else 80)
    if parts.hostname in ("127.0.0.1", "localhost") and link_port != port:
        raise click.UsageError(
            f"--port {port} differs from the port of TOURNEE_PUBLIC_BASE_URL "
            f"({public_base_url}), so the links in the messages would not open: set "
            f"TOURNEE_PUBLIC_BASE_URL=http://127.0.0.1:{port} as well."
        )


def _print_summary(
    setup: DemoSetup, report: PlanningReport, setup_s: float, planning_s: float
) -> None:
    session = db_session()

    def count(model: type[Base]) -> int:
        return session.scalar(select(func.count()).select_from(model)) or 0

    statuses = dict(
        session.execute(select(Message.status, func.count()).group_by(Message.status)).all()
    )
    counts = report.counts()
    lines = [
        ("IRIS", count(Iris)),
        ("polling stations", count(PollingStation)),
        ("addresses", count(Address)),
        ("volunteers", count(VolunteerProfile)),
        ("sessions", setup.session_count),
        # A volunteer on two sessions fills two places.
        ("places filled", counts["placed"]),
        ("volunteers placed", counts["volunteers"]),
        ("volunteers left out", counts["left_out"]),
        ("routes", len(report.routes)),
        ("addresses on routes", sum(r.door_count for r in report.routes)),
        ("dwellings on routes (estimate)", sum(r.dwelling_count for r in report.routes)),
        ("total route length (m)", sum(r.length_m for r in report.routes)),
        ("messages sent to the outbox", statuses.get(MessageStatus.SENT, 0)),
        ("reminders queued", statuses.get(MessageStatus.QUEUED, 0)),
    ]
    click.echo("")
    click.echo("Tournée demo — Bondy (93010)")
    for label, value in lines:
        click.echo(f"  {label:<30} {value:>8}")
    click.echo(f"  {'setup time (s)':<30} {setup_s:>8.1f}")
    click.echo(f"  {'planning time (s)':<30} {planning_s:>8.1f}")
    click.echo(f"  {'assignment status':<30} {report.assignment.status:>8}")
    click.echo("")
    click.echo(f"Coordinator login: {setup.coordinator_email} / {setup.coordinator_password}")
    secret = setup.coordinator_totp_secret
    grouped = " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))
    click.echo(f"Two-step login key, for an authenticator app: {grouped}")
    click.echo("Or print the current code from another terminal, in this folder:")
    database_url = get_settings().database_url
    # This interpreter's own flask: a `flask` found first on PATH may lack the app.
    flask = Path(sys.executable).with_name("flask")
    click.echo(f"  TOURNEE_DATABASE_URL={database_url} {flask} --app wsgi demo totp-code")
    click.echo(f"Outbox: {get_settings().outbox_path}")
    _print_today_routes(setup)


def _print_today_routes(setup: DemoSetup) -> None:
    """Print the route links of today's session, which take door records at once."""
    if setup.today_session_id is None:
        click.echo("No session today: the demo ran too late in the day to schedule one.")
        return
    routes = db_session().scalars(
        select(Route).where(Route.session_id == setup.today_session_id).order_by(Route.team)
    )
    click.echo("Session under way today, where doors can be recorded now:")
    for route in routes:
        link = public_url("canvass.show_route", token=route.access_token)
        click.echo(f"  team {route.team}: {link}")


@demo_group.command(
    "totp-code", help="Print the demo coordinator's current two-step login code (demo only)."
)
def totp_code_command() -> None:
    try:
        code = demo_coordinator_code(db_session(), get_settings())
    except NotDemoDatabaseError as error:
        raise click.ClickException(str(error)) from None
    except TwoFactorError:
        raise click.ClickException(
            "the demo coordinator has no two-step login: run `flask demo run` again"
        ) from None
    click.echo(code)
