"""Cheapest insertion of doors into timed walks, on points along one line."""

from dataclasses import replace

import numpy as np
import pytest

from routing.walk_insertion import InsertionProblem, OpenWalk, insert_doors, walk_minutes

# Node 0 is the finish, where every walk below ends.
FINISH = 0


def line_problem(
    xs: list[int],
    walks: tuple[OpenWalk, ...],
    *,
    max_minutes: float,
    dwellings: dict[int, int] | None = None,
    penalties: dict[tuple[int, int], int] | None = None,
) -> InsertionProblem:
    """Return walks over points at ``xs`` metres along a line, at a metre a minute.

    A door takes a minute per dwelling. ``dwellings`` sets a node's dwellings, and nodes
    not named and not starting a walk have one. ``penalties`` adds to the cost of a
    move, both ways, but not to its metres.
    """
    position = np.array(xs, dtype=np.int64)
    distance = np.abs(position[:, None] - position[None, :])
    cost = distance.copy()
    for (a, b), extra in (penalties or {}).items():
        cost[a, b] += extra
        cost[b, a] += extra
    starts = {walk.start for walk in walks}
    counts = [0 if node in starts or node == FINISH else 1 for node in range(len(xs))]
    for node, count in (dwellings or {}).items():
        counts[node] = count
    return InsertionProblem(
        distance_m=distance,
        cost=cost,
        dwellings=np.array(counts, dtype=np.int64),
        walks=walks,
        max_minutes=max_minutes,
        walking_speed_m_per_min=1.0,
        minutes_per_dwelling=1.0,
    )


def test_walk_minutes_count_walking_and_doors() -> None:
    # 10 -> 5 -> 0: 10 m and one door.
    problem = line_problem([0, 10, 5], (OpenWalk(1, (2,), FINISH),), max_minutes=20)

    assert walk_minutes(problem, problem.walks[0]) == 11.0
    assert walk_minutes(problem, OpenWalk(1, (), FINISH)) == 10.0


def test_door_goes_to_cheapest_walk() -> None:
    # Walk A from 10 through 5 (11 min), walk B from -10 (10 min). The door at -6 adds
    # 12 m to A and nothing to B, which passes it.
    east, west = OpenWalk(1, (3,), FINISH), OpenWalk(2, (), FINISH)
    problem = line_problem([0, 10, -10, 5, -6], (east, west), max_minutes=30)

    walks, left = insert_doors(problem, [4])

    assert walks == (east, OpenWalk(2, (4,), FINISH))
    assert left == ()


def test_door_goes_to_cheapest_position() -> None:
    # From 30 through 20 and 10 home: the door at 15 goes between 20 and 10, at no cost.
    walk = OpenWalk(1, (2, 3), FINISH)
    problem = line_problem([0, 30, 20, 10, 15, 40], (walk,), max_minutes=60)

    walks, left = insert_doors(problem, [4, 5])

    # The door at 40 then goes between the start at 30 and 20, for 20 m more.
    assert walks == (OpenWalk(1, (5, 2, 4, 3), FINISH),)
    assert left == ()


def test_door_that_fits_no_walk_stays_out() -> None:
    # Walk A from 10 through 5 (11 min), walk B from -10 (10 min), 14 min each. The
    # door at 20 adds at least 20 m to either walk.
    east, west = OpenWalk(1, (3,), FINISH), OpenWalk(2, (), FINISH)
    problem = line_problem([0, 10, -10, 5, 20], (east, west), max_minutes=14)

    walks, left = insert_doors(problem, [4])

    assert walks == (east, west)
    assert left == (4,)


def test_door_with_many_dwellings_stays_out() -> None:
    # The door at -6 costs nothing to walk B but takes 5 minutes: 15 > 14.
    west = OpenWalk(2, (), FINISH)
    problem = line_problem(
        [0, 10, -10, -6], (OpenWalk(1, (), FINISH), west), max_minutes=14, dwellings={3: 5}
    )

    walks, left = insert_doors(problem, [3])

    assert walks[1] == west
    assert left == (3,)


def test_cheapest_door_goes_first_and_takes_the_room() -> None:
    # Walk from 10, 10 min of 15. The door at 12 adds 4 m and a minute (15 min), the
    # door at 5 a minute only: it goes in first, and then the door at 12 would take 16.
    problem = line_problem([0, 10, 12, 5], (OpenWalk(1, (), FINISH),), max_minutes=15)

    walks, left = insert_doors(problem, [2, 3])

    assert walks == (OpenWalk(1, (3,), FINISH),)
    assert left == (2,)


