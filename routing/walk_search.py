"""Local search on one closed walk: 2-opt and Or-opt moves, then small random kicks.

OR-Tools' routing search stalls a few percent above the best known walk on street grids
of 300 doors and more (``benchmarks/README.md``). This search works on the walk as a
cycle over the matrix nodes, with the moves a door-by-door walk needs:

- 2-opt: drop two edges and reconnect the walk, reversing the stretch between them;
- Or-opt: move a run of one to three consecutive nodes elsewhere, either way round.

Each node only tries the ``NEIGHBOURS`` nodes nearest to it, and a queue of nodes to look
at ("don't-look bits") makes a pass after a change cost only the nodes around it. Once
no move shortens the walk, the search kicks it. A kick swaps two adjacent stretches of
at most ``KICK_MAX_NODES`` nodes each, which is a double bridge whose cut points lie
close together along the walk. The search then starts again from the cut points and
undoes the kick if the walk ends longer. Kicks go on until the time limit or the kick
limit.

The matrix must be symmetric, as walking distances are (``routing.streets``), because a
2-opt move's gain leaves out the reversed stretch. The search is deterministic for a
given seed when the kick limit stops it before the time limit.
"""

from __future__ import annotations

import math
import random
import time
from collections import deque
from collections.abc import Sequence
from typing import cast

import numpy as np
from numpy.typing import NDArray

# Nearest nodes each node tries as a new neighbour in the walk.
NEIGHBOURS = 10
# Maximum run of consecutive nodes an Or-opt move carries.
OR_OPT_MAX_NODES = 3
# Maximum nodes in each of the two stretches a kick swaps. From the street-stop walk of
# the 1,000-door benchmark grid, 4 CPU seconds with 200 gave 15,936 m on average over
# four seeds, against 16,030 m with 50. The Bondy sample gave the same with both. On the
# 3,000-door grid 25 CPU seconds gave 49,260 m against 49,504 m (two seeds).
KICK_MAX_NODES = 200
# Nodes looked at between two reads of the clock.
DEADLINE_CHECK_NODES = 256


def improve_walk(
    distance_m: NDArray[np.integer],
    walk: tuple[int, ...],
    *,
    time_limit_s: float,
    max_kicks: int | None = None,
    seed: int = 0,
) -> tuple[int, ...]:
    """Return the walk's matrix nodes in a shorter or equal order, from node 0 and back.

    ``walk`` lists matrix nodes without node 0, the meeting point, where the walk starts
    and ends. Only the nodes of ``walk`` and node 0 are reordered. The result is never
    longer than ``walk``. Raises ValueError if the distances between those nodes are
    not symmetric.
    """
    deadline = time.perf_counter() + time_limit_s
    if len(walk) < 3:
        return walk
    size = distance_m.shape[0]
    if len(walk) == size - 1:
        # The walk covers the whole matrix: search it in place rather than copy it.
        nodes = np.arange(size)
        matrix = np.ascontiguousarray(distance_m)
        first = [0, *walk]
    else:
        nodes = np.array([0, *walk], dtype=np.int64)
        matrix = np.ascontiguousarray(distance_m[np.ix_(nodes, nodes)])
        first = list(range(len(nodes)))
    if not np.array_equal(matrix, matrix.T):
        raise ValueError("invalid distance matrix: the walk search needs symmetric distances")
    search = _CycleSearch(matrix, first, seed=seed)
    search.descend(deadline)
    search.kick_until(deadline, max_kicks)
    cycle = search.tour
    start = cycle.index(0)
    ordered = cycle[start + 1 :] + cycle[:start]
    return tuple(int(nodes[node]) for node in ordered)


def walk_length(distance_m: NDArray[np.integer], walk: tuple[int, ...]) -> int:
    """Return the metres of the walk from node 0 through ``walk`` and back."""
    stops = np.array([0, *walk, 0], dtype=np.int64)
    return int(distance_m[stops[:-1], stops[1:]].astype(np.int64).sum())


