"""Time each step of the demo weekend on the Bondy sample.

Run by hand: `.venv/bin/python -m benchmarks.demo_weekend [--database-url URL]`.
Prints the time to import Bondy, to assign volunteers, to build every route, and the
total route length. Targets: import under 30 s, assignment and routes under 60 s.
"""

import argparse
import resource
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from flask_babel import force_locale

from webapp import create_app, migrate
from webapp.db import SESSION_FACTORY_KEY, build_engine
from webapp.services.assignment import AssignmentLimits, plan_assignments
from webapp.services.demo import build_demo
from webapp.services.notifications import queue_assignment_messages
from webapp.services.routes import RouteSettings, plan_campaign_routes
from webapp.settings import Settings

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data" / "samples" / "bondy-93010"
T = TypeVar("T")


def timed(label: str, step: Callable[[], T], rows: list[tuple[str, str]]) -> T:
    started = time.perf_counter()
    result = step()
    rows.append((label, f"{time.perf_counter() - started:.2f} s"))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", help="an empty database; a temporary SQLite file by default"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
        migrate.upgrade(build_engine(url))
        settings = Settings(database_url=url, outbox_path=Path(folder) / "outbox.jsonl")
        app = create_app(settings)
        rows: list[tuple[str, str]] = []
        with app.app_context(), force_locale("fr"):
            session = app.extensions[SESSION_FACTORY_KEY]()
            setup = timed(
                "import Bondy + campaign + 48 volunteers",
                lambda: build_demo(session, SAMPLE_DIR, datetime.now(), with_today=False),
                rows,
            )
            session.commit()
            limits = AssignmentLimits(settings.max_distance_m, settings.assignment_time_limit_s)
            plan = timed(
                "assign (CP-SAT)",
                lambda: plan_assignments(session, setup.campaign_id, limits),
                rows,
            )
            route_settings = RouteSettings(
                walking_speed_m_per_min=settings.walking_speed_m_per_min,
                minutes_per_address=settings.minutes_per_address,
                time_limit_s=settings.route_time_limit_s,
            )
            routes = timed(
                "routes (street graph + OR-Tools)",
                lambda: plan_campaign_routes(session, setup.campaign_id, route_settings),
                rows,
            )
            timed(
                "queue messages",
                lambda: queue_assignment_messages(session, setup.campaign_id),
                rows,
            )
            session.commit()
        peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        rows.append(("sessions", str(setup.session_count)))
        rows.append(("assignment status", str(plan.status)))
        rows.append(("volunteers placed", str(len(plan.placements))))
        rows.append(("routes", str(len(routes))))
        rows.append(("addresses on routes", str(sum(r.door_count for r in routes))))
        rows.append(("dwellings on routes (estimate)", str(sum(r.dwelling_count for r in routes))))
        rows.append(("total route length", f"{sum(r.length_m for r in routes) / 1000:.1f} km"))
        rows.append(("peak resident memory", f"{peak_kib / 1024:.0f} MiB"))
        for label, value in rows:
            print(f"{label:<42} {value:>12}")


if __name__ == "__main__":
    main()
