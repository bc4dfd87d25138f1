"""The volunteers a freed place could go to, narrowed in SQL before the planner's checks.

`webapp.services.replacement` runs the planner's index for one session on the volunteers
read here. Each filter is a condition that the index's own rules imply, so it drops
nobody whom the index would keep, and the index only sees volunteers who could fit:

- never assigned to the session, declined assignments included;
- free at the session's start: the index needs one free interval that contains the
  whole session, and some weekly slot or extra hours of that day contains its first
  minute;
- a home within reach of the meeting point: the index keeps a home within the
  volunteer's radius (`routing.assignment_travel.travel_limit`), which never exceeds
  `reach_bound_m`, and such a home lies in a latitude band and a longitude window around
  the meeting point.
"""

import math
from datetime import datetime, time

from sqlalchemy import ColumnElement, and_, case, exists, func, or_
from sqlalchemy.orm import Session

from routing.assignment_travel import TRANSIT_SPEED_M_PER_MIN, WALK_SPEED_M_PER_MIN
from routing.assignment_types import TravelMode
from routing.geo import EARTH_RADIUS_M
from webapp.models import Assignment, CanvassSession, User, VolunteerProfile
from webapp.models.users import AvailabilityException, AvailabilitySlot
from webapp.services.assignment_inputs import campaign_volunteers
from webapp.services.localtime import to_local_naive

METRES_PER_DEGREE = EARTH_RADIUS_M * math.pi / 180
# Widens each bound by 1 m per km, so that rounding in the database keeps a home that
# lies on the edge of a volunteer's radius.
ROUNDING_MARGIN = 1.001
# Homes of volunteers who accept longer trips are filtered on latitude only.
LONGITUDE_FILTER_MAX_M = 200_000


def read_candidates(
    session: Session, canvass: CanvassSession, default_distance_m: int
) -> list[User]:
    """Return the campaign's enabled volunteers who could fit `canvass`, by id.

    `default_distance_m` is the radius of volunteers who set no limit, as the index
    gets it. The index still checks the hours, the exact radius, rest and weekly caps.
    """
    return campaign_volunteers(
        session,
        canvass.campaign_id,
        narrowed_by=(
            ~exists().where(Assignment.session_id == canvass.id, Assignment.user_id == User.id),
            _free_at_start(canvass),
            _within_reach(canvass, default_distance_m),
        ),
    )


def reach_bound_m(default_distance_m: int) -> ColumnElement[int]:
    """Return, for a volunteer profile, the metres that their radius never exceeds.

    Their own distance limit when set, as the radius is the stricter of it and the
    travel time. Otherwise the distance their travel time allows at 70 m/min on foot
    (the radius is shorter, 1.3 times fewer metres) or at 15 km/h by public transport,
    and the default distance without a travel time either.

    NOTE: this holds for an index built without walking or transit tables, as
    `webapp.services.replacement` builds it. A transit table widens the radius to
    60 km/h.
    """
    profile = VolunteerProfile
    speed = case(
        (profile.travel_mode == TravelMode.TRANSIT.value, TRANSIT_SPEED_M_PER_MIN),
        else_=WALK_SPEED_M_PER_MIN,
    )
    by_time = case(
        (profile.max_travel_minutes.is_(None), default_distance_m),
        else_=profile.max_travel_minutes * speed,
    )
    return func.coalesce(profile.max_distance_m, by_time)


def longitude_metres_per_degree(lat: float, lon: float) -> float | None:
    """Return a scale s such that a home d metres from the point (lon, lat), with d at
    most `LONGITUDE_FILTER_MAX_M`, lies within d / s degrees of longitude of it.

    Returns None near a pole or near the 180th meridian, where no such scale exists.
    """
    # Both latitudes are within `highest` radians of the equator, so the haversine
    # formula gives sin(d / 2R) >= cos(highest) * sin(dlon / 2).
    widest = LONGITUDE_FILTER_MAX_M / EARTH_RADIUS_M
    highest = math.radians(abs(lat)) + widest
    if highest >= math.pi / 2:
        return None
    cos_highest = math.cos(highest)
    widest_sine = math.sin(widest / 2) / cos_highest
    if widest_sine >= 1:
        return None
    half_span = math.asin(widest_sine)
    if abs(lon) + math.degrees(2 * half_span) >= 180:
        return None

    # asin(y) / y grows with y, so up to `widest_sine` it is at most `stretch`. With
    # sin(x) <= x, that gives dlon <= d * stretch / (R * cos(highest)).
    stretch = half_span / widest_sine
    return METRES_PER_DEGREE * cos_highest / stretch


def _free_at_start(canvass: CanvassSession) -> ColumnElement[bool]:
    """Return a filter on users with a weekly slot or extra hours that contain the
    session's first minute, rounded as the planner's timeline rounds it."""
    starts = to_local_naive(canvass.starts_at)
    midnight = datetime.combine(starts.date(), time())
    start = math.floor((starts - midnight).total_seconds() / 60)
    end = math.ceil((to_local_naive(canvass.ends_at) - midnight).total_seconds() / 60)
    # A free interval that contains [start, end] is made of slots and extra hours that
    # touch or overlap. One of them begins by `start` and lasts past it, or up to `end`
    # when the session has no length.
    reach = min(start + 1, end)

    weekly = exists().where(
        AvailabilitySlot.user_id == User.id,
        AvailabilitySlot.weekday == starts.weekday(),
        AvailabilitySlot.start_minute <= start,
        AvailabilitySlot.end_minute >= reach,
    )

    extra_hours = and_(
        AvailabilityException.start_minute <= start, AvailabilityException.end_minute >= reach
    )
    extra = exists().where(
        AvailabilityException.user_id == User.id,
        AvailabilityException.on_date == starts.date(),
        AvailabilityException.is_available.is_(True),
        # Without both minutes, the extra hours cover the whole day.
        or_(
            AvailabilityException.start_minute.is_(None),
            AvailabilityException.end_minute.is_(None),
            extra_hours,
        ),
    )

    return or_(weekly, extra)


def _within_reach(canvass: CanvassSession, default_distance_m: int) -> ColumnElement[bool]:
    """Return a filter on users whose home lies within their reach bound of the meeting
    point in latitude and, where a window applies, in longitude."""
    profile = VolunteerProfile
    bound = reach_bound_m(default_distance_m)
    widened = bound * ROUNDING_MARGIN
    # A home d metres away is at most d / R radians away in latitude.
    conditions = [
        profile.user_id == User.id,
        profile.home_lon.is_not(None),
        profile.home_lat.is_not(None),
        func.abs(profile.home_lat - canvass.meeting_lat) * METRES_PER_DEGREE <= widened,
    ]
    scale = longitude_metres_per_degree(canvass.meeting_lat, canvass.meeting_lon)
    if scale is not None:
        east_west = func.abs(profile.home_lon - canvass.meeting_lon) * scale
        conditions.append(or_(bound > LONGITUDE_FILTER_MAX_M, east_west <= widened))
    return exists().where(*conditions)
