"""The printed walk sheet: each street's doors by side, large buildings, the path as a plan.

French streets number odd doors on one side and even doors on the other, so a sheet that
lists the two sides apart lets a team split up along a street without crossing it.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from itertools import zip_longest

from webapp.services.route_view import RouteSheet, RouteStop, StreetSection

# From this many estimated dwellings, a door is flagged as an apartment building.
LARGE_BUILDING_DWELLINGS = 5

EARTH_RADIUS_M = 6_371_000
# A lone door or a very short street is drawn as if it spanned this much, not as a dot.
MIN_PLAN_SPAN_M = 80.0
SCALE_BAR_LENGTHS_M = (10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10_000)


class Side(StrEnum):
    ODD = "odd"
    EVEN = "even"
    UNNUMBERED = "unnumbered"


def side_of(stop: RouteStop) -> Side:
    """Return the side of the street a door is on, from the parity of its number."""
    number = stop.house_number
    if number is None:
        return Side.UNNUMBERED
    return Side.EVEN if number % 2 == 0 else Side.ODD


def is_large_building(stop: RouteStop) -> bool:
    """Return whether the door leads to enough dwellings to flag it as a building."""
    return stop.dwellings >= LARGE_BUILDING_DWELLINGS


@dataclass(frozen=True)
class StreetSides:
    """One street's doors split by side, each side in walking order."""

    street: str
    odd: tuple[RouteStop, ...]
    even: tuple[RouteStop, ...]
    unnumbered: tuple[RouteStop, ...]

    @property
    def rows(self) -> tuple[tuple[RouteStop | None, RouteStop | None], ...]:
        """Pair the n-th odd door with the n-th even door, for a two-column table."""
        return tuple(zip_longest(self.odd, self.even))

    @property
    def first_step(self) -> int:
        return min(stop.step for stop in (*self.odd, *self.even, *self.unnumbered))

    @property
    def last_step(self) -> int:
        return max(stop.step for stop in (*self.odd, *self.even, *self.unnumbered))


def split_sides(section: StreetSection) -> StreetSides:
    """Split a street's doors into odd, even and unnumbered ones, keeping walking order."""
    by_side: dict[Side, list[RouteStop]] = {side: [] for side in Side}
    for stop in section.stops:
        by_side[side_of(stop)].append(stop)
    return StreetSides(
        street=section.street,
        odd=tuple(by_side[Side.ODD]),
        even=tuple(by_side[Side.EVEN]),
        unnumbered=tuple(by_side[Side.UNNUMBERED]),
    )


def total_dwellings(sheet: RouteSheet) -> int:
    """Return the estimated number of dwellings behind the doors of the sheet's figures.

    Those are the route's doors, or the doors of the walk left after a re-planning
    (`RouteSheet.walk_stops`).
    """
    return sum(stop.dwellings for stop in sheet.walk_stops)


@dataclass(frozen=True)
class PlanDoor:
    step: int
    x: float
    y: float
    # The last step at this point when several doors share it, such as a residence's.
    last_step: int | None = None

    @property
    def label(self) -> str:
        return str(self.step) if self.last_step is None else f"{self.step}–{self.last_step}"


@dataclass(frozen=True)
class RoutePlan:
    """The route projected into a ``width`` × ``height`` box, north up.

    ``y`` grows upwards (PDF) unless the plan was drawn with ``is_y_down`` (SVG).
    """

    width: float
    height: float
    path: tuple[tuple[float, float], ...]
    doors: tuple[PlanDoor, ...]
    meeting: tuple[float, float]
    scale_bar_m: int
    scale_bar_length: float
    # Where the route ends when not back at the meeting point (a public-transport stop).
    end: tuple[float, float] | None = None


def project_route(
    sheet: RouteSheet,
    *,
    width: float,
    height: float,
    margin: float = 0.0,
    is_y_down: bool = False,
) -> RoutePlan:
    """Project the path, the doors and the meeting point to fit a box, keeping proportions.

    An equirectangular projection around the route's middle is exact enough for the few
    kilometres a team walks.
    """
    if width <= 2 * margin or height <= 2 * margin:
        raise ValueError(f"a {width} x {height} box leaves no room inside a {margin} margin")
    points = [*sheet.path, *((stop.lon, stop.lat) for stop in sheet.stops)]
    points.append((sheet.meeting_lon, sheet.meeting_lat))
    end = _end_of(sheet)
    if end is not None:
        points.append(end)
    lons = [lon for lon, _lat in points]
    lats = [lat for _lon, lat in points]
    centre_lon = (min(lons) + max(lons)) / 2
    centre_lat = (min(lats) + max(lats)) / 2
    metres_per_degree_lat = math.radians(1) * EARTH_RADIUS_M
    metres_per_degree_lon = metres_per_degree_lat * math.cos(math.radians(centre_lat))
    span_x_m = max((max(lons) - min(lons)) * metres_per_degree_lon, MIN_PLAN_SPAN_M)
    span_y_m = max((max(lats) - min(lats)) * metres_per_degree_lat, MIN_PLAN_SPAN_M)
    units_per_m = min((width - 2 * margin) / span_x_m, (height - 2 * margin) / span_y_m)

    def place(lon: float, lat: float) -> tuple[float, float]:
        x = width / 2 + (lon - centre_lon) * metres_per_degree_lon * units_per_m
        north = (lat - centre_lat) * metres_per_degree_lat * units_per_m
        y = height / 2 - north if is_y_down else height / 2 + north
        return (round(x, 2), round(y, 2))

    scale_bar_m = _scale_bar_m(width / 4 / units_per_m)
    return RoutePlan(
        width=width,
        height=height,
        path=tuple(place(lon, lat) for lon, lat in sheet.path),
        doors=_plan_doors(sheet, place),
        meeting=place(sheet.meeting_lon, sheet.meeting_lat),
        scale_bar_m=scale_bar_m,
        scale_bar_length=round(scale_bar_m * units_per_m, 2),
        end=None if end is None else place(*end),
    )


def _plan_doors(
    sheet: RouteSheet, place: Callable[[float, float], tuple[float, float]]
) -> tuple[PlanDoor, ...]:
    """Return one mark per point: doors that share a point share a mark with their steps."""
    steps: dict[tuple[float, float], list[int]] = {}
    for stop in sheet.stops:
        steps.setdefault((stop.lon, stop.lat), []).append(stop.step)
    return tuple(
        PlanDoor(found[0], *place(lon, lat), last_step=found[-1] if len(found) > 1 else None)
        for (lon, lat), found in steps.items()
    )


def _end_of(sheet: RouteSheet) -> tuple[float, float] | None:
    """Return the (lon, lat) where the route ends, when not at the meeting point."""
    if not sheet.end_point or sheet.end_lon is None or sheet.end_lat is None:
        return None
    return (sheet.end_lon, sheet.end_lat)


def _scale_bar_m(longest_m: float) -> int:
    """Return the longest round length that fits in `longest_m`, or the shortest one."""
    fitting = [length for length in SCALE_BAR_LENGTHS_M if length <= longest_m]
    return fitting[-1] if fitting else SCALE_BAR_LENGTHS_M[0]
