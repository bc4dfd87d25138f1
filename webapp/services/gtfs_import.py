"""Replace the stored timetable with the part of a GTFS feed near the territory.

The territory is the bounding box of every imported commune, widened by a margin, so a
stop a volunteer walks to from the edge of the territory is kept. A trip is stored as
the connections between its consecutive kept stops that have a time: a vehicle that
leaves the box and comes back is still one ride. A trip that frequencies.txt repeats is
stored once per run, named after the trip and the run's start (`T1@07:05:00`), with
its pattern moved to that start. Rows are written in batches as they are worked out,
so a short headway over a long day does not hold every run in memory. Transfer rules
are kept when both stops are. The caller commits, so a failed import leaves the
previous timetable in place.
"""

import logging
import math
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from shapely.geometry import shape
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from routing.geo import EARTH_RADIUS_M
from webapp.models import (
    Commune,
    TransitConnection,
    TransitServiceDay,
    TransitStop,
    TransitTransfer,
    TransitTrip,
)
from webapp.services.gtfs_reader import GtfsError, GtfsFeed, StopCall, read_feed
from webapp.services.gtfs_runs import trip_runs

logger = logging.getLogger(__name__)

DEFAULT_MARGIN_M = 3000.0
_BATCH = 10_000

Leg = tuple[str, str, int, int]  # departure stop, arrival stop, departure s, arrival s


@dataclass(frozen=True, slots=True)
class BoundingBox:
    west: float
    south: float
    east: float
    north: float

    def contains(self, lon: float, lat: float) -> bool:
        return self.west <= lon <= self.east and self.south <= lat <= self.north


@dataclass(slots=True)
class GtfsReport:
    """Counts of what an import stored: `trips` counts runs, so a trip that
    frequencies.txt repeats counts once per run."""

    stops: int = 0
    trips: int = 0
    connections: int = 0
    transfers: int = 0
    service_days: int = 0
    skipped: Counter[str] = field(default_factory=Counter)


def territory_box(session: Session, margin_m: float) -> BoundingBox:
    """Return the communes' bounding box widened by `margin_m` on every side."""
    geometries = session.scalars(select(Commune.geometry)).all()
    if not geometries:
        raise GtfsError("no commune is imported: run `flask territory import` first")
    bounds = [shape(geometry).bounds for geometry in geometries]
    west = min(b[0] for b in bounds)
    south = min(b[1] for b in bounds)
    east = max(b[2] for b in bounds)
    north = max(b[3] for b in bounds)
    margin_lat = math.degrees(margin_m / EARTH_RADIUS_M)
    widest = max(abs(south), abs(north)) + margin_lat
    margin_lon = math.degrees(margin_m / (EARTH_RADIUS_M * math.cos(math.radians(widest))))
    return BoundingBox(west - margin_lon, south - margin_lat, east + margin_lon, north + margin_lat)


