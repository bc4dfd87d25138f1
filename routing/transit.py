"""Door-to-door public transport times from a timetable, by a backward Connection Scan.

A timetable is one service day's connections: a vehicle leaving one stop and reaching
the next stop of its trip, with times in seconds after midnight of that day. The scan
runs backwards from one meeting point and one deadline, the session's start. It goes
through the connections from the latest departure to the earliest and keeps, for each
stop, the latest time one can leave it and still reach the meeting point by the
deadline. Each home then takes its best stop within walking reach, or walks the whole
way, and its door-to-door time is the deadline minus the latest time to leave home.
A vehicle run is one trip: a trip that the feed repeats at a headway comes as one trip
per run.

Why backwards: a volunteer may leave home whenever they like, and what matters is being
at the meeting point by the start. A forward scan answers "when do I arrive if I leave
at t", so it would need one run per home and per departure time to find the best t.
The backward scan answers "when must I leave" for every home in a single run per
(meeting point, start). The time it returns includes the wait at the meeting point when
the last useful vehicle arrives early, because the volunteer spends that time too.

Walks (to the first stop, between the last stop and the meeting point, or the whole way)
follow the straight line times 1.3 at 70 m/min, as the walking estimate of
``routing.assignment_travel`` does. Walks to and from stops are limited to
``MAX_ACCESS_M`` on the straight line. A change between two trips needs the vehicle
to reach the stop ``change_s`` seconds before the next one leaves, or, between two stops
at most ``TRANSFER_WALK_M`` apart (two platforms of one station, two sides of a
square), the longer of that time and the walk between them. The feed's transfer rules
override these defaults for the stops they name (see ``routing.transit_changes``): a
set change time, a change at one stop that takes no time, or a change that is not
possible. Walking the whole way always counts, so a home never comes out unreachable.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from routing.assignment_spatial import haversine_array_m
from routing.geo import EARTH_RADIUS_M
from routing.transit_changes import Changes, TransferRule, apply_transfer_rules

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

MAX_ACCESS_M = 1000.0
WALK_SPEED_M_PER_S = 70.0 / 60.0
WALK_DETOUR = 1.3
MIN_CHANGE_S = 120
# Farthest two stops may lie apart, on the straight line, for a change on foot.
TRANSFER_WALK_M = 300.0
_ORIGIN_BLOCK = 1024


@dataclass(frozen=True, slots=True, eq=False)
class Timetable:
    """Stops and the connections between them on one service day.

    `departure_s` and `arrival_s` are seconds after midnight of the day, negative for a
    trip of the day before that runs past midnight. The connection arrays are sorted by
    departure time. `trip` numbers trips from 0 so that connections of one vehicle run
    share a value.
    """

    stop_lon: FloatArray
    stop_lat: FloatArray
    departure_stop: IntArray
    arrival_stop: IntArray
    departure_s: IntArray
    arrival_s: IntArray
    trip: IntArray
    # Per stop, the changes onto a vehicle there from another stop (see
    # ``routing.transit_changes.Change``); empty means changes happen at one stop only.
    transfers: Changes = ()
    # Per stop, the seconds a change at that stop takes by a transfer rule: NaN for the
    # scan's default, inf where it is not possible. None: the default everywhere.
    stop_change_s: FloatArray | None = None

    def __post_init__(self) -> None:
        if self.stop_lon.shape != self.stop_lat.shape:
            raise ValueError("stop_lon and stop_lat must have the same length")
        stops = self.stop_lon.shape[0]
        if self.transfers and len(self.transfers) != stops:
            raise ValueError("transfers must have one entry per stop")
        if self.stop_change_s is not None and self.stop_change_s.shape != (stops,):
            raise ValueError("stop_change_s must have one value per stop")
        count = self.departure_stop.shape[0]
        for name in ("arrival_stop", "departure_s", "arrival_s", "trip"):
            if getattr(self, name).shape[0] != count:
                raise ValueError(f"{name} must have one value per connection")
        if count == 0:
            return
        if np.any(np.diff(self.departure_s) < 0):
            raise ValueError("connections must be sorted by departure time")
        if np.any(self.arrival_s < self.departure_s):
            raise ValueError("a connection cannot arrive before it departs")
        for name in ("departure_stop", "arrival_stop"):
            values = getattr(self, name)
            if values.min() < 0 or values.max() >= stops:
                raise ValueError(f"{name} must index the stops")

    @property
    def connection_count(self) -> int:
        return int(self.departure_s.shape[0])


def walk_seconds(straight_m: FloatArray) -> FloatArray:
    """Return the walking seconds for straight-line metres (1.3 detour, 70 m/min)."""
    result: FloatArray = straight_m * WALK_DETOUR / WALK_SPEED_M_PER_S
    return result


def latest_stop_departures(
    timetable: Timetable,
    target_lon: float,
    target_lat: float,
    deadline_s: int,
    *,
    change_s: int = MIN_CHANGE_S,
    max_access_m: float = MAX_ACCESS_M,
    window_s: int | None = None,
) -> FloatArray:
    """Return, per stop, the latest time to leave it on foot or aboard and arrive in time.

    A stop's value is the latest departure of a vehicle from it that reaches the target
    by `deadline_s`, or the time one must start walking from it to the target, whichever
    is later. -inf means the target is out of reach from that stop. With `window_s`,
    connections leaving earlier than `deadline_s - window_s` are skipped, which only
    loses journeys longer than the window.
    """
    stops = timetable.stop_lon.shape[0]
    egress_m = haversine_array_m(
        timetable.stop_lon,
        timetable.stop_lat,
        np.full(stops, target_lon),
        np.full(stops, target_lat),
    )
    start = np.full(stops, -np.inf)
    near = egress_m <= max_access_m
    start[near] = deadline_s - walk_seconds(egress_m[near])
    # Plain lists: the scan is sequential, and indexing lists is much faster than arrays.
    latest: list[float] = start.tolist()
    # `alight[s]` is the latest arrival at stop s by vehicle that still gets there in time:
    # walk on from the stop, or change to a later vehicle.
    alight = latest.copy()
    stop_change = _stop_change_seconds(timetable, change_s)
    transfers = timetable.transfers
    on_trip = [False] * (int(timetable.trip.max()) + 1 if timetable.connection_count else 0)

    first = 0
    if window_s is not None:
        first = int(np.searchsorted(timetable.departure_s, deadline_s - window_s, side="left"))
    last = int(np.searchsorted(timetable.departure_s, deadline_s, side="right"))
    departure_stop = timetable.departure_stop[first:last].tolist()
    arrival_stop = timetable.arrival_stop[first:last].tolist()
    departure_s = timetable.departure_s[first:last].tolist()
    arrival_s = timetable.arrival_s[first:last].tolist()
    trip = timetable.trip[first:last].tolist()
    for c in range(last - first - 1, -1, -1):
        k = trip[c]
        if not on_trip[k] and arrival_s[c] > alight[arrival_stop[c]]:
            continue
        # Staying aboard reaches the target, so every earlier connection of this trip
        # (scanned later, as departures decrease) can stay aboard too.
        on_trip[k] = True
        u = departure_stop[c]
        leaves = departure_s[c]
        latest[u] = max(latest[u], leaves)
        alight[u] = max(alight[u], leaves - stop_change[u])
        for v, walk_s, rule_s in transfers[u] if transfers else ():
            latest[v] = max(latest[v], leaves - walk_s)
            change = max(change_s, walk_s) if rule_s is None else rule_s
            alight[v] = max(alight[v], leaves - change)
    result: FloatArray = np.array(latest, dtype=np.float64)
    return result


def _stop_change_seconds(timetable: Timetable, change_s: int) -> list[float]:
    """Return, per stop, the seconds a change at that stop takes (inf: not possible)."""
    rules = timetable.stop_change_s
    if rules is None:
        return [float(change_s)] * timetable.stop_lon.shape[0]
    seconds: list[float] = np.where(np.isnan(rules), float(change_s), rules).tolist()
    return seconds


def door_to_door_minutes(
    timetable: Timetable,
    origins: tuple[FloatArray, FloatArray],
    target: tuple[float, float],
    deadline_s: int,
    *,
    change_s: int = MIN_CHANGE_S,
    max_access_m: float = MAX_ACCESS_M,
    window_s: int | None = None,
) -> FloatArray:
    """Return the minutes from leaving each origin to the deadline, arriving in time.

    `origins` is (longitudes, latitudes) and `target` (longitude, latitude). Walking the
    whole way always counts, so every result is finite: never more than the direct
    walk's time, and more than the ride itself when the volunteer waits at the meeting
    point. `window_s` is passed to `latest_stop_departures`.
    """
    origin_lon, origin_lat = origins
    target_lon, target_lat = target
    direct_m = haversine_array_m(
        origin_lon,
        origin_lat,
        np.full(origin_lon.shape, target_lon),
        np.full(origin_lon.shape, target_lat),
    )
    leave = deadline_s - walk_seconds(direct_m)
    latest = latest_stop_departures(
        timetable,
        target_lon,
        target_lat,
        deadline_s,
        change_s=change_s,
        max_access_m=max_access_m,
        window_s=window_s,
    )
    useful = np.flatnonzero(np.isfinite(latest))
    if useful.shape[0]:
        useful_lon = timetable.stop_lon[useful][None, :]
        useful_lat = timetable.stop_lat[useful][None, :]
        # Blocks of origins keep the (origins x stops) matrix small.
        for start in range(0, origin_lon.shape[0], _ORIGIN_BLOCK):
            block = slice(start, start + _ORIGIN_BLOCK)
            access_m = haversine_array_m(
                origin_lon[block, None], origin_lat[block, None], useful_lon, useful_lat
            )
            by_stop = np.where(
                access_m <= max_access_m, latest[useful][None, :] - walk_seconds(access_m), -np.inf
            )
            leave[block] = np.maximum(leave[block], by_stop.max(axis=1))
    result: FloatArray = (deadline_s - leave) / 60.0
    return result


def sorted_timetable(
    stop_lon: FloatArray,
    stop_lat: FloatArray,
    connections: tuple[IntArray, IntArray, IntArray, IntArray, IntArray],
    rules: Sequence[TransferRule] = (),
) -> Timetable:
    """Build a timetable from unsorted (departure stop, arrival stop, departure s,
    arrival s, trip) arrays, sorting the connections by departure time.

    Ties keep a trip's connections in arrival order, so that a trip that stops for zero
    seconds still lists its connections in the order the vehicle runs them. Stops at
    most ``TRANSFER_WALK_M`` apart are joined for changes on foot, then the transfer
    `rules` between stop indexes apply.
    """
    departure_stop, arrival_stop, departure_s, arrival_s, trip = connections
    order = np.lexsort((arrival_s, departure_s))
    transfers, stop_change_s = apply_transfer_rules(stop_transfers(stop_lon, stop_lat), rules)
    return Timetable(
        transfers=transfers,
        stop_change_s=stop_change_s if rules else None,
        stop_lon=stop_lon,
        stop_lat=stop_lat,
        departure_stop=departure_stop[order],
        arrival_stop=arrival_stop[order],
        departure_s=departure_s[order],
        arrival_s=arrival_s[order],
        trip=trip[order],
    )


def stop_transfers(
    stop_lon: FloatArray, stop_lat: FloatArray, max_m: float = TRANSFER_WALK_M
) -> tuple[tuple[tuple[int, float], ...], ...]:
    """Return, per stop, the other stops within ``max_m`` and the walk to each, in seconds.

    The stops are placed on a plane around their mean latitude, which is exact enough
    over a few hundred metres, and paired with a k-d tree.
    """
    count = stop_lon.shape[0]
    if count == 0:
        return ()
    scale = np.cos(np.radians(float(np.mean(stop_lat))))
    metres_per_degree = np.radians(1.0) * EARTH_RADIUS_M
    xy = np.column_stack([stop_lon * scale, stop_lat]) * metres_per_degree
    pairs = cKDTree(xy).query_pairs(max_m, output_type="ndarray")
    near: list[list[tuple[int, float]]] = [[] for _ in range(count)]
    if pairs.shape[0]:
        first, second = pairs[:, 0], pairs[:, 1]
        straight_m = haversine_array_m(
            stop_lon[first], stop_lat[first], stop_lon[second], stop_lat[second]
        )
        for a, b, seconds in zip(
            first.tolist(), second.tolist(), walk_seconds(straight_m).tolist(), strict=True
        ):
            near[a].append((b, seconds))
            near[b].append((a, seconds))
    return tuple(tuple(sorted(stops)) for stops in near)
