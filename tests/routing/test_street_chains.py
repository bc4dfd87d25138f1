"""Chains between junctions and the junction graph, on small hand-made networks."""

import numpy as np
import pytest

from routing.street_chains import StreetChains, build_street_chains, street_chains
from routing.streets import StreetGraph, StreetWay, build_street_graph
from tests.routing.test_streets import DEG_PER_M, block_ways, way


def lollipop_ways() -> list[StreetWay]:
    """A dead end, a crossing, a side street and a street ending in a loop.

    Rue A runs from a dead end at (0, 0) through a bend vertex at (50, 0) to the crossing
    at (100, 0). Rue B goes north from it to a dead end, Rue C east then north to
    (200, 50), where the Boucle loops round a 50 m square and back.
    """
    return [
        way("a", "Rue A", (0, 0), (50, 0), (100, 0)),
        way("b", "Rue B", (100, 0), (100, 100)),
        way("c", "Rue C", (100, 0), (200, 0), (200, 50)),
        way("d", "Boucle", (200, 50), (250, 50), (250, 100), (200, 100), (200, 50)),
    ]


def lollipop() -> StreetGraph:
    """Return the graph of ``lollipop_ways``."""
    return build_street_graph(lollipop_ways())


def metres(graph: StreetGraph, vertices: np.ndarray) -> tuple[tuple[int, int], ...]:
    """Return the vertices' positions, rounded to whole metres east and north."""
    return tuple(
        (round(float(graph.node_lon[v]) / DEG_PER_M), round(float(graph.node_lat[v]) / DEG_PER_M))
        for v in vertices
    )


def chain_walks(graph: StreetGraph, chains: StreetChains) -> set[tuple[tuple[int, int], ...]]:
    """Return every chain's vertex positions, each chain read from its smaller end."""
    walks = set()
    for chain in range(chains.chain_count):
        walk = metres(graph, chains.vertices(chain, 0, chains.slot_count(chain) - 1))
        walks.add(min(walk, walk[::-1]))
    return walks


def test_chains_run_between_junctions() -> None:
    graph = lollipop()
    chains = build_street_chains(graph)
    assert chain_walks(graph, chains) == {
        ((0, 0), (50, 0), (100, 0)),
        ((100, 0), (100, 100)),
        ((100, 0), (200, 0), (200, 50)),
        ((200, 50), (200, 100), (250, 100), (250, 50), (200, 50)),
    }
    junctions = sorted(metres(graph, chains.junction_vertex))
    assert junctions == [(0, 0), (100, 0), (100, 100), (200, 50)]


def test_chains_measure_metres_from_their_start() -> None:
    graph = lollipop()
    chains = build_street_chains(graph)
    lengths = sorted(chains.chain_length_m(np.arange(chains.chain_count)).tolist())
    np.testing.assert_allclose(lengths, [100.0, 100.0, 150.0, 200.0], atol=0.05)
    for chain in range(chains.chain_count):
        first, last = chains.chain_first[chain], chains.chain_first[chain + 1]
        assert chains.vertex_m[first] == 0.0
        assert np.all(np.diff(chains.vertex_m[first:last]) > 0)


def test_each_edge_is_one_step_of_its_chain() -> None:
    graph = lollipop()
    chains = build_street_chains(graph)
    assert sorted(np.bincount(chains.edge_chain).tolist()) == [1, 2, 2, 4]
    for edge in range(graph.edge_count):
        chain, slot = int(chains.edge_chain[edge]), int(chains.edge_slot[edge])
        start, end = chains.vertices(chain, slot, slot + 1).tolist()
        ends = (int(graph.edge_u[edge]), int(graph.edge_v[edge]))
        assert (start, end) == (ends if chains.edge_forward[edge] else ends[::-1])


def test_junction_graph_leaves_out_the_loop() -> None:
    graph = lollipop()
    chains = build_street_chains(graph)
    # Three chains between two different junctions, each in both directions.
    assert chains.junction_adjacency.nnz == 6
    starts, ends = chains.chain_ends[:, 0], chains.chain_ends[:, 1]
    loop = np.flatnonzero(starts == ends)
    assert len(loop) == 1
    assert chains.chain_length_m(loop)[0] == pytest.approx(200.0, abs=0.05)


def test_hop_follows_the_chain_in_either_direction() -> None:
    graph = lollipop()
    chains = build_street_chains(graph)
    junction = {xy: j for j, xy in enumerate(metres(graph, chains.junction_vertex))}
    crossing, loop_start = junction[(100, 0)], junction[(200, 50)]
    assert metres(graph, chains.hop_vertices(crossing, loop_start)) == (
        (100, 0),
        (200, 0),
        (200, 50),
    )
    assert metres(graph, chains.hop_vertices(loop_start, crossing)) == (
        (200, 50),
        (200, 0),
        (100, 0),
    )


def test_parallel_streets_keep_the_shorter_chain() -> None:
    # Two streets join (0, 0) and (100, 0): straight (100 m) and over a hump (141 m).
    # Dead ends on both sides make the two vertices junctions.
    graph = build_street_graph(
        [
            way("w", "Ouest", (-50, 0), (0, 0)),
            way("s", "Droite", (0, 0), (100, 0)),
            way("h", "Bosse", (0, 0), (50, 50), (100, 0)),
            way("e", "Est", (100, 0), (150, 0)),
        ]
    )
    chains = build_street_chains(graph)
    assert chains.chain_count == 4
    junction = {xy: j for j, xy in enumerate(metres(graph, chains.junction_vertex))}
    west, east = junction[(0, 0)], junction[(100, 0)]
    assert chains.junction_adjacency[west, east] == pytest.approx(100.0, abs=0.05)
    assert metres(graph, chains.hop_vertices(west, east)) == ((0, 0), (100, 0))


def test_block_without_junction_becomes_one_loop() -> None:
    graph = build_street_graph(block_ways()[:4])
    chains = build_street_chains(graph)
    assert chains.chain_count == 1
    assert chains.junction_count == 1
    assert chains.junction_adjacency.nnz == 0
    assert chains.slot_count(0) == 5
    assert chains.chain_length_m(np.array([0]))[0] == pytest.approx(400.0, abs=0.05)
    assert chains.junction_vertex[0] == graph.edge_u[0]


def test_chains_are_built_once_per_graph() -> None:
    graph = lollipop()
    assert street_chains(graph) is street_chains(graph)
    assert street_chains(lollipop()) is not street_chains(graph)
