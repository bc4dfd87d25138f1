"""Street-segment stops: doors of one stretch of street walked in one go.

A street segment is a chain of edges between two crossings (or dead ends). The doors of
a segment become one stop of the routing model, walked along the street: on a narrow
street (residential, living street, service road, footway...) canvassers knock on both
sides as they go, zig-zagging across; on a wide road (trunk, primary, secondary) each
side is its own stop, because crossing back and forth is slow and unsafe. A long segment
is cut into stops of at most ``max_doors`` consecutive doors, so a walk can end half-way
along it when time runs out.

Each stop can be walked in either direction. ``visit_options`` turns the stops into the
routing model's nodes: one node per stop and direction, with the walk inside the stop
folded into the cost of the arcs that reach it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

from routing.snapping import SnapResult
from routing.street_graph import StreetGraph

# Roads whose two sides are canvassed separately. Link roads belong with their road.
WIDE_HIGHWAYS = frozenset(
    {"trunk", "trunk_link", "primary", "primary_link", "secondary", "secondary_link"}
)


_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class StreetStop:
    """Doors walked in one go, as positions in the door list, in order along the street.

    ``side`` is 0 when both sides of the street are knocked together, otherwise the
    side of the segment (1 left, -1 right, looking along its forward direction).
    ``door_sides`` gives each door's own side the same way (empty: all on one side).
    """

    segment: int
    side: int
    doors: tuple[int, ...]
    door_sides: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class VisitOptions:
    """Routing nodes for the stops: each node walks one stop in one direction.

    ``sequences[k]`` lists the matrix nodes (1-based doors, 0 is the meeting point)
    that node ``k + 1`` visits in order; ``groups`` lists, per stop, its nodes (1-based,
    of which at most one is visited). ``arc_m[a, b]`` is the walk from the end of node
    ``a`` through the whole of node ``b``, so a route's arc costs add up to its length.
    """

    sequences: tuple[tuple[int, ...], ...]
    groups: tuple[tuple[int, ...], ...]
    arc_m: NDArray[np.int64]


def street_stops(
    graph: StreetGraph, snaps: SnapResult, *, max_doors: int
) -> tuple[StreetStop, ...]:
    """Group snapped doors into street stops of at most ``max_doors`` doors each."""
    if max_doors < 1:
        raise ValueError(f"max_doors must be at least 1, got {max_doors}")
    count = len(snaps)
    if count == 0:
        return ()
    segments = _SegmentIndex(graph)
    keyed: dict[tuple[int, int], list[tuple[float, int, int]]] = {}
    for door in range(count):
        edge = int(snaps.edge[door])
        segment, start_m, forward = segments.locate(edge)
        length_m = float(graph.edge_length_m[edge])
        fraction = float(snaps.fraction[door])
        position_m = start_m + (fraction if forward else 1.0 - fraction) * length_m
        side = int(snaps.side[door]) if forward else -int(snaps.side[door])
        group = 0 if graph.edge_highway[edge] not in WIDE_HIGHWAYS else side
        keyed.setdefault((segment, group), []).append((position_m, side, door))
    stops = []
    for (segment, group), members in sorted(keyed.items()):
        members.sort()
        for chunk in _even_chunks(members, max_doors):
            doors = tuple(door for _, _, door in chunk)
            sides = tuple(side for _, side, _ in chunk)
            stops.append(StreetStop(segment, group, doors, sides))
    return tuple(stops)


def single_door_stops(count: int) -> tuple[StreetStop, ...]:
    """Return one stop per door, for models that order doors one by one."""
    return tuple(StreetStop(-1, 0, (door,)) for door in range(count))


def visit_options(stops: tuple[StreetStop, ...], distance_m: NDArray[np.int32]) -> VisitOptions:
    """Return the routing nodes of the stops over a matrix whose node 0 is the meeting point.

    Door ``d`` of the stops is matrix node ``d + 1``. A stop on one side is walked
    forward or backward. A stop on both sides is walked either through, crossing the
    street where that is shortest, or out along one side and back along the other,
    from either end.
    """
    sequences: list[tuple[int, ...]] = []
    groups: list[tuple[int, ...]] = []
    for stop in stops:
        nodes: list[int] = []
        for walk in _walks(stop, distance_m):
            if walk not in sequences[len(sequences) - len(nodes) :]:
                sequences.append(walk)
                nodes.append(len(sequences))
        groups.append(tuple(nodes))
    entry = np.array([0, *(seq[0] for seq in sequences)], dtype=np.int64)
    exit_ = np.array([0, *(seq[-1] for seq in sequences)], dtype=np.int64)
    inside = np.zeros(len(sequences) + 1, dtype=np.int64)
    for k, seq in enumerate(sequences, start=1):
        if len(seq) > 1:
            inside[k] = int(distance_m[seq[:-1], seq[1:]].astype(np.int64).sum())
    arc_m = distance_m[np.ix_(exit_, entry)].astype(np.int64)
    arc_m += inside[None, :]
    np.fill_diagonal(arc_m, 0)
    return VisitOptions(tuple(sequences), tuple(groups), arc_m)


def _walks(stop: StreetStop, distance_m: NDArray[np.int32]) -> list[tuple[int, ...]]:
    """Return the ways to walk a stop, as sequences of matrix nodes."""
    nodes = tuple(door + 1 for door in stop.doors)
    sides = stop.door_sides or (0,) * len(nodes)
    if len(nodes) == 1:
        return [nodes]
    near = tuple(node for node, side in zip(nodes, sides, strict=True) if side == sides[0])
    far = tuple(node for node, side in zip(nodes, sides, strict=True) if side != sides[0])
    if not far:
        return [nodes, nodes[::-1]]
    through = _through(near, far, distance_m)
    back = _through(near[::-1], far[::-1], distance_m)
    return [through, back, near + far[::-1], near[::-1] + far]


def _through(
    near: tuple[int, ...], far: tuple[int, ...], distance_m: NDArray[np.int32]
) -> tuple[int, ...]:
    """Return the shortest walk taking each side's doors in order, crossing as needed.

    Dynamic programming over (doors done on the near side, on the far side, side of the
    last door).
    """
    inf = np.iinfo(np.int64).max
    best = np.full((len(near) + 1, len(far) + 1, 2), inf, dtype=np.int64)
    best[1, 0, 0] = 0
    best[0, 1, 1] = 0
    for i in range(len(near) + 1):
        for j in range(len(far) + 1):
            for last in (0, 1):
                cost = best[i, j, last]
                if cost == inf:
                    continue
                here = near[i - 1] if last == 0 else far[j - 1]
                if i < len(near):
                    step = cost + int(distance_m[here, near[i]])
                    best[i + 1, j, 0] = min(best[i + 1, j, 0], step)
                if j < len(far):
                    step = cost + int(distance_m[here, far[j]])
                    best[i, j + 1, 1] = min(best[i, j + 1, 1], step)
    i, j = len(near), len(far)
    last = int(np.argmin(best[i, j]))
    walk: list[int] = []
    while i + j > 0:
        here = near[i - 1] if last == 0 else far[j - 1]
        walk.append(here)
        if last == 0:
            i -= 1
        else:
            j -= 1
        if i + j == 0:
            break
        previous = [
            best[i, j, side] + int(distance_m[near[i - 1] if side == 0 else far[j - 1], here])
            if (i if side == 0 else j) > 0 and best[i, j, side] != inf
            else inf
            for side in (0, 1)
        ]
        last = int(np.argmin(previous))
    walk.reverse()
    return tuple(walk)


def _even_chunks(items: list[_T], size: int) -> list[list[_T]]:
    """Cut a list into the fewest consecutive chunks of at most ``size``, evenly."""
    parts = -(-len(items) // size)
    bounds = [round(k * len(items) / parts) for k in range(parts + 1)]
    return [items[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


class _SegmentIndex:
    """Lazily find the segment (chain of edges between crossings) of each edge."""

    def __init__(self, graph: StreetGraph) -> None:
        self._graph = graph
        ends = np.concatenate([graph.edge_u, graph.edge_v])
        edges = np.concatenate([np.arange(graph.edge_count)] * 2)
        order = np.argsort(ends, kind="stable")
        self._incident = edges[order]
        self._start = np.searchsorted(ends[order], np.arange(graph.node_count + 1))
        self._degree = np.diff(graph.adjacency.indptr)
        self._where: dict[int, tuple[int, float, bool]] = {}
        self._segment_count = 0

    def locate(self, edge: int) -> tuple[int, float, bool]:
        """Return the edge's segment id, its start along the segment, and its direction."""
        if edge not in self._where:
            self._walk(edge)
        return self._where[edge]

    def _passes_through(self, node: int) -> bool:
        """Tell whether a vertex just continues one street (two edges, no crossing)."""
        first, last = self._start[node], self._start[node + 1]
        return bool(self._degree[node] == 2 and last - first == 2)

    def _other_edge(self, node: int, edge: int) -> int:
        first, last = self._start[node], self._start[node + 1]
        pair = self._incident[first:last]
        return int(pair[1] if pair[0] == edge else pair[0])

    def _extend(self, edge: int, node: int) -> list[tuple[int, bool]]:
        """Follow the street from ``node`` (an end of ``edge``) until a crossing.

        Return the edges met, each with whether it is walked from its first vertex.
        """
        graph = self._graph
        start = edge
        chain: list[tuple[int, bool]] = []
        while self._passes_through(node):
            edge = self._other_edge(node, edge)
            if edge == start:
                break
            forward = int(graph.edge_u[edge]) == node
            chain.append((edge, forward))
            node = int(graph.edge_v[edge]) if forward else int(graph.edge_u[edge])
        return chain

    def _walk(self, edge: int) -> None:
        graph = self._graph
        ahead = self._extend(edge, int(graph.edge_v[edge]))
        seen = {edge, *(e for e, _ in ahead)}
        behind = [
            (e, not forward)
            for e, forward in self._extend(edge, int(graph.edge_u[edge]))
            if e not in seen
        ]
        chain = [*reversed(behind), (edge, True), *ahead]
        segment = self._segment_count
        self._segment_count += 1
        start_m = 0.0
        for member, forward in chain:
            self._where[member] = (segment, start_m, forward)
            start_m += float(graph.edge_length_m[member])
