"""Busy roads that a walk crosses at junctions, counted for every pair of points.

At a junction where a wide road passes (``routing.segments.WIDE_HIGHWAYS``), a walk that
comes in on one street and leaves on another lying on the other side of the wide road
crosses it. The streets leaving a junction are sorted by bearing. A turn crosses the
wide streets that lie between the street walked in and the one walked out, counted on
the side of the turn that has fewer of them. Turning into the next side street on the
same side therefore crosses none, and going from one corner to the opposite one where
two wide roads cross crosses two. A wide road that ends at the junction (the foot of a
T) lies on one side of every turn and not on the other, so it is never crossed there.

The count follows the shortest walk of each pair (``routing.street_walks``), the one the
distance matrix measures and the plan draws. The search does not weigh turns, so it
never goes round to avoid a crossing. The count runs along each search's tree of
shortest paths between junctions (its predecessors) and adds up the crossings from the
root down by pointer doubling in numpy, so no pair's path is walked in Python. The work
arrays stay small: the trees are done in blocks of ``_TREE_BLOCK_ENTRIES`` entries, the
pairs in blocks of ``_ROW_BLOCK`` rows, and the table between the points' chain ends
has at most four times as many entries as the matrix.

NOTE: walking along the wide road itself and turning off it is not counted, because
which pavement the walk is on is not known there. A door on a wide road reached from a
side street across it, or a walk that follows a wide road from a side street on one
side to one on the other, therefore crosses for free.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from routing.segments import WIDE_HIGHWAYS
from routing.street_chains import StreetChains
from routing.street_graph import StreetGraph
from routing.street_walks import StreetWalks
from routing.walk_rules import DIJKSTRA_BATCH, Placement

# Entries (search rows x junctions) of the tree arrays worked out at once.
_TREE_BLOCK_ENTRIES = 65_536

# Points whose counts to every other point are worked out at once.
_ROW_BLOCK = 64


@dataclass(frozen=True, eq=False)
class JunctionTurns:
    """The streets leaving each junction, in order of bearing, and which ones are wide.

    A port is one end of a chain: port ``2 * c`` leaves chain ``c``'s start junction and
    ``2 * c + 1`` its end junction. ``port_rank`` gives a port's position around its
    junction. The ports of junction ``j``, in that order, take positions ``first[j]`` to
    ``first[j + 1] - 1`` of ``is_wide``. ``wide_before`` counts the wide ports at earlier
    positions of the whole array, and ``wide_count`` those of each junction.
    Aligned with the entries of the junction graph (``StreetChains.junction_adjacency``),
    ``hop_key`` contains ``start * junction_count + end`` (sorted), ``hop_out_rank`` the
    rank at the start of the port the hop leaves by and ``hop_in_rank`` the rank at the
    end of the port it comes in by.
    """

    port_rank: NDArray[np.int32]
    first: NDArray[np.int64]
    is_wide: NDArray[np.int32]
    wide_before: NDArray[np.int32]
    wide_count: NDArray[np.int32]
    hop_key: NDArray[np.int64]
    hop_out_rank: NDArray[np.int32]
    hop_in_rank: NDArray[np.int32]

    def crossed(
        self,
        junction: NDArray[np.integer],
        rank_in: NDArray[np.integer],
        rank_out: NDArray[np.integer],
    ) -> NDArray[np.int32]:
        """Return the wide roads crossed turning from one port of a junction to another.

        The wide ports strictly between the two, on the side that has fewer of them.
        """
        base = self.first[junction]
        at_in, at_out = base + rank_in, base + rank_out
        low, high = np.minimum(at_in, at_out), np.maximum(at_in, at_out)
        between = self.wide_before[high] - self.wide_before[low] - self.is_wide[low]
        around = self.wide_count[junction] - between - self.is_wide[at_in] - self.is_wide[at_out]
        crossed: NDArray[np.int32] = np.where(at_in == at_out, 0, np.minimum(between, around))
        return crossed.astype(np.int32)


_CACHE: weakref.WeakKeyDictionary[StreetGraph, JunctionTurns] = weakref.WeakKeyDictionary()


def junction_turns(graph: StreetGraph, chains: StreetChains) -> JunctionTurns:
    """Return the graph's junction turns, built on the first call for that graph."""
    turns = _CACHE.get(graph)
    if turns is None:
        turns = build_junction_turns(graph, chains)
        _CACHE[graph] = turns
    return turns


