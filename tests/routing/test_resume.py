"""Walks of teams already out, on a hand-made street: matching and walks from a door."""

import math

import pytest

from routing.geo import EARTH_RADIUS_M, GeoPoint
from routing.resume import match_routes, resume_walks, walk_from
from routing.route_types import Door, PlannedRoute, TurfProblem
from routing.streets import StreetGraph, StreetWay, build_street_graph

DEG_PER_M = 180.0 / (math.pi * EARTH_RADIUS_M)


def at(x_m: float, y_m: float) -> GeoPoint:
    """Return the point x metres east and y metres north of (0, 0), on the equator."""
    return GeoPoint(x_m * DEG_PER_M, y_m * DEG_PER_M)


@pytest.fixture(scope="module")
def high_street() -> StreetGraph:
    """One straight 2 km street running east, with the meeting point at its middle."""
    coords = ((at(-1000, 0).lon, 0.0), (at(1000, 0).lon, 0.0))
    return build_street_graph([StreetWay("w1", "Grande Rue", "residential", coords)])


def door(address_id: int, x_m: float, *, dwellings: int = 1) -> Door:
    """Return a door 5 m north of the street, x metres east of the meeting point."""
    return Door(address_id, at(x_m, 5), "Grande Rue", str(address_id), dwellings)


def route(team: int, *door_ids: int) -> PlannedRoute:
    return PlannedRoute(team, door_ids, 0, 0.0, 0.0, 0.0, ())


def from_door(x_m: float, doors: tuple[Door, ...], max_minutes: int) -> TurfProblem:
    """Return the walk of ``doors`` from the door at ``x_m`` back to the meeting point."""
    return TurfProblem(
        at(x_m, 5),
        doors,
        team_count=1,
        max_minutes=max_minutes,
        time_limit_s=1.0,
        solution_limit=20,
        end_point=at(0, 0),
    )


# Two doors on the way home from 300 m east, and one further east.
DOORS = (door(1, 100), door(2, 200), door(3, 500))


def test_walk_goes_on_from_the_last_door(high_street: StreetGraph) -> None:
    walk, dropped = walk_from(from_door(300, DOORS, 60), high_street, team=2)

    # East to 500, then back west past the start to 200, 100 and the meeting point:
    # 200 + 300 + 100 along the pavement, 105 to the middle of the street.
    assert walk.door_ids == (3, 2, 1)
    assert dropped == ()
    assert walk.team == 2
    assert walk.length_m == 705
    assert walk.walking_minutes == pytest.approx(705 / 70)
    assert walk.door_minutes == pytest.approx(4.5)
    assert walk.total_minutes == pytest.approx(705 / 70 + 4.5)
    assert walk.path[0] == at(300, 5)
    assert walk.path[-1] == at(0, 0)
    assert {door.point for door in DOORS} <= set(walk.path)


def test_walk_drops_late_doors_from_end(high_street: StreetGraph) -> None:
    # The whole walk takes 14.6 min. Without its last door it is still 705 m, 13.1 min:
    # the team walks past door 1 on its way back.
    walk, dropped = walk_from(from_door(300, DOORS, 14), high_street, team=0)

    assert walk.door_ids == (3, 2)
    assert dropped == (1,)
    assert walk.length_m == 705
    assert walk.total_minutes == pytest.approx(705 / 70 + 3.0)
    assert walk.total_minutes <= 14
    assert (walk.path[0], walk.path[-1]) == (at(300, 5), at(0, 0))


def test_walk_that_fits_no_door_is_empty(high_street: StreetGraph) -> None:
    # From 900 m east, the walk home alone takes 12.9 min.
    walk, dropped = walk_from(from_door(900, DOORS, 12), high_street, team=1)

    assert walk == PlannedRoute(1, (), 0, 0.0, 0.0, 0.0, ())
    assert dropped == (3, 2, 1)


def test_walk_without_doors_is_empty(high_street: StreetGraph) -> None:
    walk, dropped = walk_from(from_door(300, (), 60), high_street, team=3)

    assert walk == PlannedRoute(3, (), 0, 0.0, 0.0, 0.0, ())
    assert dropped == ()


