"""Time the check of walking-time limits along the streets on the Bondy sample.

Run by hand: `.venv/bin/python -m benchmarks.walking_limits`.
Builds the demo campaign in a temporary SQLite file and gives every demo volunteer a
30-minute walking limit. Times `build_problem` with the imported streets twice, because
the first run in a process also pays for the first use of scipy and shapely, then
without them. Then times the walking table alone for 500 BAN addresses as homes and 40 as
meeting points, and the peak memory it allocates (tracemalloc). Prints wall and CPU
time for each step.
"""

import csv
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from flask_babel import force_locale
from sqlalchemy import delete, select

from routing.assignment_types import SessionInput, VolunteerInput
from routing.geo import GeoPoint
from routing.street_reach import build_walking_table
from webapp import create_app, migrate
from webapp.db import SESSION_FACTORY_KEY, build_engine
from webapp.models import Campaign, Membership, StreetWay, VolunteerProfile
from webapp.models.users import Role
from webapp.services.assignment import AssignmentLimits, build_problem
from webapp.services.demo import build_demo
from webapp.services.routes import load_street_graph
from webapp.settings import Settings

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data" / "samples" / "bondy-93010"
WALK_MINUTES = 30
T = TypeVar("T")


def timed(label: str, step: Callable[[], T], rows: list[tuple[str, str]]) -> T:
    wall, cpu = time.perf_counter(), time.process_time()
    result = step()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    rows.append((label, f"{wall:.3f} s wall, {cpu:.3f} s CPU"))
    return result


def ban_points(count: int) -> list[GeoPoint]:
    """Return `count` Bondy addresses spread over the BAN file."""
    with (SAMPLE_DIR / "ban_adresses_bondy.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    step = max(1, len(rows) // count)
    return [GeoPoint(float(r["lon"]), float(r["lat"])) for r in rows[::step][:count]]


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.sqlite3"
        migrate.upgrade(build_engine(url))
        settings = Settings(database_url=url, outbox_path=Path(folder) / "outbox.jsonl")
        app = create_app(settings)
        rows: list[tuple[str, str]] = []
        with app.app_context(), force_locale("fr"):
            session = app.extensions[SESSION_FACTORY_KEY]()
            setup = build_demo(session, SAMPLE_DIR, datetime.now(), with_today=False)
            volunteer_ids = select(Membership.user_id).where(
                Membership.campaign_id == setup.campaign_id, Membership.role == Role.VOLUNTEER
            )
            for profile in session.scalars(
                select(VolunteerProfile).where(VolunteerProfile.user_id.in_(volunteer_ids))
            ):
                profile.max_travel_minutes = WALK_MINUTES
                profile.travel_mode = "walk"
            session.commit()
            campaign = session.get(Campaign, setup.campaign_id)
            assert campaign is not None
            limits = AssignmentLimits(settings.max_distance_m, settings.assignment_time_limit_s)

            # Each database step starts from an empty identity map, as a planning job does.
            session.expunge_all()
            problem = timed(
                "build_problem, streets",
                lambda: build_problem(session, campaign, limits),
                rows,
            )
            session.expunge_all()
            timed(
                "build_problem, streets, second run",
                lambda: build_problem(session, campaign, limits),
                rows,
            )
            session.expunge_all()
            graph = timed("street graph (load + build)", lambda: load_street_graph(session), rows)
            volunteers: tuple[VolunteerInput, ...] = problem.volunteers
            sessions: tuple[SessionInput, ...] = problem.sessions
            timed(
                f"walking table, {len(volunteers)} x {len(sessions)}",
                lambda: build_walking_table(graph, volunteers, sessions),
                rows,
            )
            points = ban_points(540)
            homes = [
                VolunteerInput(i, p, (), False, max_travel_minutes=WALK_MINUTES)
                for i, p in enumerate(points[:500])
            ]
            meetings = [
                SessionInput(j, sessions[0].starts_at, sessions[0].ends_at, p, 0, 2, 0.0)
                for j, p in enumerate(points[500:])
            ]
            timed(
                f"walking table, {len(homes)} x {len(meetings)}",
                lambda: build_walking_table(graph, homes, meetings),
                rows,
            )
            tracemalloc.start()
            build_walking_table(graph, homes, meetings)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            rows.append(
                (f"walking table, {len(homes)} x {len(meetings)}, peak", f"{peak / 2**20:.1f} MiB")
            )
            session.execute(delete(StreetWay))
            session.commit()
            session.expunge_all()
            timed(
                "build_problem, no streets",
                lambda: build_problem(session, campaign, limits),
                rows,
            )
            session.rollback()
        rows.append(("graph vertices", str(graph.node_count)))
        for label, value in rows:
            print(f"{label:<40} {value:>28}")


if __name__ == "__main__":
    main()
