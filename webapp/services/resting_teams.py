"""Teams that finished their walk during a session and may have gone home.

A re-planning shares the doors left among the teams that walk. A team that has done
every door of its route, and every door it was last notified of, rests unless it
requested more doors. It keeps its route as it is and takes none of the others' doors,
so that no door goes to a team that may have left. A team marked present again after an
absence was notified of doors it has not done, and so was a team whose doors all went
to a closed street, so neither rests.
"""

from collections.abc import Mapping, Sequence

from webapp.models import Route
from webapp.models.canvass import DoorOutcome
from webapp.services.door_progress import count_door_progress


def resting_teams(
    teams: Sequence[int],
    routes: Mapping[int, Route],
    latest_by_route: Mapping[int, Mapping[int, tuple[DoorOutcome, str]]],
    asking_team: int | None = None,
) -> set[int]:
    """Return the teams that rest: finished, other than `asking_team`.

    `latest_by_route` gives, by route id, each visited door's latest outcome. When every
    team has finished and none requested more doors, none rests, so that the doors left
    still go to some team.
    """
    finished = set()
    for team in teams:
        route = routes.get(team)
        if route is None or team == asking_team or not route.address_ids:
            continue
        latest = latest_by_route.get(route.id, {})
        known = [*route.address_ids, *(route.notified_address_ids or ())]
        outcomes = (latest[a][0] if a in latest else None for a in known)
        if count_door_progress(outcomes).is_finished:
            finished.add(team)
    return finished if len(finished) < len(teams) else set()
