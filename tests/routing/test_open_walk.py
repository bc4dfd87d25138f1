"""Walks from the meeting point to a stop of their own, reordered by the walk search."""

import itertools
import random

import numpy as np
from numpy.typing import NDArray

from routing.open_walk import improve_walk_to_end


def folded(start: float, doors: list[float], end: float) -> NDArray[np.int64]:
    """Return a line's distances: from ``start`` out of node 0, to ``end`` into node 0."""
    points = np.array([start, *doors], dtype=np.float64)
    matrix = np.abs(points[:, None] - points[None, :]).astype(np.int64)
    matrix[1:, 0] = np.abs(np.array(doors) - end).astype(np.int64)
    return matrix


def path_length(matrix: NDArray[np.int64], walk: tuple[int, ...]) -> int:
    stops = [0, *walk, 0]
    return int(sum(matrix[a, b] for a, b in itertools.pairwise(stops)))


def test_doors_on_the_way_are_taken_in_order() -> None:
    # Doors at 30, 10 and 20 m on a line from 0 to the stop at 40 m.
    matrix = folded(0, [30, 10, 20], 40)

    walk = improve_walk_to_end(matrix, (1, 2, 3), time_limit_s=1.0, max_kicks=10)

    assert walk == (2, 3, 1)
    assert path_length(matrix, walk) == 40


def test_walk_heading_the_wrong_way_is_turned() -> None:
    # The stop lies behind the start: the doors ahead are done first, then the walk
    # turns back past the start to the stop.
    matrix = folded(0, [-20, 10, 30, -10], -40)

    walk = improve_walk_to_end(matrix, (1, 2, 3, 4), time_limit_s=1.0, max_kicks=10)

    assert walk == (2, 3, 4, 1)
    assert path_length(matrix, walk) == 30 + 70


def test_small_instances_reach_the_best_path() -> None:
    rng = random.Random(5)
    for _ in range(20):
        xy = np.array([(rng.uniform(0, 500), rng.uniform(0, 500)) for _ in range(8)])
        metres = np.rint(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)))
        # Point 0 is the meeting point, point 7 the stop; 1 to 6 are doors.
        matrix = metres[:7, :7].astype(np.int64)
        matrix[1:, 0] = metres[1:7, 7].astype(np.int64)
        start = (1, 2, 3, 4, 5, 6)
        best = min(path_length(matrix, order) for order in itertools.permutations(start))

        walk = improve_walk_to_end(matrix, start, time_limit_s=1.0, max_kicks=50)

        assert sorted(walk) == list(start)
        assert path_length(matrix, walk) == best


def test_one_door_walk_is_kept() -> None:
    assert improve_walk_to_end(folded(0, [5], 9), (1,), time_limit_s=0.1) == (1,)
