"""Generated street grids with houses along both sides, for routing benchmarks.

A grid is a Manhattan-like network of residential streets 100 m apart, with an optional
wide avenue (``primary``) every few streets. Houses stand along every block face, on both
sides of the street, set back from the centre line; some are small blocks of flats. The
same seed always gives the same streets and houses.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from routing.geo import EARTH_RADIUS_M, GeoPoint
from routing.route_types import Door
from routing.street_graph import StreetWay

BLOCK_M = 100.0
HOUSE_SPACING_M = 12.0
NARROW_SETBACK_M = 8.0
WIDE_SETBACK_M = 16.0
# Reference latitude near Paris, so that degrees of longitude are shorter than degrees
# of latitude as on real data.
ORIGIN = GeoPoint(2.48, 48.90)


@dataclass(frozen=True, slots=True)
class Grid:
    """Streets, houses and the meeting point (the crossing nearest the centre)."""

    ways: tuple[StreetWay, ...]
    doors: tuple[Door, ...]
    meeting_point: GeoPoint


def at(x_m: float, y_m: float) -> GeoPoint:
    """Return the point x metres east and y metres north of the grid's origin."""
    lat = ORIGIN.lat + math.degrees(y_m / EARTH_RADIUS_M)
    lon = ORIGIN.lon + math.degrees(x_m / (EARTH_RADIUS_M * math.cos(math.radians(ORIGIN.lat))))
    return GeoPoint(lon, lat)


def street_grid(address_count: int, *, seed: int = 1, avenue_every: int = 4) -> Grid:
    """Return a square grid with exactly ``address_count`` houses.

    Every ``avenue_every``-th street (0 for none) is a wide ``primary`` avenue.
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible streets, not a secret
    per_face = int((BLOCK_M - 2 * NARROW_SETBACK_M) // HOUSE_SPACING_M) + 1
    # Each crossing brings about two street segments, each with two faces.
    crossings = math.ceil(math.sqrt(address_count / (4 * per_face) * 1.15)) + 1
    size = max(2, crossings)
    ways = _ways(size, avenue_every)
    houses = _houses(size, avenue_every, per_face)
    if len(houses) < address_count:
        raise ValueError(f"grid of {size} streets holds only {len(houses)} houses")
    chosen = sorted(rng.sample(range(len(houses)), address_count))
    doors = []
    for door_id, index in enumerate(chosen, start=1):
        point, street, number = houses[index]
        dwellings = rng.choice((2, 4, 6)) if rng.random() < 0.08 else 1
        doors.append(Door(door_id, point, street, number, dwellings))
    middle = (size // 2) * BLOCK_M
    return Grid(tuple(ways), tuple(doors), at(middle, middle))


def _is_avenue(line: int, avenue_every: int) -> bool:
    return avenue_every > 0 and line % avenue_every == avenue_every - 1


def _ways(size: int, avenue_every: int) -> list[StreetWay]:
    """Return one way per street line, with a vertex at every crossing."""
    ways = []
    for line in range(size):
        highway = "primary" if _is_avenue(line, avenue_every) else "residential"
        offset = line * BLOCK_M
        along = [k * BLOCK_M for k in range(size)]
        east = tuple(_lonlat(at(x, offset)) for x in along)
        north = tuple(_lonlat(at(offset, y)) for y in along)
        ways.append(StreetWay(f"h{line}", f"Rue H{line}", highway, east))
        ways.append(StreetWay(f"v{line}", f"Rue V{line}", highway, north))
    return ways


def _houses(size: int, avenue_every: int, per_face: int) -> list[tuple[GeoPoint, str, str]]:
    """Return every possible house: position, street name and number."""
    houses = []
    for line in range(size):
        setback = WIDE_SETBACK_M if _is_avenue(line, avenue_every) else NARROW_SETBACK_M
        for orientation in ("h", "v"):
            number = 0
            for block in range(size - 1):
                start = block * BLOCK_M + NARROW_SETBACK_M
                for k in range(per_face):
                    along = start + k * HOUSE_SPACING_M
                    for side in (-1, 1):
                        number += 1
                        across = line * BLOCK_M + side * setback
                        point = at(along, across) if orientation == "h" else at(across, along)
                        houses.append((point, f"Rue {orientation.upper()}{line}", str(number)))
    return houses


def _lonlat(point: GeoPoint) -> tuple[float, float]:
    return (point.lon, point.lat)
