"""Doors a street closure took from a route, kept so that they come back to its team.

A closed street's doors leave the routes. Each route records those it had to visit
(`Route.closed_address_ids`), and once their street reopens a re-planning gives them
back to the route's team, as doors it had before (`webapp.services.replanning`).
"""

from collections.abc import Collection, Mapping

from webapp.models import Route


def reopened_doors(routes: Mapping[int, Route], open_ids: Collection[int]) -> dict[int, list[int]]:
    """Return, by team, the doors its route lost to a closure that are open to visit now."""
    return {
        team: [i for i in route.closed_address_ids or () if i in open_ids]
        for team, route in routes.items()
    }


def remember_closed_doors(
    routes: Mapping[int, Route],
    to_visit_before: Mapping[int, set[int]],
    closed_ids: Collection[int],
) -> None:
    """Keep on each route its doors to visit on a closed street, those it lost before first.

    A door whose street is open again is dropped from the record, whichever team takes it.
    """
    for team, route in routes.items():
        kept = [i for i in route.closed_address_ids or () if i in closed_ids]
        lost = [i for i in route.address_ids if i in to_visit_before[team] and i in closed_ids]
        closed = [*kept, *(i for i in lost if i not in kept)]
        route.closed_address_ids = closed or None
