"""Point-in-polygon placement of addresses and grid squares into zones (IRIS, stations)."""

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import shapely
import shapely.geometry


def locate_points(
    points: Sequence[tuple[float, float]], zones: Sequence[tuple[str, Mapping[str, Any]]]
) -> list[str | None]:
    """Return the id of the zone that covers each (lon, lat) point, or None if none does.

    ``zones`` are (id, GeoJSON polygon or multipolygon) pairs. A point on the border that
    zones share, or in their overlap, goes to the first of them in ``zones`` order, so
    the answer does not depend on the spatial index. Raises ValueError for an invalid
    zone geometry.
    """
    if not points:
        return []
    shapes = [shapely.geometry.shape(geometry) for _, geometry in zones]
    for (zone_id, _), shape in zip(zones, shapes, strict=True):
        if not shape.is_valid:
            raise ValueError(f"zone {zone_id!r} has an invalid geometry")

    coordinates = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    # "intersects" counts the boundary, where "within" would drop a point on a border.
    point_index, zone_index = shapely.STRtree(shapes).query(
        shapely.points(coordinates), predicate="intersects"
    )
    no_zone = len(zones)
    first_zone = np.full(len(coordinates), no_zone, dtype=np.int64)
    np.minimum.at(first_zone, point_index, zone_index)
    return [None if index == no_zone else zones[index][0] for index in first_zone.tolist()]
