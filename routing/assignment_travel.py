"""How far each volunteer accepts to travel to a meeting point, as a straight-line radius.

No street or timetable data is used here: a travel-time limit becomes a distance with a
fixed speed. Walking follows the streets at 70 m/min, and streets are taken to be 1.3
times as long as the straight line, a common average for French towns.

NOTE: there is no public-transport timetable data yet. Transit is estimated at 15 km/h
door to door on the straight line (walk to the stop, wait, ride, walk), an average for
a French city. A suburban trip with a change can be much slower.
"""

from dataclasses import dataclass

from routing.assignment_types import TravelMode, VolunteerInput

WALK_SPEED_M_PER_MIN = 70
# The detour factor 1.3 as a fraction, to keep the arithmetic in integers.
DETOUR_NUMERATOR = 13
DETOUR_DENOMINATOR = 10
TRANSIT_SPEED_M_PER_MIN = 250  # 15 km/h


@dataclass(frozen=True, slots=True)
class TravelLimit:
    """The straight-line radius around home, and whether a travel time set it."""

    radius_m: int
    is_time_based: bool


def radius_for_minutes(minutes: int, mode: TravelMode) -> int:
    """Return the straight-line metres reachable in `minutes` by `mode` (an estimate)."""
    if mode is TravelMode.TRANSIT:
        return minutes * TRANSIT_SPEED_M_PER_MIN
    return minutes * WALK_SPEED_M_PER_MIN * DETOUR_DENOMINATOR // DETOUR_NUMERATOR


def travel_limit(volunteer: VolunteerInput, default_m: int) -> TravelLimit:
    """Return the volunteer's radius: the stricter of their own limits, else the default."""
    by_distance = volunteer.max_distance_m
    if volunteer.max_travel_minutes is None:
        return TravelLimit(default_m if by_distance is None else by_distance, False)
    by_time = radius_for_minutes(volunteer.max_travel_minutes, volunteer.travel_mode)
    if by_distance is not None and by_distance <= by_time:
        return TravelLimit(by_distance, False)
    return TravelLimit(by_time, True)