def test_each_walk_takes_doors_until_it_is_full() -> None:
    # Two walks from 10 and -10, 13 min each. Doors at 8, 6 and 4 cost nothing to the
    # east walk, which has room for three; the door at -3 then goes west.
    east, west = OpenWalk(1, (), FINISH), OpenWalk(2, (), FINISH)
    problem = line_problem([0, 10, -10, 8, 6, 4, -3, 11], (east, west), max_minutes=13)

    walks, left = insert_doors(problem, [3, 4, 5, 6, 7])

    assert walks == (OpenWalk(1, (3, 4, 5), FINISH), OpenWalk(2, (6,), FINISH))
    # The door at 11 adds 2 m to the east walk, which is full, and 22 m to the west one.
    assert left == (7,)
    for walk in walks:
        assert walk_minutes(problem, walk) <= 13
    placed = [door for walk in walks for door in walk.doors]
    assert sorted([*placed, *left]) == [3, 4, 5, 6, 7]


@pytest.mark.parametrize(("balance", "walk_a", "walk_b"), [(0.0, (2, 3), ()), (10.0, (2,), (3,))])
def test_balance_cost_spares_the_longest_walk(
    balance: float, walk_a: tuple[int, ...], walk_b: tuple[int, ...]
) -> None:
    # Walk A from 10 through 9 takes 11 min, walk B from 1 takes 1 min. The door at 3
    # adds no metre to A, which passes it, but a minute to the longest walk; to B it
    # adds 4 m. At 10 a minute, the minute costs more than the metres.
    walks = (OpenWalk(1, (2,), FINISH), OpenWalk(4, (), FINISH))
    problem = line_problem([0, 10, 9, 3, 1], walks, max_minutes=30)

    inserted, left = insert_doors(replace(problem, balance_cost_per_minute=balance), [3])

    assert [walk.doors for walk in inserted] == [walk_a, walk_b]
    assert left == ()


def test_ties_go_to_first_door_and_walk() -> None:
    # Both doors cost nothing to both walks (all four points sit at 10), with room for
    # one door each.
    first, second = OpenWalk(1, (), FINISH), OpenWalk(2, (), FINISH)
    problem = line_problem([0, 10, 10, 10, 10], (first, second), max_minutes=11)

    walks, left = insert_doors(problem, [4, 3])

    assert walks == (OpenWalk(1, (4,), FINISH), OpenWalk(2, (3,), FINISH))
    assert left == ()


def test_crossing_penalty_moves_the_door() -> None:
    # The door at 5 is on the way home from 10, but crossing into it from there costs
    # 70 more. From 4 it adds 2 m, so it goes to the walk from 4.
    problem = line_problem(
        [0, 10, 4, 5],
        (OpenWalk(1, (), FINISH), OpenWalk(2, (), FINISH)),
        max_minutes=20,
        penalties={(1, 3): 70},
    )

    walks, _ = insert_doors(problem, [3])

    assert walks == (OpenWalk(1, (), FINISH), OpenWalk(2, (3,), FINISH))


def test_cheapest_fitting_position_wins() -> None:
    # Walk from 10 through 4 home, 11 min of 13. Between 10 and 4 the door at 7 adds no
    # metre but a 70 m crossing penalty. After 4 it would cost 6 m only, but the walk
    # would take 18 min.
    problem = line_problem(
        [0, 10, 4, 7],
        (OpenWalk(1, (2,), FINISH),),
        max_minutes=13,
        penalties={(1, 3): 70},
    )

    walks, left = insert_doors(problem, [3])

    assert walks == (OpenWalk(1, (3, 2), FINISH),)
    assert left == ()


@pytest.mark.parametrize("doors", [[], [3, 3]])
def test_nothing_or_a_repeated_door(doors: list[int]) -> None:
    problem = line_problem([0, 10, 20, 5], (OpenWalk(1, (), FINISH),), max_minutes=60)

    walks, left = insert_doors(problem, doors)

    assert walks == (OpenWalk(1, tuple(dict.fromkeys(doors)), FINISH),)
    assert left == ()
