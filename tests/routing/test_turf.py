"""Turf cutting on a hand-made street, walk lists and input checks."""

import math

import pytest

from routing import turf
from routing.geo import EARTH_RADIUS_M, GeoPoint
from routing.plan_check import check_plan
from routing.route_types import Door, PlannedRoute, StreetStretch, TurfPlan, TurfProblem
from routing.status import SolveStatus
from routing.streets import StreetGraph, StreetWay, build_street_graph
from routing.turf import plan_turf, walk_list

DEG_PER_M = 180.0 / (math.pi * EARTH_RADIUS_M)
TIME_LIMIT_S = 0.3


def at(x_m: float, y_m: float) -> GeoPoint:
    """Return the point x metres east and y metres north of (0, 0), on the equator."""
    return GeoPoint(x_m * DEG_PER_M, y_m * DEG_PER_M)


@pytest.fixture(scope="module")
def high_street() -> StreetGraph:
    """One straight 2 km street running east, with the meeting point at its middle."""
    coords = ((at(-1000, 0).lon, 0.0), (at(1000, 0).lon, 0.0))
    return build_street_graph([StreetWay("w1", "Grande Rue", "residential", coords)])


def door(address_id: int, x_m: float, *, number: str = "1", dwellings: int = 1) -> Door:
    """Return a door 5 m north of the street, x metres east of the meeting point."""
    return Door(address_id, at(x_m, 5), "Grande Rue", number, dwellings)


def problem(doors: tuple[Door, ...], **changes: object) -> TurfProblem:
    settings: dict[str, object] = {"team_count": 1, "max_minutes": 60, "time_limit_s": TIME_LIMIT_S}
    settings.update(changes)
    return TurfProblem(at(0, 0), doors, **settings)  # type: ignore[arg-type]


def test_one_team_walks_the_doors_in_street_order(high_street: StreetGraph) -> None:
    doors = (door(1, 100), door(2, 200), door(3, 300))
    plan = plan_turf(high_street, problem(doors))
    assert plan.status is SolveStatus.FEASIBLE
    assert plan.unvisited_door_ids == ()
    (route,) = plan.routes
    assert route.team == 0
    assert route.door_ids in ((1, 2, 3), (3, 2, 1))
    # 105 to the first door, 100 and 100 along the pavement, 305 back.
    assert route.length_m == 610
    assert route.walking_minutes == pytest.approx(610 / 70)
    assert route.door_minutes == pytest.approx(4.5)
    assert route.total_minutes == pytest.approx(610 / 70 + 4.5)
    assert route.path[0] == at(0, 0)
    assert route.path[-1] == at(0, 0)
    assert {at(100, 5), at(200, 5), at(300, 5)} <= set(route.path)


def test_doors_that_do_not_fit_are_left_unvisited(high_street: StreetGraph) -> None:
    # Door 1 alone: 210 m (3 min) + 1.5 min. Adding door 2 needs 410 m + 3 min > 5 min.
    doors = (door(1, 100), door(2, 200), door(3, 300))
    plan = plan_turf(high_street, problem(doors, max_minutes=5))
    assert plan.routes[0].door_ids == (1,)
    assert plan.unvisited_door_ids == (2, 3)
    assert plan.routes[0].total_minutes == pytest.approx(3.0 + 1.5)


def test_turf_prefers_households_over_doors(high_street: StreetGraph) -> None:
    # The block of flats alone takes 3 + 9 = 12 min and the two houses 410 m + 3 min
    # (8.9 min). Both do not fit in 13 min, and households count, not doors.
    doors = (door(1, 100, dwellings=6), door(2, -100), door(3, -200))
    plan = plan_turf(high_street, problem(doors, max_minutes=13))
    assert plan.routes[0].door_ids == (1,)
    assert plan.unvisited_door_ids == (2, 3)


def test_two_teams_take_one_side_each(high_street: StreetGraph) -> None:
    doors = (door(1, 100), door(2, 200), door(3, -100), door(4, -200))
    plan = plan_turf(high_street, problem(doors, team_count=2))
    visits = sorted(sorted(route.door_ids) for route in plan.routes)
    assert visits == [[1, 2], [3, 4]]
    assert [route.length_m for route in plan.routes] == [410, 410]
    assert [route.team for route in plan.routes] == [0, 1]


