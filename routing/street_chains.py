"""Street chains: the graph cut at its junctions, for shortest paths on a smaller graph.

A junction is a vertex where more or fewer than two edges meet (a crossing, a dead end) or
where two edges join the same neighbour. Every other vertex only continues one street, so
a shortest path that enters a chain of such vertices walks it to the other end. The
junction graph has one arc per chain, between the chain's two end junctions, weighted by
its length. Its shortest paths between junctions are those of the street graph, over
about a third of the vertices on OpenStreetMap streets (Bondy: 1,790 junctions out of
4,844 vertices), where most vertices only draw a street's curve.

A closed loop of continuing vertices (a ring road with no side street) has no junction,
so one of its vertices is made one.

The chains depend only on the graph, so they are built once per graph and kept while
the graph lives (``street_chains``).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix

from routing.street_graph import StreetGraph


@dataclass(frozen=True, eq=False)
class StreetChains:
    """Chains of a street graph and the graph of their end junctions.

    Chain ``c`` walks the vertices ``chain_vertices[chain_first[c]:chain_first[c + 1]]``
    from its start junction to its end junction (the same one for a loop).
    ``vertex_m`` gives, at the same positions, the metres walked from the chain's start.
    Edge ``e`` is the step from chain vertex ``edge_slot[e]`` to the next one of chain
    ``edge_chain[e]``, walked from ``edge_u[e]`` when ``edge_forward[e]`` is true.
    ``chain_ends[c]`` contains the junction ids (rows of ``junction_adjacency``) of the
    chain's start and end; ``junction_vertex`` maps a junction id to its graph vertex.
    ``junction_adjacency`` keeps the shortest chain between two junctions, and
    ``hop_chain`` (aligned with its ``data``) names that chain.
    """

    edge_chain: NDArray[np.int32]
    edge_slot: NDArray[np.int32]
    edge_forward: NDArray[np.bool_]
    chain_first: NDArray[np.int64]
    chain_vertices: NDArray[np.int32]
    vertex_m: NDArray[np.float64]
    chain_ends: NDArray[np.int32]
    junction_vertex: NDArray[np.int32]
    junction_adjacency: csr_matrix
    hop_chain: NDArray[np.int32]

    @property
    def chain_count(self) -> int:
        return int(self.chain_ends.shape[0])

    @property
    def junction_count(self) -> int:
        return int(self.junction_vertex.shape[0])

    def chain_length_m(self, chain: NDArray[np.integer]) -> NDArray[np.float64]:
        """Return the length of each given chain."""
        length: NDArray[np.float64] = self.vertex_m[self.chain_first[chain + 1] - 1]
        return length

    def vertices(self, chain: int, first: int, last: int) -> NDArray[np.int32]:
        """Return the chain's vertices from slot ``first`` to slot ``last``, both included.

        The slots run backwards when ``last`` is before ``first``.
        """
        base = int(self.chain_first[chain])
        if last >= first:
            return self.chain_vertices[base + first : base + last + 1]
        return self.chain_vertices[base + last : base + first + 1][::-1]

    def slot_count(self, chain: int) -> int:
        """Return the number of vertices of the chain, both ends included."""
        return int(self.chain_first[chain + 1] - self.chain_first[chain])

    def hop_vertices(self, start: int, end: int) -> NDArray[np.int32]:
        """Return the vertices of the shortest chain from junction ``start`` to ``end``."""
        indptr = self.junction_adjacency.indptr
        row = self.junction_adjacency.indices[indptr[start] : indptr[start + 1]]
        position = int(indptr[start] + np.searchsorted(row, end))
        chain = int(self.hop_chain[position])
        forward = int(self.chain_ends[chain, 0]) == start
        last = self.slot_count(chain) - 1
        return self.vertices(chain, 0, last) if forward else self.vertices(chain, last, 0)


_CACHE: weakref.WeakKeyDictionary[StreetGraph, StreetChains] = weakref.WeakKeyDictionary()


def street_chains(graph: StreetGraph) -> StreetChains:
    """Return the graph's chains, built on the first call for that graph."""
    chains = _CACHE.get(graph)
    if chains is None:
        chains = build_street_chains(graph)
        _CACHE[graph] = chains
    return chains


