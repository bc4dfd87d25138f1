"""Plan checks: a plan that breaks a rule of its problem is rejected with the rule."""

from dataclasses import replace

import pytest

from routing.geo import GeoPoint
from routing.plan_check import PlanError, check_plan
from routing.route_types import Door, PlannedRoute, TurfPlan, TurfProblem
from routing.status import SolveStatus

MEETING = GeoPoint(2.48, 48.90)
DOORS = (
    Door(1, GeoPoint(2.481, 48.90), "Rue Neuve", "1"),
    Door(2, GeoPoint(2.482, 48.90), "Rue Neuve", "3", dwellings=2),
    Door(3, GeoPoint(2.483, 48.90), "Rue Neuve", "5"),
)
PROBLEM = TurfProblem(MEETING, DOORS, team_count=2, max_minutes=20, max_doors_per_route=2)


def route(team: int, door_ids: tuple[int, ...], length_m: int, households: int) -> PlannedRoute:
    """Return a route whose figures agree with the problem's speed and door time."""
    walking = length_m / 70.0
    doors = households * 1.5
    path = (MEETING, DOORS[0].point, MEETING) if door_ids else ()
    return PlannedRoute(team, door_ids, length_m, walking, doors, walking + doors, path)


def good_plan() -> TurfPlan:
    return TurfPlan(SolveStatus.FEASIBLE, (route(0, (1, 2), 420, 3), route(1, (), 0, 0)), (3,), 0.1)


def test_a_plan_that_keeps_every_rule_passes() -> None:
    check_plan(PROBLEM, good_plan())


def test_an_empty_plan_without_routes_passes_when_every_door_is_unvisited() -> None:
    check_plan(PROBLEM, TurfPlan(SolveStatus.NO_SOLUTION_FOUND, (), (1, 2, 3), 0.1))


@pytest.mark.parametrize(
    ("routes", "unvisited", "message"),
    [
        ((route(0, (1, 2), 420, 3), route(1, (3, 1), 420, 2)), (), r"more than once: \[1\]"),
        ((route(0, (1, 2), 420, 3), route(1, (), 0, 0)), (3, 2), r"more than once: \[2\]"),
        ((route(0, (1, 2), 420, 3), route(1, (9,), 70, 1)), (3,), r"not in the problem: \[9\]"),
        ((route(0, (1, 2), 420, 3), route(1, (), 0, 0)), (), r"nor listed as unvisited: \[3\]"),
        ((route(0, (1, 2, 3), 420, 4), route(1, (), 0, 0)), (), "route 0 has 3 doors, more than 2"),
        ((route(0, (1, 2), 1100, 3), route(1, (), 0, 0)), (3,), "more than the session's 20 min"),
        ((route(0, (1,), 70, 1),), (2, 3), "plan has 1 routes for 2 teams"),
        ((route(1, (1,), 70, 1), route(0, (), 0, 0)), (2, 3), "team order"),
    ],
)
def test_a_broken_plan_is_rejected(
    routes: tuple[PlannedRoute, ...], unvisited: tuple[int, ...], message: str
) -> None:
    plan = TurfPlan(SolveStatus.FEASIBLE, routes, unvisited, 0.1)
    with pytest.raises(PlanError, match=message):
        check_plan(PROBLEM, plan)


def test_a_route_just_within_the_session_passes() -> None:
    # 1,050 m take 15 min and 3 households 4.5 min: 19.5 of the 20 minutes.
    plan = TurfPlan(
        SolveStatus.FEASIBLE, (route(0, (1, 2), 1050, 3), route(1, (), 0, 0)), (3,), 0.1
    )
    check_plan(PROBLEM, plan)


def test_figures_that_disagree_with_the_length_are_rejected() -> None:
    plan = good_plan()
    wrong = replace(plan.routes[0], walking_minutes=1.0)
    with pytest.raises(PlanError, match="route 0: walking_minutes is 1.0000, expected 6.0000"):
        check_plan(PROBLEM, replace(plan, routes=(wrong, plan.routes[1])))
    wrong = replace(plan.routes[0], door_minutes=1.5)
    with pytest.raises(PlanError, match="route 0: door_minutes is 1.5000, expected 4.5000"):
        check_plan(PROBLEM, replace(plan, routes=(wrong, plan.routes[1])))


def test_route_must_start_at_the_meeting_point() -> None:
    plan = good_plan()
    wrong = replace(plan.routes[0], path=(DOORS[0].point, MEETING))
    with pytest.raises(PlanError, match="route 0 does not start at the meeting point"):
        check_plan(PROBLEM, replace(plan, routes=(wrong, plan.routes[1])))


def test_route_must_end_where_the_session_ends() -> None:
    plan = good_plan()
    with pytest.raises(PlanError, match="route 0 does not end where the session's routes end"):
        check_plan(replace(PROBLEM, end_point=DOORS[0].point), plan)


def test_an_empty_route_cannot_walk() -> None:
    plan = good_plan()
    wrong = replace(plan.routes[1], length_m=100)
    with pytest.raises(PlanError, match="route 1 has no doors but a walk"):
        check_plan(PROBLEM, replace(plan, routes=(plan.routes[0], wrong)))
