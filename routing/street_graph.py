"""Walkable street network as an undirected graph of numpy arrays and a scipy CSR matrix."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from routing.geo import EARTH_RADIUS_M, GeoPoint
from routing.snapping import EdgeIndex, SnapResult, build_edge_index, snap_to_edges

logger = logging.getLogger(__name__)

# Way coordinates closer than this (in degrees, about 1 cm) are the same vertex. OSM
# stores 7 decimals, so shared nodes of two ways merge exactly.
COORDINATE_PRECISION_DEG = 1e-7


@dataclass(frozen=True, slots=True)
class StreetWay:
    """A walkable way, its coordinates as (lon, lat) pairs in drawing order."""

    way_id: str
    name: str | None
    highway: str
    coordinates: tuple[tuple[float, float], ...]


@dataclass(frozen=True, eq=False)
class StreetGraph:
    """Undirected street graph: vertices, edges with lengths, and a snapping index.

    Edge ``i`` runs from vertex ``edge_u[i]`` to ``edge_v[i]`` in the drawing order of its
    way, which fixes what "left" and "right" mean when a point is snapped onto it.
    ``edge_way[i]`` is the position of that way in the input of ``build_street_graph``,
    and ``edge_highway[i]`` its OpenStreetMap ``highway`` class.
    ``adjacency`` holds, for each pair of adjacent vertices, the shortest edge between them.
    """

    node_lon: NDArray[np.float64]
    node_lat: NDArray[np.float64]
    edge_u: NDArray[np.int32]
    edge_v: NDArray[np.int32]
    edge_length_m: NDArray[np.float64]
    edge_name: tuple[str | None, ...]
    edge_way_id: tuple[str, ...]
    edge_highway: tuple[str, ...]
    edge_way: NDArray[np.int32]
    adjacency: csr_matrix
    node_component: NDArray[np.int32]
    main_component: int
    all_edges: EdgeIndex
    main_edges: EdgeIndex

    @property
    def node_count(self) -> int:
        return int(self.node_lon.shape[0])

    @property
    def edge_count(self) -> int:
        return int(self.edge_u.shape[0])

    @property
    def component_count(self) -> int:
        return int(self.node_component.max()) + 1 if self.node_count else 0

    @property
    def main_component_node_count(self) -> int:
        return int(np.count_nonzero(self.node_component == self.main_component))

    def node_point(self, node: int) -> GeoPoint:
        """Return the position of a vertex."""
        return GeoPoint(float(self.node_lon[node]), float(self.node_lat[node]))

    def snap(self, points: Sequence[GeoPoint], *, main_component_only: bool = True) -> SnapResult:
        """Project each point on its nearest edge.

        By default only edges of the largest connected component are candidates, so every
        snapped point can reach every other one. A door next to a small disconnected
        footway is attached to the nearest street of the main network instead.
        """
        index = self.main_edges if main_component_only else self.all_edges
        return snap_to_edges(index, points)


def build_street_graph(ways: Sequence[StreetWay]) -> StreetGraph:
    """Build the street graph of walkable ways, merging coincident coordinates."""
    coords, way_of_coord, first_of_segment = _flatten(ways)
    if coords.shape[0] == 0:
        raise ValueError("build_street_graph needs at least one way with two coordinates")
    keys = np.round(coords / COORDINATE_PRECISION_DEG).astype(np.int64)
    unique_keys, vertex_of_coord = np.unique(keys, axis=0, return_inverse=True)
    vertex_of_coord = vertex_of_coord.reshape(-1)
    node_lon = (unique_keys[:, 0] * COORDINATE_PRECISION_DEG).astype(np.float64)
    node_lat = (unique_keys[:, 1] * COORDINATE_PRECISION_DEG).astype(np.float64)

    edge_u = vertex_of_coord[first_of_segment]
    edge_v = vertex_of_coord[first_of_segment + 1]
    keep = edge_u != edge_v
    edge_u, edge_v = edge_u[keep].astype(np.int32), edge_v[keep].astype(np.int32)
    edge_way = way_of_coord[first_of_segment[keep]]
    length_m = haversine_m_array(
        node_lon[edge_u], node_lat[edge_u], node_lon[edge_v], node_lat[edge_v]
    )

    adjacency = _adjacency(node_lon.shape[0], edge_u, edge_v, length_m)
    _, labels = connected_components(adjacency, directed=False)
    node_component = labels.astype(np.int32)
    main_component = int(np.argmax(np.bincount(node_component)))
    in_main = node_component[edge_u] == main_component
    ref_lat = float(np.mean(node_lat))
    graph = StreetGraph(
        node_lon=node_lon,
        node_lat=node_lat,
        edge_u=edge_u,
        edge_v=edge_v,
        edge_length_m=length_m,
        edge_name=tuple(ways[int(w)].name for w in edge_way),
        edge_way_id=tuple(ways[int(w)].way_id for w in edge_way),
        edge_highway=tuple(ways[int(w)].highway for w in edge_way),
        edge_way=edge_way.astype(np.int32),
        adjacency=adjacency,
        node_component=node_component,
        main_component=main_component,
        all_edges=build_edge_index(
            node_lon, node_lat, edge_u, edge_v, edge_ids=np.arange(edge_u.shape[0]), ref_lat=ref_lat
        ),
        main_edges=build_edge_index(
            node_lon, node_lat, edge_u, edge_v, edge_ids=np.flatnonzero(in_main), ref_lat=ref_lat
        ),
    )
    logger.info(
        "Built street graph: %s vertices, %s edges, %s components, main component %s vertices",
        graph.node_count,
        graph.edge_count,
        graph.component_count,
        graph.main_component_node_count,
    )
    return graph


def _flatten(
    ways: Sequence[StreetWay],
) -> tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.int64]]:
    """Concatenate way coordinates; return them, their way index and segment starts."""
    chunks: list[NDArray[np.float64]] = []
    way_of_coord: list[NDArray[np.int64]] = []
    segment_starts: list[NDArray[np.int64]] = []
    offset = 0
    for index, way in enumerate(ways):
        count = len(way.coordinates)
        if count < 2:
            continue
        chunks.append(np.asarray(way.coordinates, dtype=np.float64).reshape(count, 2))
        way_of_coord.append(np.full(count, index, dtype=np.int64))
        segment_starts.append(np.arange(offset, offset + count - 1, dtype=np.int64))
        offset += count
    if not chunks:
        empty = np.zeros(0, dtype=np.int64)
        return np.zeros((0, 2), dtype=np.float64), empty, empty
    return np.concatenate(chunks), np.concatenate(way_of_coord), np.concatenate(segment_starts)


def _adjacency(
    node_count: int,
    edge_u: NDArray[np.int32],
    edge_v: NDArray[np.int32],
    length_m: NDArray[np.float64],
) -> csr_matrix:
    """Build a symmetric CSR matrix keeping the shortest of parallel edges."""
    rows = np.concatenate([edge_u, edge_v])
    cols = np.concatenate([edge_v, edge_u])
    weights = np.concatenate([length_m, length_m])
    # csr_matrix sums duplicate entries, so keep only the shortest edge per vertex pair.
    order = np.lexsort((weights, cols, rows))
    rows, cols, weights = rows[order], cols[order], weights[order]
    first = np.ones(rows.shape[0], dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    return csr_matrix((weights[first], (rows[first], cols[first])), shape=(node_count, node_count))


def haversine_m_array(
    lon1: NDArray[np.float64],
    lat1: NDArray[np.float64],
    lon2: NDArray[np.float64],
    lat2: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Return great-circle distances in metres, element-wise."""
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    dphi = phi2 - phi1
    dlambda = np.radians(lon2 - lon1)
    h = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlambda / 2) ** 2
    result: NDArray[np.float64] = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(h))
    return result
