"""Projection of points (doors, meeting points) on the nearest street edge.

Edges are indexed as straight segments in a shapely STRtree, in a local equirectangular
projection in metres centred on the graph's mean latitude. Over a commune (a few
kilometres) that projection is within a fraction of a percent of the true distances.
Searching in metres rather than degrees matters: near Paris a degree of longitude is only
two thirds as long as a degree of latitude.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

import numpy as np
import shapely
from numpy.typing import NDArray

from routing.geo import GeoPoint, project_m

# A point closer than this to the edge line is on the edge, neither left nor right.
ON_EDGE_TOLERANCE_M = 0.01


class Side(IntEnum):
    """Side of an edge, looking from its first vertex towards its second."""

    RIGHT = -1
    ON_EDGE = 0
    LEFT = 1


@dataclass(frozen=True, eq=False)
class EdgeIndex:
    """Spatial index of a subset of edges as planar segments."""

    edge_ids: NDArray[np.int64]
    start_xy: NDArray[np.float64]
    end_xy: NDArray[np.float64]
    start_lonlat: NDArray[np.float64]
    end_lonlat: NDArray[np.float64]
    ref_lat: float
    tree: shapely.STRtree

    def project(self, lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.float64]:
        """Return planar (x, y) metres for lon/lat arrays."""
        return project_m(lon, lat, self.ref_lat)


@dataclass(frozen=True, eq=False)
class SnapResult:
    """Where each input point meets the street network.

    ``fraction`` is 0 at the edge's first vertex and 1 at its second. ``offset_m`` is the
    distance from the point to its projection. ``side`` contains ``Side`` values.
    """

    points: tuple[GeoPoint, ...]
    edge: NDArray[np.int32]
    fraction: NDArray[np.float64]
    offset_m: NDArray[np.float64]
    side: NDArray[np.int8]
    snapped_lon: NDArray[np.float64]
    snapped_lat: NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.points)

    def snapped_point(self, i: int) -> GeoPoint:
        """Return the projection of point ``i`` on its edge."""
        return GeoPoint(float(self.snapped_lon[i]), float(self.snapped_lat[i]))

    def subset(self, indices: Sequence[int] | NDArray[np.integer]) -> SnapResult:
        """Return the snaps of the given points, in the given order."""
        rows = np.asarray(indices, dtype=np.int64)
        return SnapResult(
            points=tuple(self.points[int(i)] for i in rows),
            edge=self.edge[rows],
            fraction=self.fraction[rows],
            offset_m=self.offset_m[rows],
            side=self.side[rows],
            snapped_lon=self.snapped_lon[rows],
            snapped_lat=self.snapped_lat[rows],
        )

    def side_of(self, i: int) -> Side:
        """Return the side of its edge that point ``i`` lies on."""
        return Side(int(self.side[i]))


def build_edge_index(
    node_lon: NDArray[np.float64],
    node_lat: NDArray[np.float64],
    edge_u: NDArray[np.int32],
    edge_v: NDArray[np.int32],
    *,
    edge_ids: NDArray[np.int64],
    ref_lat: float,
) -> EdgeIndex:
    """Index the given edges as planar segments for nearest-edge queries."""
    u, v = edge_u[edge_ids], edge_v[edge_ids]
    start_lonlat = np.column_stack([node_lon[u], node_lat[u]])
    end_lonlat = np.column_stack([node_lon[v], node_lat[v]])
    start_xy = project_m(start_lonlat[:, 0], start_lonlat[:, 1], ref_lat)
    end_xy = project_m(end_lonlat[:, 0], end_lonlat[:, 1], ref_lat)
    segments = shapely.linestrings(np.stack([start_xy, end_xy], axis=1))
    return EdgeIndex(
        edge_ids=edge_ids.astype(np.int64),
        start_xy=start_xy,
        end_xy=end_xy,
        start_lonlat=start_lonlat,
        end_lonlat=end_lonlat,
        ref_lat=ref_lat,
        tree=shapely.STRtree(segments),
    )


def snap_to_edges(index: EdgeIndex, points: Sequence[GeoPoint]) -> SnapResult:
    """Project each point on the nearest edge of the index."""
    lon = np.array([p.lon for p in points], dtype=np.float64)
    lat = np.array([p.lat for p in points], dtype=np.float64)
    if not (np.all(np.isfinite(lon)) and np.all(np.isfinite(lat))):
        raise ValueError("cannot snap a point with a non-finite longitude or latitude")
    if index.edge_ids.shape[0] == 0:
        raise ValueError("cannot snap points on a graph without edges")
    xy = index.project(lon, lat)
    local = _nearest_segment(index, xy)

    a, b = index.start_xy[local], index.end_xy[local]
    ab = b - a
    ap = xy - a
    squared = np.einsum("ij,ij->i", ab, ab)
    fraction = np.clip(np.einsum("ij,ij->i", ap, ab) / squared, 0.0, 1.0)
    foot = a + fraction[:, None] * ab
    offset_m = np.hypot(xy[:, 0] - foot[:, 0], xy[:, 1] - foot[:, 1])
    cross = ab[:, 0] * ap[:, 1] - ab[:, 1] * ap[:, 0]
    side = np.where(offset_m < ON_EDGE_TOLERANCE_M, 0, np.sign(cross)).astype(np.int8)
    # The projection is linear, so interpolating in degrees gives the same foot point.
    snapped = index.start_lonlat[local] + fraction[:, None] * (
        index.end_lonlat[local] - index.start_lonlat[local]
    )
    return SnapResult(
        points=tuple(points),
        edge=index.edge_ids[local].astype(np.int32),
        fraction=fraction,
        offset_m=offset_m,
        side=side,
        snapped_lon=snapped[:, 0].copy(),
        snapped_lat=snapped[:, 1].copy(),
    )


def _nearest_segment(index: EdgeIndex, xy: NDArray[np.float64]) -> NDArray[np.int64]:
    """Return, per point, the position in the index of its nearest segment.

    Ties (a point on a vertex shared by several edges) go to the lowest edge id, so the
    result does not depend on the tree's traversal order.
    """
    count = xy.shape[0]
    if count == 0:
        return np.zeros(0, dtype=np.int64)
    pairs = index.tree.query_nearest(shapely.points(xy), all_matches=True)
    point_ids, segment_ids = pairs[0], pairs[1]
    order = np.lexsort((index.edge_ids[segment_ids], point_ids))
    point_ids, segment_ids = point_ids[order], segment_ids[order]
    first = np.ones(point_ids.shape[0], dtype=bool)
    first[1:] = point_ids[1:] != point_ids[:-1]
    nearest = np.empty(count, dtype=np.int64)
    nearest[point_ids[first]] = segment_ids[first]
    return nearest
