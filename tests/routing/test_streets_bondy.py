"""Street graph and walking distances on the real streets of Bondy (OpenStreetMap, BAN)."""

import csv
import json
from functools import cache
from itertools import pairwise
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from routing.geo import GeoPoint, haversine_m
from routing.streets import (
    UNREACHABLE_M,
    SnapResult,
    StreetGraph,
    StreetWay,
    build_street_graph,
    walking_distance_matrix,
    walking_path,
)

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "data" / "samples" / "bondy-93010"
HIGHWAYS = SAMPLE_DIR / "osm_highways_bondy_2023-07-27.geojson"
BAN = SAMPLE_DIR / "ban_adresses_bondy.csv"


def load_walkable_ways() -> list[StreetWay]:
    """Read the Overpass export, keeping lines a person on foot may use."""
    with HIGHWAYS.open(encoding="utf-8") as handle:
        features = json.load(handle)["features"]
    ways = []
    for feature in features:
        if feature["geometry"]["type"] != "LineString":
            continue
        tags = feature["properties"]
        highway = tags.get("highway", "")
        if highway.startswith("motorway") or tags.get("foot") == "no":
            continue
        if tags.get("access") in ("private", "no"):
            continue
        line = feature["geometry"]["coordinates"]
        coordinates = tuple((float(lon), float(lat)) for lon, lat in line)
        ways.append(StreetWay(tags["@id"], tags.get("name"), highway, coordinates))
    return ways


@cache
def bondy_graph() -> StreetGraph:
    """Return the walkable street graph of Bondy, built once per test run."""
    return build_street_graph(load_walkable_ways())


@cache
def ban_rows() -> tuple[dict[str, str], ...]:
    """Return the BAN address rows of Bondy."""
    with BAN.open(encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))


def ban_point(row: dict[str, str]) -> GeoPoint:
    return GeoPoint(float(row["lon"]), float(row["lat"]))


def sample_addresses(count: int) -> list[GeoPoint]:
    """Return ``count`` BAN addresses spread evenly over the file."""
    rows = ban_rows()
    step = len(rows) // count
    return [ban_point(rows[i * step]) for i in range(count)]


def test_graph_main_component_and_islands() -> None:
    graph = bondy_graph()
    assert graph.main_component_node_count > 4_000
    assert graph.component_count > 1
    assert graph.node_count > graph.main_component_node_count
    assert np.all(graph.edge_length_m > 0)
    assert "Avenue du Général Gallieni" in graph.edge_name


def test_addresses_snap_close_to_a_street() -> None:
    snaps = bondy_graph().snap(sample_addresses(100))
    assert len(snaps) == 100
    assert np.count_nonzero(snaps.offset_m < 30.0) >= 90
    assert set(np.unique(snaps.side)) <= {-1, 0, 1}
    main = bondy_graph().main_component
    ends = bondy_graph().edge_u[snaps.edge]
    assert np.all(bondy_graph().node_component[ends] == main)


def test_matrix_symmetric_and_above_crow_flies() -> None:
    points = sample_addresses(60)
    matrix = walking_distance_matrix(bondy_graph(), points)
    assert matrix.shape == (60, 60)
    np.testing.assert_array_equal(matrix, matrix.T)
    assert np.all(np.diag(matrix) == 0)
    assert matrix.max() < UNREACHABLE_M
    for i in range(0, 60, 7):
        for j in range(60):
            # One metre for rounding to whole metres and the local planar projection.
            assert matrix[i, j] >= haversine_m(points[i], points[j]) - 1.0


def test_matrix_agrees_with_networkx_shortest_paths() -> None:
    graph = bondy_graph()
    # Ten addresses spread over the commune, then thirty neighbours (same edge, same way).
    points = sample_addresses(10) + [ban_point(row) for row in ban_rows()[:30]]
    count = len(points)
    snaps = graph.snap(points)
    oracle = nx.Graph()
    for edge_u, edge_v, length in zip(
        graph.edge_u.tolist(), graph.edge_v.tolist(), graph.edge_length_m.tolist(), strict=True
    ):
        if not oracle.has_edge(edge_u, edge_v) or oracle[edge_u][edge_v]["weight"] > length:
            oracle.add_edge(edge_u, edge_v, weight=length)
    matrix = walking_distance_matrix(graph, points)
    sources = {node for i in range(count) for node, _ in _ends(graph, snaps, i)}
    from_node = {
        node: nx.single_source_dijkstra_path_length(oracle, node, weight="weight")
        for node in sources
    }
    for i in range(count):
        for j in range(i + 1, count):
            best = np.inf
            for node_i, along_i in _ends(graph, snaps, i):
                for node_j, along_j in _ends(graph, snaps, j):
                    best = min(best, along_i + from_node[node_i][node_j] + along_j)
            if snaps.edge[i] == snaps.edge[j]:
                best = abs(float(snaps.fraction[i] - snaps.fraction[j])) * float(
                    graph.edge_length_m[int(snaps.edge[i])]
                )
            expected = snaps.offset_m[i] + best + snaps.offset_m[j]
            same_way = graph.edge_way[snaps.edge[i]] == graph.edge_way[snaps.edge[j]]
            if same_way and snaps.side[i] == snaps.side[j]:
                expected = min(expected, max(haversine_m(points[i], points[j]), best))
            assert abs(int(matrix[i, j]) - expected) <= 0.5


def _ends(graph: StreetGraph, snaps: SnapResult, i: int) -> list[tuple[int, float]]:
    """Return the end vertices of point i's edge and the distance along it to each."""
    edge = int(snaps.edge[i])
    to_u = float(snaps.fraction[i]) * float(graph.edge_length_m[edge])
    return [
        (int(graph.edge_u[edge]), to_u),
        (int(graph.edge_v[edge]), float(graph.edge_length_m[edge]) - to_u),
    ]


def test_path_length_matches_the_matrix() -> None:
    graph = bondy_graph()
    a, b = sample_addresses(50)[3], sample_addresses(50)[41]
    path = walking_path(graph, a, b)
    assert path[0] == a
    assert path[-1] == b
    drawn = sum(haversine_m(p, q) for p, q in pairwise(path))
    assert drawn == pytest.approx(walking_distance_matrix(graph, [a, b])[0, 1], abs=2.0)
