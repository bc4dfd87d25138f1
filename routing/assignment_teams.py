"""Split the volunteers placed on a session into teams."""

from collections.abc import Iterable, Mapping

from routing.assignment_types import Placement


def form_teams(
    session_id: int,
    volunteer_ids: Iterable[int],
    is_experienced: Mapping[int, bool],
    team_size: int,
) -> list[Placement]:
    """Deal the session's volunteers into teams, spreading experienced ones first.

    Experienced volunteers (by id) then the others (by id) are dealt round-robin over
    the k teams, so each team gets an experienced member while they last, and no team
    gets a second one before every team has one.
    """
    ordered = sorted(volunteer_ids, key=lambda v: (not is_experienced[v], v))
    if not ordered:
        return []
    team_count = -(-len(ordered) // team_size)
    return [
        Placement(volunteer_id=v, session_id=session_id, team=index % team_count + 1)
        for index, v in enumerate(ordered)
    ]