def build_junction_turns(graph: StreetGraph, chains: StreetChains) -> JunctionTurns:
    """Sort the ports of every junction by bearing and mark the wide ones.

    ``chains`` are the graph's own (``routing.street_chains.street_chains``).
    """
    chain_count = chains.chain_count
    starts = chains.chain_first[:-1]
    stops = chains.chain_first[1:] - 1
    # Each port's junction vertex and the next vertex along its chain.
    origin = chains.chain_vertices[np.column_stack([starts, stops]).reshape(-1)]
    ahead = chains.chain_vertices[np.column_stack([starts + 1, stops - 1]).reshape(-1)]
    lat = np.radians(graph.node_lat[origin])
    east = (graph.node_lon[ahead] - graph.node_lon[origin]) * np.cos(lat)
    north = graph.node_lat[ahead] - graph.node_lat[origin]
    bearing = np.arctan2(north, east)

    edge_at = np.empty(chains.chain_vertices.shape[0], dtype=np.int64)
    edge_at[chains.chain_first[chains.edge_chain] + chains.edge_slot] = np.arange(graph.edge_count)
    port_edge = edge_at[np.column_stack([starts, stops - 1]).reshape(-1)]
    wide_edge = np.fromiter(
        (highway in WIDE_HIGHWAYS for highway in graph.edge_highway),
        dtype=bool,
        count=graph.edge_count,
    )
    port_wide = wide_edge[port_edge].astype(np.int32)

    port_junction = chains.chain_ends.reshape(-1).astype(np.int64)
    order = np.lexsort((bearing, port_junction))
    first = np.searchsorted(port_junction[order], np.arange(chains.junction_count + 1))
    port_rank = np.empty(2 * chain_count, dtype=np.int32)
    port_rank[order] = np.arange(2 * chain_count) - first[port_junction[order]]
    is_wide = port_wide[order]
    wide_before = np.concatenate([[0], np.cumsum(is_wide)]).astype(np.int32)

    adjacency = chains.junction_adjacency
    count = chains.junction_count
    hop_start = np.repeat(np.arange(count, dtype=np.int64), np.diff(adjacency.indptr))
    hop_end = adjacency.indices.astype(np.int64)
    hop = chains.hop_chain.astype(np.int64)
    leaves_start = chains.chain_ends[hop, 0] == hop_start
    return JunctionTurns(
        port_rank=port_rank,
        first=first.astype(np.int64),
        is_wide=is_wide,
        wide_before=wide_before,
        wide_count=wide_before[first[1:]] - wide_before[first[:-1]],
        hop_key=hop_start * count + hop_end,
        hop_out_rank=port_rank[2 * hop + np.where(leaves_start, 0, 1)],
        hop_in_rank=port_rank[2 * hop + np.where(leaves_start, 1, 0)],
    )


def junction_crossings(walks: StreetWalks) -> NDArray[np.int32]:
    """Return how many wide roads the walk from each point to each other one crosses.

    Walks straight along one chain cross none, as do pairs without a street path.
    """
    count = len(walks.snaps)
    result = np.zeros((count, count), dtype=np.int32)
    turns = junction_turns(walks.graph, walks.chains)
    # A wide road can only be crossed where at least two wide streets meet.
    if count < 2 or not np.any(turns.wide_count >= 2):
        return result
    place = walks.placement
    # Each point leaves and enters its chain by one of its two ports.
    ports, port_of = np.unique(
        2 * place.chain[:, None].astype(np.int64) + np.arange(2), return_inverse=True
    )
    port_of = port_of.reshape(-1, 2)
    port_exit = np.empty(ports.shape[0], dtype=np.int64)
    port_exit[port_of] = place.exits
    table = _port_crossings(walks, turns, ports, port_exit)
    for start in range(0, count, _ROW_BLOCK):
        rows = np.arange(start, min(start + _ROW_BLOCK, count))
        result[rows] = _row_crossings(walks, table, port_of, rows)
    return result


