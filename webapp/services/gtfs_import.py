"""Replace the stored timetable with the part of a GTFS feed near the territory.

The territory is the bounding box of every imported commune, widened by a margin, so a
stop a volunteer walks to from the edge of the territory is kept. A trip is stored as
the connections between its consecutive kept stops that have a time: a vehicle that
leaves the box and comes back is still one ride. The caller commits, so a failed import
leaves the previous timetable in place.
"""

import logging
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from shapely.geometry import shape
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from routing.geo import EARTH_RADIUS_M
from webapp.models import (
    Commune,
    TransitConnection,
    TransitServiceDay,
    TransitStop,
    TransitTrip,
)
from webapp.services.gtfs_reader import GtfsError, GtfsFeed, StopCall, read_feed

logger = logging.getLogger(__name__)

DEFAULT_MARGIN_M = 3000.0
_BATCH = 10_000


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
    stops: int = 0
    trips: int = 0
    connections: int = 0
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

    for model in (TransitConnection, TransitTrip, TransitStop, TransitServiceDay):
        session.execute(delete(model))
    if kept:
        session.execute(
            insert(TransitStop),
            [{"stop_code": s.code, "name": s.name, "lon": s.lon, "lat": s.lat} for s in kept],
        )
    stop_ids = {
        code: id_ for code, id_ in session.execute(select(TransitStop.stop_code, TransitStop.id))
    }
    if rides:
        session.execute(
            insert(TransitTrip),
            [
                {"trip_code": trip, "route_code": route, "service_code": service}
                for trip, (route, service) in ((t, feed.trips[t]) for t in rides)
            ],
        )
    trip_ids = {
        code: id_ for code, id_ in session.execute(select(TransitTrip.trip_code, TransitTrip.id))
    }
    rows = [
        {
            "trip_id": trip_ids[trip],
            "departure_stop_id": stop_ids[first],
            "arrival_stop_id": stop_ids[second],
            "departure_s": leaves,
            "arrival_s": arrives,
        }
        for trip, legs in rides.items()
        for first, second, leaves, arrives in legs
    ]
    for start in range(0, len(rows), _BATCH):
        session.execute(insert(TransitConnection), rows[start : start + _BATCH])
    services = {feed.trips[trip][1] for trip in rides}
    days = [
        {"service_code": service, "on_date": day}
        for service in sorted(services)
        for day in sorted(feed.service_days.get(service, ()))
    ]
    for start in range(0, len(days), _BATCH):
        session.execute(insert(TransitServiceDay), days[start : start + _BATCH])
    report.stops = len(kept)
    report.trips = len(rides)
    report.connections = len(rows)
    report.service_days = len(days)
    report.skipped["services without a day"] = sum(
        1 for service in services if not feed.service_days.get(service)
    )
    logger.info(
        "GTFS feed %s: %s stops, %s trips, %s connections, %s service days kept",
        path,
        report.stops,
        report.trips,
        report.connections,
        report.service_days,
    )
    return report


Leg = tuple[str, str, int, int]  # departure stop, arrival stop, departure s, arrival s


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
