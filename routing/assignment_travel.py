"""How far each volunteer accepts to travel to a meeting point.

A distance limit is a straight-line radius around home. A walking-time limit allows
70 m/min along the streets, and walking follows the streets where the territory has
them: the problem then carries a walking table (`routing.street_reach` builds it from
the street graph), and a pair passes if its walk fits in the time. The streets are
never shorter than the straight line, so the table is only read for pairs within
minutes × 70 m as the crow flies. Without a table, or where the table has no value (a
home or meeting point far from any street), the streets are taken to be 1.3 times as
long as the straight line, a common average for French towns.

A transit-time limit is checked on a timetable where one is imported for the
session's day: the problem then carries a transit table (`routing.transit_reach` builds
it by a backward scan of the day's connections), and a pair passes if the door-to-door
time, waiting at the meeting point included, fits in the limit. The radius around
home then widens to the limit at 60 km/h on the straight line, an assumed ceiling for
door-to-door trips in a city, so that the timetable decides within it. The candidate's
travel cost counts the door-to-door time as metres at 15 km/h, the speed of the
estimate below, so a pair checked on the timetable costs what the estimate would charge
for a trip of the same duration.

NOTE: without a timetable for the session's day (none imported, or no service on that
day), public transport is an estimate at 15 km/h door to door on the straight line
(walk to the stop, wait, ride, walk), an average for a French city. A suburban trip
with a change can be much slower.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from routing.assignment_types import TravelMode, VolunteerInput
from routing.transit_table import TransitTable
from routing.walking_table import WalkingTable

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

WALK_SPEED_M_PER_MIN = 70
# The detour factor 1.3 as a fraction, to keep the arithmetic in integers.
DETOUR_NUMERATOR = 13
DETOUR_DENOMINATOR = 10
TRANSIT_SPEED_M_PER_MIN = 250  # 15 km/h
TRANSIT_REACH_M_PER_MIN = 1000  # 60 km/h, the widest radius checked on a timetable


@dataclass(frozen=True, slots=True)
class TravelLimit:
    """The straight-line radius around home, and whether a travel time set it.

    For a walking time checked on the streets, `walk_m` is the budget along the streets
    and `estimate_m` the straight-line radius used where the walking table has no value.
    `radius_m` is then the widest straight line the pair may span: the budget, or the
    volunteer's distance limit when that is shorter. For a transit time checked on a
    timetable, `transit_minutes` is the limit and `estimate_m` likewise the radius used
    where the transit table has no value.
    """

    radius_m: int
    is_time_based: bool
    walk_m: int | None = None
    estimate_m: int | None = None
    transit_minutes: int | None = None


@dataclass(frozen=True, slots=True)
class TableCheck:
    """The outcome of checking candidate pairs against a walking or transit table.

    `kept` and `distance_m` are aligned with the pairs checked. `over_time` lists the
    volunteers who lost at least one pair to their travel time alone.
    """

    kept: BoolArray
    distance_m: FloatArray
    over_time: IntArray


def radius_for_minutes(minutes: int, mode: TravelMode) -> int:
    """Return the straight-line metres reachable in `minutes` by `mode` (an estimate)."""
    if mode is TravelMode.TRANSIT:
        return minutes * TRANSIT_SPEED_M_PER_MIN
    return minutes * WALK_SPEED_M_PER_MIN * DETOUR_DENOMINATOR // DETOUR_NUMERATOR


def walking_budget_m(volunteer: VolunteerInput) -> int | None:
    """Return the metres a volunteer walks along the streets within their time limit.

    Returns None unless the volunteer set a travel time and walks.
    """
    if volunteer.max_travel_minutes is None or volunteer.travel_mode is not TravelMode.WALK:
        return None
    return volunteer.max_travel_minutes * WALK_SPEED_M_PER_MIN


def transit_budget_minutes(volunteer: VolunteerInput) -> int | None:
    """Return the volunteer's transit-time limit, None unless they set one for transit."""
    if volunteer.travel_mode is not TravelMode.TRANSIT:
        return None
    return volunteer.max_travel_minutes


