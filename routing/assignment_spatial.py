"""Find the sessions within each volunteer's radius without comparing every pair.

Meeting points are bucketed in a grid of latitude-longitude cells at least as wide as
the common radius, and each home is compared only with the sessions in the cells around
its own. Distances are then checked exactly with the haversine formula.

NOTE: the grid does not wrap around the 180th meridian, as the territories are French
communes, far from it.
"""

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from routing.geo import EARTH_RADIUS_M

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# Homes are matched in chunks so that the temporary arrays stay small.
CHUNK_PAIRS = 4_000_000
MIN_CELL_M = 200.0
# Keeps cells from collapsing near the poles, where no campaign runs.
MAX_ABS_LAT_DEG = 80.0
RING_MARGIN = 1.001
# Homes whose radius spans more cells than this around them are compared with every point.
MAX_RING = 64


@dataclass(frozen=True, slots=True)
class NearbyPairs:
    """Pairs (home index, meeting point index) within the home's radius, with metres."""

    home: IntArray
    point: IntArray
    distance_m: FloatArray


def haversine_array_m(
    lon1: FloatArray, lat1: FloatArray, lon2: FloatArray, lat2: FloatArray
) -> FloatArray:
    """Return great-circle distances in metres between paired points in degrees."""
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    dphi = phi2 - phi1
    dlam = np.radians(lon2 - lon1)
    h = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlam / 2) ** 2
    result: FloatArray = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(h, 1.0)))
    return result


@dataclass(frozen=True, slots=True)
class _Homes:
    """Homes in degrees and the radius of each, in metres."""

    lon: FloatArray
    lat: FloatArray
    radius_m: FloatArray


@dataclass(frozen=True, slots=True)
class _Grid:
    """Meeting points bucketed by cell key, and the cell geometry."""

    cell_lat: float
    cell_lon: float
    width: int
    col_origin: int
    order: IntArray  # point indices sorted by cell key
    sorted_keys: IntArray
    point_lon: FloatArray
    point_lat: FloatArray

    def keys(self, lon: FloatArray, lat: FloatArray) -> tuple[IntArray, IntArray]:
        """Return the row and shifted column of each position's cell."""
        row = np.floor(lat / self.cell_lat).astype(np.int64)
        col = np.floor(lon / self.cell_lon).astype(np.int64) - self.col_origin
        return row, col


def nearby_pairs(
    home_lon: FloatArray,
    home_lat: FloatArray,
    radius_m: FloatArray,
    point_lon: FloatArray,
    point_lat: FloatArray,
) -> NearbyPairs:
    """Return every (home, point) pair at most the home's radius apart, ordered by home.

    Homes with a negative radius (no home) match nothing.
    """
    empty = NearbyPairs(
        np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    )
    active = np.flatnonzero(radius_m >= 0)
    if len(active) == 0 or len(point_lon) == 0:
        return empty
    data = _Homes(home_lon, home_lat, radius_m)
    cell_m = max(float(np.quantile(radius_m[active], 0.9)), MIN_CELL_M)
    grid = _grid(cell_m, home_lat[active], point_lon, point_lat)
    # A pair within the radius is at most radius / R radians apart in latitude, and
    # 1 / cos(latitude) times that in longitude. The margin absorbs rounding.
    rings = np.ceil(radius_m[active] * RING_MARGIN / cell_m).astype(np.int64)
    parts: list[NearbyPairs] = []
    wide = active[rings > MAX_RING]
    per_wide = max(1, CHUNK_PAIRS // len(point_lon))
    for begin in range(0, len(wide), per_wide):
        parts.append(_match_all(grid, wide[begin : begin + per_wide], data))
    for ring in np.unique(rings[rings <= MAX_RING]).tolist():
        homes = active[rings == ring]
        span = 2 * ring + 1
        per_home = max(1, CHUNK_PAIRS // max(1, span * span * 8))
        for begin in range(0, len(homes), per_home):
            chunk = homes[begin : begin + per_home]
            parts.append(_match_chunk(grid, chunk, ring, data))
    home = np.concatenate([p.home for p in parts])
    point = np.concatenate([p.point for p in parts])
    distance = np.concatenate([p.distance_m for p in parts])
    ordering = np.lexsort((point, home))
    return NearbyPairs(home[ordering], point[ordering], distance[ordering])


def _grid(
    cell_m: float, home_lat: FloatArray, point_lon: FloatArray, point_lat: FloatArray
) -> _Grid:
    max_lat = min(
        float(max(np.abs(home_lat).max(), np.abs(point_lat).max())) + 0.5, MAX_ABS_LAT_DEG
    )
    cell_lat = math.degrees(cell_m / EARTH_RADIUS_M)
    cell_lon = cell_lat / math.cos(math.radians(max_lat))
    point_row = np.floor(point_lat / cell_lat).astype(np.int64)
    point_col = np.floor(point_lon / cell_lon).astype(np.int64)
    # Margins around the columns of the meeting points keep neighbour keys from wrapping.
    col_origin = int(point_col.min()) - 1024
    width = int(point_col.max()) - col_origin + 1024
    point_key = point_row * width + (point_col - col_origin)
    order = np.argsort(point_key, kind="stable")
    return _Grid(
        cell_lat=cell_lat,
        cell_lon=cell_lon,
        width=width,
        col_origin=col_origin,
        order=order,
        sorted_keys=point_key[order],
        point_lon=point_lon,
        point_lat=point_lat,
    )


def _match_chunk(
    grid: _Grid,
    homes: IntArray,
    ring: int,
    data: _Homes,
) -> NearbyPairs:
    row, col = grid.keys(data.lon[homes], data.lat[homes])
    # Columns far outside the points' span contain no point, so clipping keeps keys in row.
    col = np.clip(col, -ring, grid.width + ring)
    found_home: list[IntArray] = []
    found_point: list[IntArray] = []
    for d_row in range(-ring, ring + 1):
        for d_col in range(-ring, ring + 1):
            keys = (row + d_row) * grid.width + (col + d_col)
            low = np.searchsorted(grid.sorted_keys, keys, side="left")
            high = np.searchsorted(grid.sorted_keys, keys, side="right")
            counts = high - low
            total = int(counts.sum())
            if total == 0:
                continue
            starts = np.repeat(low - np.cumsum(counts) + counts, counts)
            found_home.append(np.repeat(homes, counts))
            found_point.append(grid.order[starts + np.arange(total)])
    if not found_home:
        zero = np.zeros(0, dtype=np.int64)
        return NearbyPairs(zero, zero.copy(), np.zeros(0, dtype=np.float64))
    return _within(grid, np.concatenate(found_home), np.concatenate(found_point), data)


def _match_all(grid: _Grid, homes: IntArray, data: _Homes) -> NearbyPairs:
    count = len(grid.point_lon)
    home = np.repeat(homes, count)
    point = np.tile(np.arange(count, dtype=np.int64), len(homes))
    return _within(grid, home, point, data)


def _within(
    grid: _Grid,
    home: IntArray,
    point: IntArray,
    data: _Homes,
) -> NearbyPairs:
    distance = haversine_array_m(
        data.lon[home], data.lat[home], grid.point_lon[point], grid.point_lat[point]
    )
    keep = distance <= data.radius_m[home]
    return NearbyPairs(home[keep], point[keep], distance[keep])
