"""The walk search: 2-opt and Or-opt moves with kicks, on matrices whose optimum is known."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routing import walk_search
from routing.walk_search import improve_walk, nearest_nodes, walk_length


def on_a_line(positions: list[int]) -> np.ndarray:
    """Return the distances between points at the given positions along a line."""
    points = np.array(positions, dtype=np.int64)
    return np.abs(points[:, None] - points[None, :]).astype(np.int32)


def on_a_circle(count: int, radius_m: float) -> np.ndarray:
    """Return the rounded straight-line distances between points evenly spread on a circle."""
    angles = 2 * math.pi * np.arange(count) / count
    xy = radius_m * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return np.rint(np.linalg.norm(xy[:, None] - xy[None, :], axis=2)).astype(np.int32)


def on_a_grid(side: int, step_m: int) -> np.ndarray:
    """Return street-grid (Manhattan) distances between the crossings of a square grid."""
    cells = np.array([(x, y) for x in range(side) for y in range(side)], dtype=np.int64)
    return (step_m * np.abs(cells[:, None] - cells[None, :]).sum(axis=2)).astype(np.int32)


def random_metric(count: int, seed: int) -> np.ndarray:
    """Return rounded distances between random points in a 1 km square."""
    xy = np.random.default_rng(seed).uniform(0, 1000, size=(count, 2))
    return np.rint(np.linalg.norm(xy[:, None] - xy[None, :], axis=2)).astype(np.int32)


def brute_force_optimum(distance_m: np.ndarray) -> int:
    """Return the shortest closed walk from node 0 through every node, by trying all."""
    nodes = range(1, distance_m.shape[0])
    return min(walk_length(distance_m, order) for order in itertools.permutations(nodes))


def test_line_walks_out_and_back() -> None:
    # Meeting point at 0, doors scattered between 3 and 90 m: the shortest walk goes out
    # to the far end and back, 180 m, whatever the order it was given.
    positions = [0, 40, 3, 90, 17, 66, 25, 81, 52, 9]
    distance_m = on_a_line(positions)
    walk = improve_walk(distance_m, tuple(range(1, 10)), time_limit_s=10.0, max_kicks=50)
    assert walk_length(distance_m, walk) == 180
    assert sorted(walk) == list(range(1, 10))
    # Out and back: doors left on the way out are knocked on the way back.
    along = [positions[node] for node in walk]
    far = along.index(90)
    assert along[: far + 1] == sorted(along[: far + 1])
    assert along[far:] == sorted(along[far:], reverse=True)


def test_circle_walks_round_the_rim() -> None:
    # Twelve points on a 1 km circle: every chord is at least the 518 m between
    # neighbours, so the only walk of 12 x 518 m goes round the rim.
    distance_m = on_a_circle(12, 1000.0)
    assert int(distance_m[0, 1]) == 518
    zigzag = (6, 1, 7, 2, 8, 3, 9, 4, 10, 5, 11)
    walk = improve_walk(distance_m, zigzag, time_limit_s=10.0, max_kicks=50)
    assert walk_length(distance_m, walk) == 12 * 518
    assert walk in (tuple(range(1, 12)), tuple(range(11, 0, -1)))


def test_grid_walk_takes_single_blocks() -> None:
    # 36 crossings of a 6 x 6 grid, 100 m apart: a walk stepping one block at a time
    # through every crossing and back exists, 3,600 m, and nothing is shorter.
    distance_m = on_a_grid(6, 100)
    shuffled = tuple(int(n) for n in np.random.default_rng(3).permutation(35) + 1)
    walk = improve_walk(distance_m, shuffled, time_limit_s=10.0, max_kicks=500)
    assert walk_length(distance_m, walk) == 3600
    assert sorted(walk) == list(range(1, 36))


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_small_walks_reach_optimum(seed: int) -> None:
    distance_m = random_metric(9, seed)
    start = tuple(range(1, 9))
    walk = improve_walk(distance_m, start, time_limit_s=10.0, max_kicks=200, seed=seed)
    assert walk_length(distance_m, walk) == brute_force_optimum(distance_m)


def test_search_never_lengthens_walk() -> None:
    distance_m = random_metric(60, 7)
    rng = np.random.default_rng(7)
    for kicks in (0, 1, 20):
        start = tuple(int(n) for n in rng.permutation(59) + 1)
        walk = improve_walk(distance_m, start, time_limit_s=10.0, max_kicks=kicks)
        assert sorted(walk) == list(range(1, 60))
        assert walk_length(distance_m, walk) <= walk_length(distance_m, start)


def test_good_walk_stays_as_good() -> None:
    # The rim of the circle is optimal: the search returns a walk of the same length.
    distance_m = on_a_circle(20, 500.0)
    rim = tuple(range(1, 20))
    walk = improve_walk(distance_m, rim, time_limit_s=10.0, max_kicks=100)
    assert walk_length(distance_m, walk) == walk_length(distance_m, rim)


def test_subset_walk_keeps_its_nodes() -> None:
    # The walk goes through some of the matrix's nodes: only they are reordered, and
    # the walk still starts and ends at node 0.
    positions = [0, 5, 50, 10, 45, 20, 35, 30, 25]
    distance_m = on_a_line(positions)
    walk = improve_walk(distance_m, (2, 5, 1, 7), time_limit_s=10.0, max_kicks=20)
    assert sorted(walk) == [1, 2, 5, 7]
    assert 0 not in walk
    # Out to 50 m and back: 100 m.
    assert walk_length(distance_m, walk) == 100


def test_short_walks_come_back_unchanged() -> None:
    distance_m = on_a_line([0, 10, 20])
    assert improve_walk(distance_m, (), time_limit_s=1.0) == ()
    assert improve_walk(distance_m, (2,), time_limit_s=1.0) == (2,)
    assert improve_walk(distance_m, (2, 1), time_limit_s=1.0) == (2, 1)


def test_same_seed_gives_same_walk() -> None:
    distance_m = random_metric(120, 11)
    start = tuple(range(1, 120))
    first = improve_walk(distance_m, start, time_limit_s=30.0, max_kicks=300, seed=5)
    again = improve_walk(distance_m, start, time_limit_s=30.0, max_kicks=300, seed=5)
    assert first == again


def test_nearest_nodes_break_ties_by_number() -> None:
    distance_m = on_a_line([0, 10, -10, 20, -20, 10])
    assert nearest_nodes(distance_m, 3) == [
        [1, 2, 5],
        [5, 0, 3],
        [0, 4, 1],
        [1, 5, 0],
        [2, 0, 1],
        [1, 0, 3],
    ]
    assert nearest_nodes(distance_m, 10)[0] == [1, 2, 5, 3, 4]


@settings(max_examples=40, deadline=None)
@given(
    size=st.integers(min_value=4, max_value=40),
    seed=st.integers(min_value=0, max_value=10_000),
    kicks=st.integers(min_value=0, max_value=30),
)
def test_walk_is_a_shorter_or_equal_permutation(size: int, seed: int, kicks: int) -> None:
    rng = np.random.default_rng(seed)
    distance_m = random_metric(size, seed)
    start = tuple(int(n) for n in rng.permutation(size - 1) + 1)
    walk = improve_walk(distance_m, start, time_limit_s=10.0, max_kicks=kicks, seed=seed)
    assert sorted(walk) == list(range(1, size))
    assert walk_length(distance_m, walk) <= walk_length(distance_m, start)


@settings(max_examples=40, deadline=None)
@given(size=st.integers(min_value=8, max_value=30), seed=st.integers(0, 10_000))
def test_search_keeps_positions_in_step(size: int, seed: int) -> None:
    # Moves that wrap round the end of the array must keep ``pos`` the inverse of
    # ``tour`` and the walk's length equal to the sum of its edges.
    distance_m = random_metric(size, seed)
    search = walk_search._CycleSearch(distance_m, list(range(size)), seed=seed)
    before = cycle_length(distance_m, search.tour)
    saved = search.descend()
    assert cycle_length(distance_m, search.tour) == before - saved
    assert all(search.pos[node] == k for k, node in enumerate(search.tour))
    assert sorted(search.tour) == list(range(size))


def cycle_length(distance_m: np.ndarray, tour: list[int]) -> int:
    order = np.array(tour)
    return int(distance_m[order, np.roll(order, -1)].sum())


def test_one_way_distances_are_rejected() -> None:
    distance_m = on_a_line([0, 10, 20, 30])
    distance_m[1, 2] = 5
    with pytest.raises(ValueError, match="symmetric distances"):
        improve_walk(distance_m, (1, 2, 3), time_limit_s=1.0)