def build_street_chains(graph: StreetGraph) -> StreetChains:
    """Cut the graph into chains between junctions and build the junction graph."""
    edge_count, node_count = graph.edge_count, graph.node_count
    ends = np.concatenate([graph.edge_u, graph.edge_v])
    order = np.argsort(ends, kind="stable")
    incident = np.concatenate([np.arange(edge_count)] * 2)[order].tolist()
    start = np.searchsorted(ends[order], np.arange(node_count + 1)).tolist()
    degree = np.diff(graph.adjacency.indptr)
    is_junction = ~((degree == 2) & (np.diff(np.asarray(start)) == 2))
    edge_u, edge_v = graph.edge_u.tolist(), graph.edge_v.tolist()
    length_m = graph.edge_length_m.tolist()

    junction = is_junction.tolist()
    edge_chain = [-1] * edge_count
    edge_slot = [0] * edge_count
    edge_forward = [True] * edge_count
    vertices: list[int] = []
    vertex_m: list[float] = []
    chain_first = [0]
    chain_ends: list[tuple[int, int]] = []

    def walk(origin: int, edge: int) -> None:
        """Follow one chain from junction ``origin`` through ``edge`` to the next junction."""
        chain = len(chain_ends)
        node, metres, slot = origin, 0.0, 0
        vertices.append(node)
        vertex_m.append(0.0)
        while True:
            forward = edge_u[edge] == node
            edge_chain[edge], edge_slot[edge], edge_forward[edge] = chain, slot, forward
            node = edge_v[edge] if forward else edge_u[edge]
            metres += length_m[edge]
            slot += 1
            vertices.append(node)
            vertex_m.append(metres)
            if junction[node]:
                break
            first = start[node]
            edge = incident[first + 1] if incident[first] == edge else incident[first]
        chain_first.append(len(vertices))
        chain_ends.append((origin, node))

    for node in np.flatnonzero(is_junction).tolist():
        for k in range(start[node], start[node + 1]):
            if edge_chain[incident[k]] < 0:
                walk(node, incident[k])
    # Edges still unvisited form loops without a junction: make one of their vertices one.
    for edge in range(edge_count):
        if edge_chain[edge] < 0:
            junction[edge_u[edge]] = True
            walk(edge_u[edge], edge)

    junction_vertex = np.flatnonzero(np.asarray(junction, dtype=bool)).astype(np.int32)
    junction_of = np.full(node_count, -1, dtype=np.int32)
    junction_of[junction_vertex] = np.arange(junction_vertex.shape[0], dtype=np.int32)
    chain_ends_j = junction_of[np.asarray(chain_ends, dtype=np.int64).reshape(-1, 2)]
    first_of_chain = np.asarray(chain_first, dtype=np.int64)
    metres_of_vertex = np.asarray(vertex_m, dtype=np.float64)
    adjacency, hop_chain = _junction_adjacency(
        chain_ends_j, metres_of_vertex[first_of_chain[1:] - 1], junction_vertex.shape[0]
    )
    return StreetChains(
        edge_chain=np.asarray(edge_chain, dtype=np.int32),
        edge_slot=np.asarray(edge_slot, dtype=np.int32),
        edge_forward=np.asarray(edge_forward, dtype=bool),
        chain_first=first_of_chain,
        chain_vertices=np.asarray(vertices, dtype=np.int32),
        vertex_m=metres_of_vertex,
        chain_ends=chain_ends_j,
        junction_vertex=junction_vertex,
        junction_adjacency=adjacency,
        hop_chain=hop_chain,
    )


def _junction_adjacency(
    chain_ends: NDArray[np.int32], length_m: NDArray[np.float64], junction_count: int
) -> tuple[csr_matrix, NDArray[np.int32]]:
    """Build the symmetric junction graph, keeping the shortest chain per junction pair.

    Return the CSR matrix (column indices sorted in each row) and, aligned with its
    ``data``, the chain behind each entry. Loops (a chain back to its own start) are left
    out: they never shorten a path.
    """
    chain = np.arange(chain_ends.shape[0], dtype=np.int32)
    between = chain_ends[:, 0] != chain_ends[:, 1]
    chain, starts, stops = chain[between], chain_ends[between, 0], chain_ends[between, 1]
    rows = np.concatenate([starts, stops]).astype(np.int64)
    cols = np.concatenate([stops, starts]).astype(np.int64)
    weights = np.concatenate([length_m[chain], length_m[chain]])
    chains = np.concatenate([chain, chain])
    order = np.lexsort((chains, weights, cols, rows))
    rows, cols, weights, chains = rows[order], cols[order], weights[order], chains[order]
    first = np.ones(rows.shape[0], dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    rows, cols, weights, chains = rows[first], cols[first], weights[first], chains[first]
    indptr = np.searchsorted(rows, np.arange(junction_count + 1))
    adjacency = csr_matrix((weights, cols, indptr), shape=(junction_count, junction_count))
    return adjacency, chains.astype(np.int32)