def test_unused_teams_get_empty_routes(high_street: StreetGraph) -> None:
    plan = plan_turf(high_street, problem((door(7, 100),), team_count=3))
    assert len(plan.routes) == 3
    assert sorted(len(route.door_ids) for route in plan.routes) == [0, 0, 1]
    empty = next(route for route in plan.routes if not route.door_ids)
    assert (empty.length_m, empty.total_minutes, empty.path) == (0, 0.0, ())


def test_no_doors_gives_an_empty_plan(high_street: StreetGraph) -> None:
    plan = plan_turf(high_street, problem((), team_count=2))
    assert plan.status is SolveStatus.EMPTY
    assert plan.status.has_solution
    assert [route.door_ids for route in plan.routes] == [(), ()]
    assert plan.unvisited_door_ids == ()


def test_walk_list_groups_consecutive_doors_of_a_street() -> None:
    doors = [
        Door(1, at(0, 0), "Rue Neuve", "1"),
        Door(2, at(0, 0), "Rue Neuve", "3"),
        Door(3, at(0, 0), "Avenue Carnot", "2bis"),
        Door(4, at(0, 0), "Rue Neuve", "5"),
    ]
    route = PlannedRoute(0, (2, 1, 3, 4), 0, 0.0, 0.0, 0.0, ())
    assert walk_list(route, doors) == (
        StreetStretch("Rue Neuve", ("3", "1")),
        StreetStretch("Avenue Carnot", ("2bis",)),
        StreetStretch("Rue Neuve", ("5",)),
    )
    assert walk_list(PlannedRoute(1, (), 0, 0.0, 0.0, 0.0, ()), doors) == ()


