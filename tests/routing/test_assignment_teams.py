"""Team forming inside one session."""

from routing.assignment_teams import form_teams
from routing.assignment_types import Placement


def teams_of(placements: list[Placement]) -> list[list[int]]:
    count = max((p.team for p in placements), default=0)
    return [sorted(p.volunteer_id for p in placements if p.team == t) for t in range(1, count + 1)]


def test_experienced_spread_before_doubling() -> None:
    experienced = {1: True, 2: True, 3: True, 4: False, 5: False, 6: False}

    placements = form_teams(7, [6, 5, 4, 3, 2, 1], experienced, team_size=2)

    assert teams_of(placements) == [[1, 4], [2, 5], [3, 6]]
    assert {p.session_id for p in placements} == {7}


def test_more_experienced_than_teams() -> None:
    experienced = {1: True, 2: True, 3: True, 4: False}

    placements = form_teams(7, [1, 2, 3, 4], experienced, team_size=2)

    assert teams_of(placements) == [[1, 3], [2, 4]]


def test_no_experienced_volunteer() -> None:
    experienced = {1: False, 2: False, 3: False, 4: False}

    placements = form_teams(7, [4, 3, 2, 1], experienced, team_size=2)

    assert teams_of(placements) == [[1, 3], [2, 4]]


def test_no_volunteers_no_teams() -> None:
    assert form_teams(7, [], {}, team_size=2) == []