def import_gtfs(session: Session, path: Path, *, margin_m: float = DEFAULT_MARGIN_M) -> GtfsReport:
    """Read the feed at `path` and replace the stored timetable with its local part."""
    if not math.isfinite(margin_m) or margin_m < 0:
        raise GtfsError(f"the margin must be a non-negative number of metres, got {margin_m}")
    box = territory_box(session, margin_m)
    feed = read_feed(path)
    report = GtfsReport()
    kept = [stop for stop in feed.stops if box.contains(stop.lon, stop.lat)]
    report.skipped["stops outside the territory"] = len(feed.stops) - len(kept)
    rides = _rides(feed, {stop.code for stop in kept}, report)

    for model in (
        TransitConnection,
        TransitTransfer,
        TransitTrip,
        TransitStop,
        TransitServiceDay,
    ):
        session.execute(delete(model))
    report.stops = _insert(
        session,
        TransitStop,
        ({"stop_code": s.code, "name": s.name, "lon": s.lon, "lat": s.lat} for s in kept),
    )
    stop_ids = {
        code: id_ for code, id_ in session.execute(select(TransitStop.stop_code, TransitStop.id))
    }
    report.trips = _insert(session, TransitTrip, _trip_rows(feed, rides))
    trip_ids = {
        code: id_ for code, id_ in session.execute(select(TransitTrip.trip_code, TransitTrip.id))
    }
    report.connections = _insert(
        session,
        TransitConnection,
        (
            {
                "trip_id": trip_ids[run.code],
                "departure_stop_id": stop_ids[first],
                "arrival_stop_id": stop_ids[second],
                "departure_s": leaves + run.shift_s,
                "arrival_s": arrives + run.shift_s,
            }
            for run in trip_runs(feed, rides)
            for first, second, leaves, arrives in rides[run.trip]
        ),
    )
    report.transfers = _insert_transfers(session, feed, stop_ids, report)
    services = {feed.trips[trip][1] for trip in rides}
    report.service_days = _insert(
        session,
        TransitServiceDay,
        (
            {"service_code": service, "on_date": day}
            for service in sorted(services)
            for day in sorted(feed.service_days.get(service, ()))
        ),
    )
    report.skipped["services without a day"] = sum(
        1 for service in services if not feed.service_days.get(service)
    )
    logger.info(
        "GTFS feed %s: %s stops, %s trips, %s connections, %s transfers, %s service days kept",
        path,
        report.stops,
        report.trips,
        report.connections,
        report.transfers,
        report.service_days,
    )
    return report


def _trip_rows(feed: GtfsFeed, rides: dict[str, list[Leg]]) -> Iterator[dict[str, Any]]:
    for run in trip_runs(feed, rides):
        route, service = feed.trips[run.trip]
        yield {"trip_code": run.code, "route_code": route, "service_code": service}


def _insert(session: Session, model: type, rows: Iterable[dict[str, Any]]) -> int:
    """Insert `rows` in batches as they come, and return how many there were."""
    total = 0
    iterator = iter(rows)
    while batch := list(islice(iterator, _BATCH)):
        session.execute(insert(model), batch)
        total += len(batch)
    return total


def _insert_transfers(
    session: Session, feed: GtfsFeed, stop_ids: dict[str, int], report: GtfsReport
) -> int:
    """Store the transfer rules between kept stops and return how many were stored."""
    rows = [
        {
            "from_stop_id": stop_ids[rule.from_stop],
            "to_stop_id": stop_ids[rule.to_stop],
            "transfer_type": int(rule.kind),
            "min_transfer_s": rule.min_s,
        }
        for rule in feed.transfers
        if rule.from_stop in stop_ids and rule.to_stop in stop_ids
    ]
    report.skipped["transfers at stops outside the territory"] = len(feed.transfers) - len(rows)
    report.skipped["transfers between trips or routes"] = feed.trip_or_route_transfers
    return _insert(session, TransitTransfer, rows)


def _rides(feed: GtfsFeed, kept: set[str], report: GtfsReport) -> dict[str, list[Leg]]:
    """Return each trip's connections between its consecutive kept, timed stops."""
    rides: dict[str, list[Leg]] = {}
    for trip, calls in feed.calls.items():
        timed = [c for c in calls if c.stop_code in kept and _has_time(c)]
        report.skipped["untimed stop times"] += sum(
            1 for c in calls if c.stop_code in kept and not _has_time(c)
        )
        legs = [_leg(trip, a, b) for a, b in zip(timed, timed[1:], strict=False)]
        if legs:
            rides[trip] = legs
        else:
            report.skipped["trips with fewer than 2 timed stops in the territory"] += 1
    return rides


def _has_time(call: StopCall) -> bool:
    return call.arrival_s is not None or call.departure_s is not None


def _leg(trip: str, first: StopCall, second: StopCall) -> Leg:
    leaves = first.departure_s if first.departure_s is not None else first.arrival_s
    arrives = second.arrival_s if second.arrival_s is not None else second.departure_s
    assert leaves is not None and arrives is not None
    if arrives < leaves:
        raise GtfsError(
            f"stop_times.txt: trip {trip!r} arrives at stop sequence {second.sequence} "
            f"before it leaves stop sequence {first.sequence}"
        )
    return (first.stop_code, second.stop_code, leaves, arrives)
