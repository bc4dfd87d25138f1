"""Geographic points and distances on the scale of a commune."""

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray

EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True, slots=True)
class GeoPoint:
    """A WGS84 position in decimal degrees."""

    lon: float
    lat: float


def haversine_m(a: GeoPoint, b: GeoPoint) -> float:
    """Return the great-circle distance between two points, in metres."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat = lat2 - lat1
    dlon = math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def project_m(
    lon: NDArray[np.float64], lat: NDArray[np.float64], ref_lat: float
) -> NDArray[np.float64]:
    """Map lon/lat degrees to local planar metres (equirectangular at ``ref_lat``)."""
    scale = EARTH_RADIUS_M * math.pi / 180.0
    x = np.asarray(lon, dtype=np.float64) * scale * math.cos(math.radians(ref_lat))
    y = np.asarray(lat, dtype=np.float64) * scale
    return np.column_stack([x, y])


def distance_to_line_m(point: GeoPoint, line: Sequence[Sequence[float]]) -> float:
    """Return the distance in metres from a point to a line of (lon, lat) vertices.

    The line is projected around the point, which is exact enough within a commune.
    """
    if not line:
        return math.inf
    lonlat = np.asarray(line, dtype=np.float64).reshape(-1, 2)
    xy = project_m(lonlat[:, 0] - point.lon, lonlat[:, 1] - point.lat, point.lat)
    geometry = shapely.Point(xy[0]) if len(xy) == 1 else shapely.LineString(xy)
    return float(shapely.distance(shapely.Point(0.0, 0.0), geometry))
