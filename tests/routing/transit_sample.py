"""A made-up bus line west of the town hall, as an in-memory timetable.

Positions are metres east (x) and north (y) of the town hall, the meeting point. The
home is 2 km west. Stop A is a 5-minute walk from home (350 m walked, 269.2 m on the
straight line), and stop C a 3-minute walk from the meeting point. Stop B, between
them, is more than 1,000 m from both, so it is only ridden through. Line 1 leaves A every
15 minutes from 07:05 to 11:50 and reaches B in 3 minutes and C in 6.
"""

import math
from collections.abc import Sequence
from datetime import date

import numpy as np

from routing.geo import EARTH_RADIUS_M, GeoPoint
from routing.transit import Timetable, sorted_timetable
from routing.transit_changes import TransferRule, TransferType
from tests.routing.assignment_checks import TOWN_HALL

WALK_M_PER_MIN = 70 / 1.3  # straight-line metres per walking minute

HOME_XY = (-2000.0, 0.0)
STOP_XY = {
    "A": (-2000.0, 5 * WALK_M_PER_MIN),
    "B": (-1000.0, 300.0),
    "C": (0.0, 3 * WALK_M_PER_MIN),
}
LINE_1_DEPARTURES = [7 * 3600 + 5 * 60 + 15 * 60 * k for k in range(20)]  # 07:05 to 11:50


def at(x_m: float, y_m: float, origin: GeoPoint = TOWN_HALL) -> GeoPoint:
    """Return the point x metres east and y metres north of `origin`."""
    lat = origin.lat + math.degrees(y_m / EARTH_RADIUS_M)
    scale = EARTH_RADIUS_M * math.cos(math.radians(origin.lat))
    return GeoPoint(lon=origin.lon + math.degrees(x_m / scale), lat=lat)


HOME = at(*HOME_XY)


def timetable_of(
    stops: dict[str, tuple[float, float]],
    trips: list[list[tuple[str, int]]],
    rules: Sequence[tuple[str, str, TransferType, int | None]] = (),
) -> Timetable:
    """Build a timetable from trips given as (stop name, time in s) in running order,
    and transfer rules given as (from stop, to stop, type, minimum seconds).

    A stop's arrival and departure are the same second: buses do not dwell.
    """
    names = list(stops)
    points = [at(*stops[name]) for name in names]
    columns: list[list[int]] = [[], [], [], [], []]
    for number, calls in enumerate(trips):
        for (first, leaves), (second, arrives) in zip(calls, calls[1:], strict=False):
            row = (names.index(first), names.index(second), leaves, arrives, number)
            for column, value in zip(columns, row, strict=True):
                column.append(value)
    arrays = tuple(np.array(column, dtype=np.int64) for column in columns)
    return sorted_timetable(
        np.array([p.lon for p in points]),
        np.array([p.lat for p in points]),
        arrays,  # type: ignore[arg-type]
        [
            TransferRule(names.index(first), names.index(second), kind, min_s)
            for first, second, kind, min_s in rules
        ],
    )


def line_1_trips(departures: list[int]) -> list[list[tuple[str, int]]]:
    return [[("A", t), ("B", t + 180), ("C", t + 360)] for t in departures]


def line_1() -> Timetable:
    return timetable_of(STOP_XY, line_1_trips(LINE_1_DEPARTURES))


SERVICE_DAY = date(2024, 6, 3)  # the Monday of the assignment checks