def test_walk_list_rejects_unknown_doors() -> None:
    route = PlannedRoute(0, (9,), 0, 0.0, 0.0, 0.0, ())
    with pytest.raises(ValueError, match="unknown address ids: \\[9\\]"):
        walk_list(route, [Door(1, at(0, 0), "Rue Neuve", "1")])


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"team_count": 0}, "team_count must be at least 1, got 0"),
        ({"max_minutes": -30}, "max_minutes must be positive, got -30"),
        ({"max_minutes": 0}, "max_minutes must be positive, got 0"),
        ({"walking_speed_m_per_min": 0.0}, "walking_speed_m_per_min must be positive"),
        ({"minutes_per_dwelling": -1.5}, "minutes_per_dwelling must be zero or positive"),
        ({"minutes_per_dwelling": math.nan}, "minutes_per_dwelling must be zero or positive"),
        ({"time_limit_s": 0.0}, "time_limit_s must be positive"),
        ({"max_doors_per_route": 0}, "max_doors_per_route must be at least 1, got 0"),
        ({"balance_cost_per_second": -1}, "balance_cost_per_second must be zero or positive"),
        ({"solution_limit": 0}, "solution_limit must be at least 1, got 0"),
        ({"previous_routes": ((1,), ())}, "previous_routes has 2 routes for 1 teams"),
        (
            {"team_count": 2, "previous_routes": ((1, 5), (5,))},
            "one previous route; repeated address ids: \\[5\\]",
        ),
    ],
)
def test_problem_rejects_bad_settings(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        problem((door(1, 100),), **changes)


def test_problem_rejects_a_door_listed_twice() -> None:
    with pytest.raises(ValueError, match="repeated address ids: \\[1\\]"):
        problem((door(1, 100), door(2, 200), door(1, 300)))


def test_problem_rejects_a_meeting_point_off_the_map() -> None:
    with pytest.raises(ValueError, match="meeting_point"):
        TurfProblem(GeoPoint(math.inf, 0.0), (), 1, 60)


def test_door_rejects_zero_dwellings_and_bad_coordinates() -> None:
    with pytest.raises(ValueError, match="door 4: dwellings must be at least 1, got 0"):
        Door(4, at(0, 0), "Rue Neuve", "1", dwellings=0)
    with pytest.raises(ValueError, match="door 5: coordinates must be finite"):
        Door(5, GeoPoint(0.0, math.nan), "Rue Neuve", "1")


def block_grid() -> StreetGraph:
    """Three streets each way, 100 m apart, all residential."""
    ways = []
    for line in range(3):
        ways.append(
            StreetWay(
                f"h{line}",
                f"Rue H{line}",
                "residential",
                tuple((at(x, 100 * line).lon, at(x, 100 * line).lat) for x in (0, 100, 200)),
            )
        )
        ways.append(
            StreetWay(
                f"v{line}",
                f"Rue V{line}",
                "residential",
                tuple((at(100 * line, y).lon, at(100 * line, y).lat) for y in (0, 100, 200)),
            )
        )
    return build_street_graph(ways)


def grid_doors() -> tuple[Door, ...]:
    """Houses every 20 m on both sides of the three east-west streets; every 7th is flats."""
    doors = []
    for line in range(3):
        for x in range(10, 200, 20):
            for side in (-8, 8):
                number = len(doors) + 1
                dwellings = 3 if number % 7 == 0 else 1
                doors.append(
                    Door(number, at(x, 100 * line + side), f"Rue H{line}", str(number), dwellings)
                )
    return tuple(doors)


def total_length(plan: TurfPlan) -> int:
    return sum(route.length_m for route in plan.routes)


# Regression values: the search stops after a fixed number of improving solutions, so
# these lengths do not depend on the machine's speed. A change of model or search
# settings that moves them must be checked against benchmarks/routes_peers.py.
@pytest.mark.parametrize(
    ("changes", "expected_m", "expected_unvisited"),
    [
        ({"team_count": 3, "max_minutes": 60, "max_doors_per_route": 25}, 2160, 0),
        ({"team_count": 2, "max_minutes": 30}, 984, 38),
    ],
)
def test_fixed_instances_keep_their_recorded_length(
    changes: dict[str, object], expected_m: int, expected_unvisited: int
) -> None:
    doors = grid_doors()
    settings: dict[str, object] = {"time_limit_s": 20.0, "solution_limit": 30}
    settings.update(changes)
    problem = TurfProblem(at(100, 100), doors, **settings)  # type: ignore[arg-type]
    plan = plan_turf(block_grid(), problem)
    check_plan(problem, plan)
    assert (total_length(plan), len(plan.unvisited_door_ids)) == (expected_m, expected_unvisited)


def test_sectors_keep_every_door_once_and_every_walk_within_the_session(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(turf, "SECTOR_MAX_DOORS", 20)
    doors = grid_doors()
    problem = TurfProblem(
        at(100, 100), doors, team_count=4, max_minutes=25, time_limit_s=1.0, solution_limit=20
    )
    plan = plan_turf(block_grid(), problem)
    check_plan(problem, plan)
    routed = [door_id for route in plan.routes for door_id in route.door_ids]
    assert sorted(routed + list(plan.unvisited_door_ids)) == [door.address_id for door in doors]
    assert all(route.total_minutes <= 25 for route in plan.routes)
    assert sum(1 for route in plan.routes if route.door_ids) == 4


def test_the_door_cap_limits_each_route(high_street: StreetGraph) -> None:
    doors = tuple(door(k, 20 * k) for k in range(1, 7))
    plan = plan_turf(high_street, problem(doors, team_count=2, max_doors_per_route=2))
    assert sorted(len(route.door_ids) for route in plan.routes) == [2, 2]
    assert len(plan.unvisited_door_ids) == 2


def test_doors_at_one_point_are_listed_by_street_and_number(high_street: StreetGraph) -> None:
    residence = at(100, 5)
    names = [(1, "Allée B", "2"), (2, "Allée A", "10"), (3, "Allée B", "1"), (4, "Allée A", "9")]
    doors = (
        door(5, 50),
        *(Door(i, residence, street, number, 1) for i, street, number in names),
        door(6, 200),
    )

    plan = plan_turf(high_street, problem(doors))

    (route,) = plan.routes
    assert route.door_ids in ((5, 4, 2, 3, 1, 6), (6, 4, 2, 3, 1, 5))
    # 55 to the first door, 150 along the pavement, 205 back.
    assert route.length_m == 410
