"""Generated assignment instances at national scale, for `benchmarks.assignment_scale`.

A weekend of canvassing over many communes: each commune has a centre, a size drawn
from a heavy-tailed law (a few cities, many small towns), and its sessions and
volunteers scattered around the centre. Volunteers only reach sessions near home, so
the number of candidate pairs grows with the volunteers, not with their product.
Nothing here compares every volunteer with every session: eligibility is left to the
planner, which buckets meeting points in a grid.
"""

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from routing.assignment_types import (
    AssignmentProblem,
    DatedException,
    SessionInput,
    TravelMode,
    VolunteerInput,
    WeeklySlot,
)
from routing.geo import EARTH_RADIUS_M, GeoPoint

SATURDAY = date(2027, 3, 6)
# Session windows of a canvassing weekend: (day offset, start minute, end minute).
WINDOWS = (
    (0, 10 * 60, 12 * 60),
    (0, 14 * 60, 16 * 60),
    (0, 17 * 60, 19 * 60),
    (1, 10 * 60, 12 * 60),
    (1, 14 * 60 + 30, 16 * 60 + 30),
)
# Weekly slots a volunteer may give: Saturday and Sunday, mornings and afternoons.
SLOTS = (
    WeeklySlot(5, 9 * 60, 13 * 60),
    WeeklySlot(5, 13 * 60 + 30, 20 * 60),
    WeeklySlot(6, 9 * 60, 13 * 60),
    WeeklySlot(6, 14 * 60, 19 * 60),
)
LANGUAGES = ("ar", "tr", "pt", "ta", "ro", "zh")
# Mainland France, roughly.
LON_RANGE = (-1.2, 7.0)
LAT_RANGE = (43.3, 50.5)


@dataclass(frozen=True, slots=True)
class Commune:
    centre: GeoPoint
    spread_m: float
    share: float


def offset(point: GeoPoint, east_m: float, north_m: float) -> GeoPoint:
    """Return the point moved by the given metres east and north."""
    lat = point.lat + math.degrees(north_m / EARTH_RADIUS_M)
    lon = point.lon + math.degrees(east_m / (EARTH_RADIUS_M * math.cos(math.radians(point.lat))))
    return GeoPoint(lon=lon, lat=lat)


def communes(rng: random.Random, count: int) -> list[Commune]:
    """Draw communes with Pareto sizes: a few large cities and many small towns."""
    sizes = [rng.paretovariate(1.2) for _ in range(count)]
    total = sum(sizes)
    result = []
    for size in sizes:
        centre = GeoPoint(lon=rng.uniform(*LON_RANGE), lat=rng.uniform(*LAT_RANGE))
        result.append(Commune(centre, 1200.0 * math.sqrt(size), size / total))
    return result


def scatter(rng: random.Random, commune: Commune) -> GeoPoint:
    return offset(commune.centre, rng.gauss(0, commune.spread_m), rng.gauss(0, commune.spread_m))


def pick_commune(rng: random.Random, towns: list[Commune], cumulative: list[float]) -> Commune:
    position = rng.random()
    low, high = 0, len(cumulative) - 1
    while low < high:
        middle = (low + high) // 2
        if cumulative[middle] < position:
            low = middle + 1
        else:
            high = middle
    return towns[low]


def make_session(rng: random.Random, sid: int, place: GeoPoint) -> SessionInput:
    day, start, end = rng.choice(WINDOWS)
    origin = datetime.combine(SATURDAY, datetime.min.time()) + timedelta(days=day)
    low = rng.choice([2, 2, 4])
    return SessionInput(
        id=sid,
        starts_at=origin + timedelta(minutes=start),
        ends_at=origin + timedelta(minutes=end),
        meeting_point=place,
        min_volunteers=low,
        max_volunteers=rng.choice([4, 6, 6, 8, 10]),
        weight=round(rng.uniform(0.0, 100.0), 1),
        languages=frozenset(rng.sample(LANGUAGES, 1)) if rng.random() < 0.1 else frozenset(),
    )


def make_volunteer(rng: random.Random, vid: int, home: GeoPoint) -> VolunteerInput:
    slots = tuple(
        sorted(
            rng.sample(SLOTS, rng.choice([1, 1, 2, 2, 3])),
            key=lambda s: (s.weekday, s.start_minute),
        )
    )
    exceptions: tuple[DatedException, ...] = ()
    if rng.random() < 0.05:
        exceptions = (DatedException(SATURDAY + timedelta(days=1), is_available=False),)
    travel = rng.random()
    return VolunteerInput(
        id=vid,
        home=home,
        availability=slots,
        is_experienced=rng.random() < 0.4,
        max_distance_m=rng.choice([1500, 2500, 3000, 4000]) if travel < 0.5 else None,
        exceptions=exceptions,
        max_travel_minutes=rng.choice([20, 30, 40]) if travel >= 0.5 else None,
        travel_mode=TravelMode.TRANSIT if travel > 0.9 else TravelMode.WALK,
        max_sessions_per_week=1 if rng.random() < 0.1 else None,
        languages=frozenset(rng.sample(LANGUAGES, 1)) if rng.random() < 0.15 else frozenset(),
    )


def national_weekend(
    volunteer_count: int,
    session_count: int,
    commune_count: int,
    *,
    seed: int = 2027,
    time_limit_s: float = 10.0,
    workers: int = 2,
) -> AssignmentProblem:
    """Build a weekend over `commune_count` communes with every rule in play.

    Friends: 5 % of volunteers name a neighbour of the same commune. 5 % of the
    volunteers already had a session (the plan is being redone), 10 % take at most one
    session a week, 5 % have a day off on Sunday.
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    towns = communes(rng, commune_count)
    cumulative = []
    running = 0.0
    for town in towns:
        running += town.share
        cumulative.append(running)
    cumulative[-1] = 1.0
    sessions = [
        make_session(rng, sid, scatter(rng, pick_commune(rng, towns, cumulative)))
        for sid in range(1, session_count + 1)
    ]
    homes: list[tuple[Commune, GeoPoint]] = []
    for _ in range(volunteer_count):
        town = pick_commune(rng, towns, cumulative)
        homes.append((town, scatter(rng, town)))
    volunteers = [make_volunteer(rng, vid, home) for vid, (_, home) in enumerate(homes, start=1)]
    by_town: dict[int, list[int]] = {}
    for position, (town, _) in enumerate(homes):
        by_town.setdefault(id(town), []).append(position)
    result = []
    for position, v in enumerate(volunteers):
        partner = None
        if rng.random() < 0.05:
            neighbours = by_town[id(homes[position][0])]
            other = neighbours[rng.randrange(len(neighbours))]
            partner = volunteers[other].id if other != position else None
        previous = (rng.randint(1, session_count),) if rng.random() < 0.05 else ()
        result.append(
            VolunteerInput(
                id=v.id,
                home=v.home,
                availability=v.availability,
                is_experienced=v.is_experienced,
                max_distance_m=v.max_distance_m,
                exceptions=v.exceptions,
                max_travel_minutes=v.max_travel_minutes,
                travel_mode=v.travel_mode,
                max_sessions_per_week=v.max_sessions_per_week,
                languages=v.languages,
                partner_id=partner,
                previous_session_ids=previous,
            )
        )
    return AssignmentProblem(
        volunteers=tuple(result),
        sessions=tuple(sessions),
        time_limit_s=time_limit_s,
        workers=workers,
    )
