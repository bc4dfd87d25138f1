"""Cutting again only the changing teams' walks, on a hand-made street."""

import pytest

from routing.held_walks import plan_changed_walks
from routing.route_types import TurfProblem
from routing.status import SolveStatus
from routing.streets import StreetGraph
from tests.routing.test_resume import at, door, high_street

__all__ = ["high_street"]

# Team 0 had two doors east of the meeting point, team 1 two doors west and one east,
# and door 3, east, was on no route.
DOORS = (door(1, 100), door(2, 200), door(3, 150), door(10, -100), door(11, -200), door(12, 50))
PREVIOUS = ((1, 2), (10, 11, 12))


def problem() -> TurfProblem:
    return TurfProblem(
        at(0, 0),
        DOORS,
        team_count=2,
        max_minutes=60,
        time_limit_s=1.0,
        solution_limit=20,
        previous_routes=PREVIOUS,
    )


def test_kept_teams_walk_their_own_doors(high_street: StreetGraph) -> None:
    status, walks, late = plan_changed_walks(high_street, problem(), [None, None], [False, False])

    # No team was cut again: each team keeps its doors, and the door of no team is offered
    # to the walk it adds least to, team 0's, which passes it.
    assert status == SolveStatus.EMPTY
    assert late == ()
    assert [set(walk.door_ids) for walk in walks] == [{1, 2, 3}, {10, 11, 12}]
    assert [walk.team for walk in walks] == [0, 1]
    for walk in walks:
        assert walk.path[0] == walk.path[-1] == at(0, 0)


def test_changing_team_takes_free_doors(
    high_street: StreetGraph,
) -> None:
    # Team 0 is out at 300 m east; team 1 has not started.
    starts = [at(300, 5), None]

    status, walks, late = plan_changed_walks(high_street, problem(), starts, [True, False])

    assert status.has_solution
    assert late == ()
    # Door 12 lies on team 0's side, yet stays with team 1, which the change leaves as is.
    assert [set(walk.door_ids) for walk in walks] == [{1, 2, 3}, {10, 11, 12}]
    assert walks[0].path[0] == at(300, 5)
    assert walks[1].path[0] == at(0, 0)
    assert walks[1].total_minutes == pytest.approx(walks[1].walking_minutes + 4.5)