def travel_limit(
    volunteer: VolunteerInput,
    default_m: int,
    *,
    on_streets: bool = False,
    by_timetable: bool = False,
) -> TravelLimit:
    """Return the volunteer's radius: the stricter of their own limits, else the default.

    With `on_streets`, a walking time is checked on the walking table, so the radius
    widens to what the time allows along a straight street. With `by_timetable`, a
    transit time is checked on the transit table, so the radius widens to 60 km/h.
    """
    by_distance = volunteer.max_distance_m
    if volunteer.max_travel_minutes is None:
        return TravelLimit(default_m if by_distance is None else by_distance, False)
    by_time = radius_for_minutes(volunteer.max_travel_minutes, volunteer.travel_mode)
    estimate = (
        TravelLimit(by_distance, False)
        if by_distance is not None and by_distance <= by_time
        else TravelLimit(by_time, True)
    )
    transit = transit_budget_minutes(volunteer)
    if by_timetable and transit is not None:
        reach_m = transit * TRANSIT_REACH_M_PER_MIN
        if by_distance is not None and by_distance <= reach_m:
            return TravelLimit(
                by_distance, False, estimate_m=estimate.radius_m, transit_minutes=transit
            )
        return TravelLimit(reach_m, True, estimate_m=estimate.radius_m, transit_minutes=transit)
    walk_m = walking_budget_m(volunteer)
    if not on_streets or walk_m is None:
        return estimate
    if by_distance is not None and by_distance <= walk_m:
        return TravelLimit(by_distance, False, walk_m, estimate.radius_m)
    return TravelLimit(walk_m, True, walk_m, estimate.radius_m)


def check_on_streets(
    table: WalkingTable,
    limits: Sequence[TravelLimit],
    pair: tuple[IntArray, IntArray],
    straight_m: FloatArray,
) -> TableCheck:
    """Keep the (volunteer, session) pairs whose walk along the streets fits the time.

    Every pair must already lie within its volunteer's `radius_m`. Pairs of volunteers
    without a walking budget keep their straight-line distance. Where the table has no
    value, the straight line must fit in `estimate_m`, as without a table.
    """
    budgets = [lim.walk_m for lim in limits]
    return _check_on_table(table.metres, budgets, limits, pair, straight_m, metres_per_unit=1)


def check_by_timetable(
    table: TransitTable,
    limits: Sequence[TravelLimit],
    pair: tuple[IntArray, IntArray],
    distance_m: FloatArray,
) -> TableCheck:
    """Keep the (volunteer, session) pairs whose public transport time fits the limit.

    Every pair must already lie within its volunteer's `radius_m`, and `distance_m` is
    the pair's current travel distance (straight line, or walk along the streets).
    Pairs of volunteers without a transit limit keep it. Where the table has a value,
    the distance becomes the minutes at 15 km/h. Where it has none, the straight line
    must fit in `estimate_m`, as without a table.
    """
    budgets = [lim.transit_minutes for lim in limits]
    return _check_on_table(
        table.minutes,
        budgets,
        limits,
        pair,
        distance_m,
        metres_per_unit=TRANSIT_SPEED_M_PER_MIN,
    )


def _check_on_table(
    values: npt.NDArray[np.float32],
    budgets: Sequence[int | None],
    limits: Sequence[TravelLimit],
    pair: tuple[IntArray, IntArray],
    distance_m: FloatArray,
    *,
    metres_per_unit: int,
) -> TableCheck:
    """Check pairs against a table of `values` (metres or minutes) and each budget.

    A volunteer whose budget is None keeps every pair and its distance. A pair with a
    value fits when the value is within the budget, and its distance becomes the value
    times `metres_per_unit`; a pair without one (NaN) fits when `distance_m` is within
    the volunteer's `estimate_m`.
    """
    volunteer, session = pair
    budget = np.array([-1 if b is None else b for b in budgets], dtype=np.int64)
    estimate = np.array([lim.estimate_m or 0 for lim in limits], dtype=np.int64)
    checked = budget[volunteer] >= 0
    found = values[volunteer, session].astype(np.float64)
    on_table = checked & ~np.isnan(found)
    fits_table = found <= budget[volunteer]
    fits_estimate = distance_m <= estimate[volunteer]
    kept = ~checked | np.where(on_table, fits_table, fits_estimate)
    distance: FloatArray = np.where(on_table, found * metres_per_unit, distance_m)
    return TableCheck(kept=kept, distance_m=distance, over_time=np.unique(volunteer[~kept]))