def test_team_out_takes_the_route_nearest_to_it(high_street: StreetGraph) -> None:
    west, east = route(0, 5, 6), route(1, 2, 3)
    doors = (*DOORS, door(5, -100), door(6, -200))

    # Team 1 is 600 m east. Team 0 has not started and takes what is left.
    matched = match_routes(high_street, [None, at(600, 5)], [west, east], doors)

    assert matched == [west, east]
    assert match_routes(high_street, [at(600, 5), None], [west, east], doors) == [east, west]


def test_teams_out_share_routes_by_the_total_walk(high_street: StreetGraph) -> None:
    near, middle, empty = route(0, 1), route(1, 4), route(2)
    doors = (*DOORS, door(4, 400))

    # Both teams are nearest to door 4 (400 m). Team 0 at 300 m walking there would send
    # team 2 back 320 m to door 1: 420 m in all, against 200 + 20 m the other way round.
    matched = match_routes(
        high_street, [at(300, 5), None, at(420, 5)], [near, middle, empty], doors
    )

    assert matched == [near, empty, middle]


def test_team_out_gets_a_route_with_doors(high_street: StreetGraph) -> None:
    empty, full = route(0), route(1, 3)

    assert match_routes(high_street, [None, at(0, 5)], [full, empty], DOORS) == [empty, full]


def test_one_route_per_team() -> None:
    graph = build_street_graph([StreetWay("w1", "Rue", "residential", ((0.0, 0.0), (0.01, 0.0)))])
    with pytest.raises(ValueError, match="2 teams for 1 routes"):
        match_routes(graph, [None, None], [route(0, 1)], DOORS)


def test_team_out_keeps_own_route(high_street: StreetGraph) -> None:
    west, east = route(0, 5, 6), route(1, 2, 3)
    doors = (*DOORS, door(5, -100), door(6, -200))
    problem = TurfProblem(
        at(0, 0),
        doors,
        team_count=2,
        max_minutes=60,
        time_limit_s=1.0,
        solution_limit=20,
        previous_routes=((5, 6), (2, 3)),
    )

    # Team 0 is 600 m east, nearer the east route, but the plan kept its doors west.
    walks, late = resume_walks(high_street, problem, [at(600, 5), None], [west, east])

    assert sorted(walks[0].door_ids) == [5, 6]
    assert walks[0].path[0] == at(600, 5)
    assert walks[1] == east
    assert late == ()


def one_team(doors: tuple[Door, ...], max_minutes: int) -> TurfProblem:
    return TurfProblem(
        at(0, 0),
        doors,
        team_count=1,
        max_minutes=max_minutes,
        time_limit_s=1.0,
        solution_limit=20,
    )


# Door 7 is on the way home from 600 m east, door 8 is 900 m west of the meeting point.
LEFT_OUT = (door(3, 500), door(7, 550), door(8, -900))


def test_team_out_takes_a_door_left_out(high_street: StreetGraph) -> None:
    # From 600 m east to door 3 and home: 605 m and one dwelling, 10.1 min. Door 7 adds
    # one dwelling and fits in 15 min; door 8 is 1,800 m out and back.
    walks, late = resume_walks(
        high_street, one_team(LEFT_OUT, 15), [at(600, 5)], [route(0, 3)], (7, 8)
    )

    assert walks[0].door_ids == (7, 3)
    assert walks[0].length_m == 605
    assert walks[0].total_minutes == pytest.approx(605 / 70 + 3.0)
    assert late == (8,)


def test_doors_left_out_wait_for_a_team_out(high_street: StreetGraph) -> None:
    walks, late = resume_walks(high_street, one_team(LEFT_OUT, 60), [None], [route(0, 3)], (7, 8))

    assert walks == [route(0, 3)]
    assert late == (7, 8)


def test_only_nearest_doors_left_out_are_offered(
    high_street: StreetGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("routing.resume.UNPLANNED_OFFER_MAX", 1)
    doors = (*LEFT_OUT, door(9, 450))

    # Door 9 would fit on the way home too, but door 7 is nearer the team.
    walks, late = resume_walks(
        high_street, one_team(doors, 15), [at(600, 5)], [route(0, 3)], (9, 7)
    )

    assert walks[0].door_ids == (7, 3)
    assert late == (9,)
