"""Re-planning from the teams' previous routes: each team keeps its doors while it can."""

import pytest

from routing import turf
from routing.geo import GeoPoint
from routing.plan_check import check_plan
from routing.route_types import Door, TurfPlan, TurfProblem
from routing.streets import StreetGraph
from routing.turf import plan_turf
from routing.turf_keep import hand_over
from tests.routing.test_turf import at, block_grid, door, grid_doors, high_street

__all__ = ["high_street"]

MEETING_POINT = at(0, 0)


def replan(
    graph: StreetGraph,
    doors: tuple[Door, ...],
    previous: tuple[tuple[int, ...], ...],
    *,
    team_count: int = 2,
    meeting_point: GeoPoint = MEETING_POINT,
    **changes: object,
) -> TurfPlan:
    """Plan the doors for the teams of the previous routes, and check the plan."""
    settings: dict[str, object] = {"max_minutes": 60, "time_limit_s": 2.0, "solution_limit": 30}
    settings.update(changes)
    problem = TurfProblem(
        meeting_point,
        doors,
        team_count=len(previous) or team_count,
        previous_routes=previous,
        **settings,  # type: ignore[arg-type]
    )
    plan = plan_turf(graph, problem)
    check_plan(problem, plan)
    return plan


def door_sets(plan: TurfPlan) -> list[set[int]]:
    return [set(route.door_ids) for route in plan.routes]


# Two doors on each side of the meeting point.
SIDES = (door(1, 100), door(2, 200), door(3, -100), door(4, -200))


def test_previous_split_kept_when_nothing_changed(high_street: StreetGraph) -> None:
    # Each team had one door on each side: 410 m and 810 m, where a cut from scratch
    # gives each team one side, 410 m each.
    fresh = replan(high_street, SIDES, ())
    kept = replan(high_street, SIDES, ((1, 3), (2, 4)))

    assert sorted(map(sorted, door_sets(fresh))) == [[1, 2], [3, 4]]
    assert door_sets(kept) == [{1, 3}, {2, 4}]
    assert [route.length_m for route in kept.routes] == [410, 810]
    assert kept.unvisited_door_ids == ()


def test_closed_street_leaves_other_team_doors(high_street: StreetGraph) -> None:
    # Team 0 walked east, team 1 west to flats of three households each. Doors 2 to 4
    # are on a closed street, so they leave the problem.
    east = (door(1, 100), door(2, 200), door(3, 300), door(4, 400))
    west = tuple(door(k, -100 * (k - 4), dwellings=3) for k in range(5, 9))
    doors = (east[0], *west)
    previous = ((1, 2, 3, 4), (5, 6, 7, 8))

    fresh = replan(high_street, doors, ())
    kept = replan(high_street, doors, previous)

    # From scratch, the east team takes flats to even out 4.5 min against 29.6 min.
    assert {5, 6, 7, 8} not in door_sets(fresh)
    assert door_sets(kept) == [{1}, {5, 6, 7, 8}]
    assert [route.length_m for route in kept.routes] == [210, 810]
    assert kept.routes[1].total_minutes == pytest.approx(810 / 70 + 18)


def test_absent_team_doors_shared(high_street: StreetGraph) -> None:
    # Three teams walked west, middle and east; the middle team (doors 3 and 4) is
    # absent, so its doors had no team left.
    doors = (
        door(1, -300),
        door(2, -200),
        door(3, -100),
        door(4, 100),
        door(5, 200),
        door(6, 300),
    )

    plan = replan(high_street, doors, ((1, 2), (5, 6)))

    # Each side takes the middle door on its way: 305 out and 305 back.
    assert door_sets(plan) == [{1, 2, 3}, {4, 5, 6}]
    assert [route.length_m for route in plan.routes] == [610, 610]
    assert plan.unvisited_door_ids == ()


def test_new_team_takes_a_share(high_street: StreetGraph) -> None:
    # Team 0 walked both sides, 810 m and 17.6 min; team 1 is marked present again.
    plan = replan(high_street, SIDES, ((1, 2, 3, 4), ()))

    assert sorted(map(sorted, door_sets(plan))) == [[1, 2], [3, 4]]
    assert [route.length_m for route in plan.routes] == [410, 410]


def test_team_whose_doors_all_closed_takes_a_share(high_street: StreetGraph) -> None:
    # Team 0's only door (2) is closed; team 1 walked west to four flats of three
    # households, 29.6 min. Team 0 now has nothing to do and takes half of them.
    west = tuple(door(k, -100 * (k - 4), dwellings=3) for k in range(5, 9))

    plan = replan(high_street, west, ((2,), (5, 6, 7, 8)))

    assert sorted(map(sorted, door_sets(plan))) == [[5, 6], [7, 8]]


def test_hand_over_gives_fresh_walk_to_idle_team() -> None:
    # The fresh cut's first walk shares two doors with team 1 and the second one three
    # with team 0, so team 2 gets the third walk and takes door 6 from team 1. The
    # other teams keep their own walks: doors 7 and 9 are on none yet.
    previous = [(1, 2, 3), (4, 5, 6), ()]
    fresh = [(4, 5, 9), (1, 2, 3, 7), (6, 8)]

    assert hand_over(previous, fresh) == [(1, 2, 3), (4, 5), (6, 8)]


def test_door_without_time_moves_to_team_with_time(high_street: StreetGraph) -> None:
    # Team 0's two blocks of four households take 410 m (5.9 min) and 12 min, more than
    # the 15 min left. Block 1 fits team 1's walk to door 3 (13.4 min); block 2 does
    # not (610 m, 16.2 min), so team 0 keeps block 2.
    doors = (door(1, 100, dwellings=4), door(2, 200, dwellings=4), door(3, -100))

    plan = replan(high_street, doors, ((1, 2), (3,)), max_minutes=15)

    assert door_sets(plan) == [{2}, {1, 3}]
    assert [route.length_m for route in plan.routes] == [410, 410]
    assert plan.unvisited_door_ids == ()


def test_doors_of_no_previous_route_cut_from_scratch(high_street: StreetGraph) -> None:
    # Previous routes whose doors are all gone leave no door with a team.
    plan = replan(high_street, SIDES, ((7,), (8, 9)))

    assert sorted(map(sorted, door_sets(plan))) == [[1, 2], [3, 4]]


def test_sectors_keep_each_team_doors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(turf, "SECTOR_MAX_DOORS", 20)
    doors = grid_doors()
    grid = block_grid()
    settings: dict[str, object] = {"max_minutes": 25, "time_limit_s": 1.0, "solution_limit": 20}
    first = replan(grid, doors, (), team_count=4, meeting_point=at(100, 100), **settings)
    previous = tuple(route.door_ids for route in first.routes)
    gone = set(previous[0][:3])

    again = replan(grid, doors, previous, meeting_point=at(100, 100), **settings)
    closed = replan(
        grid,
        tuple(d for d in doors if d.address_id not in gone),
        previous,
        meeting_point=at(100, 100),
        **settings,
    )

    assert all(previous)
    assert door_sets(again) == [set(route) for route in previous]
    assert door_sets(closed)[1:] == [set(route) for route in previous[1:]]
    assert door_sets(closed)[0] >= set(previous[0]) - gone