def _port_crossings(
    walks: StreetWalks,
    turns: JunctionTurns,
    ports: NDArray[np.int64],
    port_exit: NDArray[np.int64],
) -> NDArray[np.int32]:
    """Return the crossings of the shortest walk out through each port and in through each.

    ``port_exit`` gives each port's junction as a row of the searches
    (``StreetWalks.sources``). The turns at the first and last junctions count, and
    those at the junctions between them come from the search's tree.
    """
    sources = walks.sources
    size = ports.shape[0]
    table = np.zeros((size, size), dtype=np.int32)
    rank = turns.port_rank[ports]
    junction = sources[port_exit].astype(np.int64)
    block = max(1, _TREE_BLOCK_ENTRIES // max(1, walks.chains.junction_count))
    for batch in range(0, sources.shape[0], DIJKSTRA_BATCH):
        predecessors = walks.predecessor_rows(
            np.arange(batch, min(batch + DIJKSTRA_BATCH, sources.shape[0]))
        )
        for start in range(0, predecessors.shape[0], block):
            rows = predecessors[start : start + block]
            first_row = batch + start
            inside = np.flatnonzero(
                (port_exit >= first_row) & (port_exit < first_row + rows.shape[0])
            )
            if inside.size:
                first_rank, last_rank, crossed = _tree_block(turns, rows, junction)
                tree_row = port_exit[inside] - first_row
                out_junction = np.broadcast_to(junction[inside][:, None], (inside.size, size))
                in_junction = np.broadcast_to(junction, (inside.size, size))
                counts = crossed[tree_row]
                counts += turns.crossed(out_junction, rank[inside][:, None], first_rank[tree_row])
                counts += turns.crossed(in_junction, last_rank[tree_row], rank[None, :])
                # A walk out and back in through one junction turns there once.
                once = np.nonzero(out_junction == in_junction)
                counts[once] = turns.crossed(
                    junction[once[1]], rank[inside][once[0]], rank[once[1]]
                )
                table[inside] = counts
    return table


def _tree_block(
    turns: JunctionTurns, predecessors: NDArray[np.int32], targets: NDArray[np.int64]
) -> tuple[NDArray[np.int32], NDArray[np.int32], NDArray[np.int32]]:
    """Return the first port, last port and crossings from each root to each target.

    ``predecessors`` has one search per row (negative for the root and the junctions it
    does not reach). The first array gives the rank, at the root, of the port each path
    leaves by. The second gives the rank, at the target, of the port it comes in by, and
    the third the wide roads crossed at the junctions strictly between. The crossings at
    a junction depend on the hop that reached it and the hop that leaves it, so each
    junction gets those of its parent. Pointer doubling then adds them up from the
    root's children down, and finds the child each path starts with. The root and the
    junctions it does not reach get zeros, which are ranks at any junction.
    """
    height, width = predecessors.shape
    column = np.arange(width, dtype=np.int32)
    reached = predecessors >= 0
    # The root and the junctions out of reach are their own parents.
    parent = np.where(reached, predecessors, column)
    # Up from each junction to its parent (as entries of the flattened block), stopping
    # at the root's children. int32 entries halve the doubling's memory traffic.
    inner = reached & np.take_along_axis(reached, parent, axis=1)
    up = np.where(inner, parent, column) + (np.arange(height, dtype=np.int32) * width)[:, None]
    up = up.reshape(-1)
    parent = parent.reshape(-1)
    # Only junctions where at least two wide streets meet can be crossed.
    busy = np.flatnonzero(inner.reshape(-1) & (turns.wide_count[parent] >= 2))
    crossed = np.zeros(height * width, dtype=np.int32)
    crossed[busy] = turns.crossed(
        parent[busy],
        _hop_ranks(turns, parent, up[busy], width)[1],
        _hop_ranks(turns, parent, busy, width)[0],
    )
    while True:
        further = up[up]
        if np.array_equal(further, up):
            break
        crossed += crossed[up]
        up = further
    row_start = (np.arange(height, dtype=np.int64) * width)[:, None]
    target_entries = (targets[None, :] + row_start).reshape(-1)
    first_rank = _hop_ranks(turns, parent, up[target_entries], width)[0]
    last_rank = _hop_ranks(turns, parent, target_entries, width)[1]
    found = reached.reshape(-1)[target_entries]
    shape = (height, targets.shape[0])
    return (
        np.where(found, first_rank, 0).reshape(shape),
        np.where(found, last_rank, 0).reshape(shape),
        crossed[target_entries].reshape(shape),
    )


def _hop_ranks(
    turns: JunctionTurns, parent: NDArray[np.int32], entries: NDArray[np.integer], width: int
) -> tuple[NDArray[np.int32], NDArray[np.int32]]:
    """Return, for the hop from each entry's parent to it, the ranks of its two ports.

    Entries are positions in the flattened block of ``width`` junctions a row. An entry
    that is its own parent (a root, or out of reach) gets meaningless ranks.
    """
    junction = entries % width
    key = parent[entries].astype(np.int64) * width + junction
    hop = np.minimum(np.searchsorted(turns.hop_key, key), turns.hop_key.shape[0] - 1)
    return turns.hop_out_rank[hop], turns.hop_in_rank[hop]


def _row_crossings(
    walks: StreetWalks,
    table: NDArray[np.int32],
    port_of: NDArray[np.int64],
    rows: NDArray[np.int64],
) -> NDArray[np.int32]:
    """Return the crossings from the given points to every point.

    Each pair takes the walk ``StreetWalks.paths`` draws. That is straight along a
    shared chain when that is no longer, otherwise out and in through the exits of the
    shortest walk through junctions. Of equal walks, the first exit into the second
    chain wins, then the first out of the first.
    """
    place = walks.placement
    block = place.take(rows)
    size = table.shape[0]
    # For each row point and each junction, the better of its own two exits, as the
    # table's row of the port it leaves by.
    leave = np.stack(
        [block.along[:, x][:, None] + walks.between[block.exits[:, x]] for x in (0, 1)]
    )
    out_x = np.argmin(leave, axis=0)
    out_m = np.min(leave, axis=0)
    out_row = port_of[rows][np.arange(rows.shape[0])[:, None], out_x] * size
    enter_0 = out_m[:, place.exits[:, 0]]
    enter_0 += place.along[:, 0]
    enter_1 = out_m[:, place.exits[:, 1]]
    enter_1 += place.along[:, 1]
    second = enter_1 < enter_0
    np.minimum(enter_0, enter_1, out=enter_0)
    cell = np.where(second, out_row[:, place.exits[:, 1]], out_row[:, place.exits[:, 0]])
    cell += np.where(second, port_of[:, 1], port_of[:, 0])
    crossed: NDArray[np.int32] = table.reshape(-1)[cell]
    crossed[~np.isfinite(enter_0)] = 0
    row, column = _walks_along_chain(block, place, enter_0)
    crossed[row, column] = 0
    return crossed


def _walks_along_chain(
    rows: Placement, columns: Placement, via_m: NDArray[np.float64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Return the pairs that walk straight along their shared chain, as the paths do."""
    row, column = np.nonzero(rows.chain[:, None] == columns.chain[None, :])
    same_edge = rows.edge[row] == columns.edge[column]
    direct = np.abs(rows.position_m[row] - columns.position_m[column])
    along = same_edge | (direct <= via_m[row, column])
    return row[along], column[along]