def nearest_nodes(distance_m: NDArray[np.integer], count: int) -> list[list[int]]:
    """Return, for each node, the ``count`` other nodes nearest to it, nearest first.

    Ties are broken by node number, so the lists do not depend on the platform.
    """
    size = distance_m.shape[0]
    count = min(count, size - 1)
    near: list[list[int]] = []
    for row in range(size):
        # Sort by distance, then by node number. The key fits in int64 for distances
        # below 2**40 metres and fewer than 2**20 nodes.
        keys = distance_m[row].astype(np.int64) * size + np.arange(size)
        keys[row] = np.iinfo(np.int64).max
        chosen = np.argpartition(keys, count - 1)[:count] if count < size - 1 else np.arange(size)
        chosen = chosen[chosen != row]
        chosen = chosen[np.argsort(keys[chosen])]
        near.append([int(node) for node in chosen[:count]])
    return near


class _CycleSearch:
    """A closed walk over every node of a square matrix, as an array and its inverse.

    ``tour[k]`` is the node at position ``k`` and ``pos[node]`` its position; the walk
    goes round from the last position back to the first.
    """

    def __init__(self, distance_m: NDArray[np.integer], tour: list[int], *, seed: int) -> None:
        self.size = int(distance_m.shape[0])
        # Rows as memoryviews: indexing one gives a Python int, faster than numpy's scalars.
        self.view = [cast(Sequence[int], memoryview(row)) for row in distance_m]
        self.near = nearest_nodes(distance_m, NEIGHBOURS)
        self.tour = list(tour)
        self.pos = [0] * self.size
        for k, node in enumerate(self.tour):
            self.pos[node] = k
        self.random = random.Random(seed)  # noqa: S311 - kicks, not secrets
        self.queue: deque[int] = deque(self.tour)
        self.queued = [True] * self.size

    # Local search ----------------------------------------------------------------------

    def descend(self, deadline: float = math.inf) -> int:
        """Apply improving moves until none is left; return the metres saved.

        Past the deadline the search stops and empties its queue, the walk as it is.
        """
        saved = 0
        queue, queued = self.queue, self.queued
        looked = 0
        while queue:
            looked += 1
            if looked % DEADLINE_CHECK_NODES == 0 and time.perf_counter() > deadline:
                for node in queue:
                    queued[node] = False
                queue.clear()
                break
            node = queue.popleft()
            queued[node] = False
            saved += self._two_opt(node) or self._or_opt(node)
        return saved

    def _push(self, *nodes: int) -> None:
        queued = self.queued
        for node in nodes:
            if not queued[node]:
                queued[node] = True
                self.queue.append(node)

    def _two_opt(self, a: int) -> int:
        """Try the 2-opt moves that give ``a`` one of its near nodes as neighbour."""
        tour, pos, view, size = self.tour, self.pos, self.view, self.size
        row_a = view[a]
        i = pos[a]
        for step in (1, -1):
            b = tour[(i + step) % size]
            ab = row_a[b]
            row_b = view[b]
            for c in self.near[a]:
                ac = row_a[c]
                if ac >= ab:
                    break
                j = pos[c]
                d = tour[(j + step) % size]
                if d == a or c == b:
                    continue
                gain = ab + view[c][d] - ac - row_b[d]
                if gain > 0:
                    if step == 1:
                        self._reverse(i + 1, j)
                    else:
                        self._reverse(i, (j - 1) % size)
                    self._push(a, b, c, d)
                    return gain
        return 0

    def _or_opt(self, a: int) -> int:
        """Try moving a run that starts at ``a`` next to one of the run end's near nodes.

        The run goes from ``a`` forward or backward along the walk. It is reinserted
        between a node ``c`` near ``a`` and one of ``c``'s two walk neighbours ``e``,
        with ``a`` next to ``c``.
        """
        tour, pos, view, size = self.tour, self.pos, self.view, self.size
        if size < OR_OPT_MAX_NODES + 3:
            return 0
        row_a = view[a]
        i = pos[a]
        for length in range(1, OR_OPT_MAX_NODES + 1):
            for step in (1, -1):
                last = tour[(i + step * (length - 1)) % size]
                before = tour[(i - step) % size]
                after = tour[(i + step * length) % size]
                row_before = view[before]
                removed = row_before[a] + view[last][after] - row_before[after]
                if removed <= 0:
                    continue
                run_positions = {(i + step * k) % size for k in range(length)}
                row_last = view[last]
                for c in self.near[a]:
                    ac = row_a[c]
                    if ac >= removed:
                        break
                    j = pos[c]
                    if j in run_positions:
                        continue
                    for side in (1, -1):
                        k = (j + side) % size
                        if k in run_positions:
                            continue
                        e = tour[k]
                        gain = removed - ac - row_last[e] + view[c][e]
                        if gain > 0:
                            self._move_run(i, step, length, c, e)
                            self._push(a, last, before, after, c, e)
                            return gain
        return 0

    # Changing the walk -----------------------------------------------------------------

    def _reverse(self, first: int, last: int) -> None:
        """Reverse the stretch from position ``first`` forward to position ``last``.

        Reversing the rest of the cycle instead gives the same walk, so the shorter of
        the two is reversed.
        """
        size, tour, pos = self.size, self.tour, self.pos
        first %= size
        last %= size
        length = (last - first) % size + 1
        if 2 * length > size:
            first, last = (last + 1) % size, (first - 1) % size
            length = size - length
        if first + length <= size:
            stretch = tour[first : first + length]
            stretch.reverse()
            tour[first : first + length] = stretch
            for k in range(first, first + length):
                pos[tour[k]] = k
            return
        for _ in range(length // 2):
            x, y = tour[first], tour[last]
            tour[first], tour[last] = y, x
            pos[y], pos[x] = first, last
            first = first + 1 if first + 1 < size else 0
            last = last - 1 if last > 0 else size - 1

    def _move_run(self, i: int, step: int, length: int, c: int, e: int) -> None:
        """Move the run of ``length`` nodes from position ``i`` (going ``step``) between
        the walk neighbours ``c`` and ``e``, its first node next to ``c``."""
        tour, pos, size = self.tour, self.pos, self.size
        run = [tour[(i + step * k) % size] for k in range(length)]
        low = i if step == 1 else i - (length - 1)
        if low < 0 or low + length > size:
            # The run wraps round the end of the array: turn the array first.
            self._rotate(size // 2)
            self._move_run(pos[run[0]], step, length, c, e)
            return
        del tour[low : low + length]
        rest = size - length
        at_c = pos[c] if pos[c] < low else pos[c] - length
        at_e = pos[e] if pos[e] < low else pos[e] - length
        if at_e == (at_c + 1) % rest:
            insert_at, ordered = at_c + 1, run
        else:
            insert_at, ordered = at_c, run[::-1]
        tour[insert_at:insert_at] = ordered
        start = min(low, insert_at)
        stop = max(low + length, insert_at + length)
        for k in range(start, stop):
            pos[tour[k]] = k

    def _rotate(self, shift: int) -> None:
        tour = self.tour[shift:] + self.tour[:shift]
        self.tour[:] = tour
        for k, node in enumerate(tour):
            self.pos[node] = k

    # Kicks -----------------------------------------------------------------------------

    def kick_until(self, deadline: float, max_kicks: int | None) -> None:
        """Kick and search again until the deadline or ``max_kicks`` kicks.

        A kick that ends longer than before is undone.
        """
        size = self.size
        if size < 8:
            return
        longest = max(1, min(KICK_MAX_NODES, (size - 2) // 3))
        kicks = 0
        while (max_kicks is None or kicks < max_kicks) and time.perf_counter() < deadline:
            kicks += 1
            first = self.random.randint(1, longest)
            second = self.random.randint(1, longest)
            at = self.random.randrange(size - first - second - 1)
            saved_tour, saved_pos = self.tour[:], self.pos[:]
            change = self._swap_stretches(at, first, second)
            change -= self.descend(deadline)
            if change > 0:
                self.tour, self.pos = saved_tour, saved_pos

    def _swap_stretches(self, at: int, first: int, second: int) -> int:
        """Swap the stretches of ``first`` then ``second`` nodes after position ``at``.

        Return the metres this adds to the walk.
        """
        tour, pos, view = self.tour, self.pos, self.view
        x = tour[at]
        a0, a1 = tour[at + 1], tour[at + first]
        b0, b1 = tour[at + first + 1], tour[at + first + second]
        y = tour[at + first + second + 1]
        added = view[x][b0] + view[b1][a0] + view[a1][y]
        added -= view[x][a0] + view[a1][b0] + view[b1][y]
        stretch = tour[at + first + 1 : at + first + second + 1] + tour[at + 1 : at + first + 1]
        tour[at + 1 : at + first + second + 1] = stretch
        for k in range(at + 1, at + first + second + 1):
            pos[tour[k]] = k
        self._push(x, a0, a1, b0, b1, y)
        return added
