"""Search for one sector's walks on a re-planning, from the walks its teams had before.

The routing model's nodes are the sector's doors, whatever their number, and a door
taken from the team that had it is priced (``routing.turf_moves``). The search starts
from the previous walks. A team without doors of its own (marked present again, or
whose doors are all gone) starts from a walk of a cut from scratch. The cut's walks go
to the teams whose previous doors they share most, and the walks left go to the teams
without doors, which take those doors from the others. Each walk then keeps its doors
in their order, less its last doors while it no longer fits the session. The doors no
walk contains go in one at a time where they add least and still fit
(``routing.walk_insertion``), and the search moves on from there.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment

from routing.street_graph import StreetGraph
from routing.turf_model import (
    TurfModelInput,
    TurfModelOutcome,
    arc_costs,
    solve_turf_model,
    transit_seconds,
)
from routing.turf_search import SectorSearch, door_model, search_sector, trim_to_capacity
from routing.walk_insertion import InsertionProblem, OpenWalk, insert_doors

# Minimum search time left to the model once the first walks are built.
MIN_SEARCH_S = 0.05
# Share of the time limit for the cut from scratch that gives walks to the teams without
# doors of their own. The search from the first walks gets the rest.
# NOTE: half is a guess; no other share was measured.
FRESH_CUT_TIME_SHARE = 0.5


def search_from_previous(
    graph: StreetGraph, search: SectorSearch, previous_walks: Sequence[tuple[int, ...]]
) -> TurfModelOutcome:
    """Return each team's matrix nodes in walking order, searched from its previous walk.

    ``previous_walks[k]`` lists, in walking order, the door nodes that the sector's team
    ``k`` had before. Building the first walks counts in ``search.time_limit_s``.
    """
    started = time.perf_counter()
    owners: list[int | None] = [None] * (len(search.service_s) + 1)
    for team, walk in enumerate(previous_walks):
        for node in walk:
            owners[node] = team
    model = replace(
        door_model(search, time_limit_s=search.time_limit_s), previous_teams=tuple(owners)
    )
    walks = list(previous_walks)
    if not all(walks):
        fresh_s = search.time_limit_s * FRESH_CUT_TIME_SHARE
        fresh = search_sector(graph, replace(search, time_limit_s=fresh_s))
        if fresh.team_nodes:
            walks = hand_over(walks, fresh.team_nodes)
    seconds = transit_seconds(model)
    first_walks = starting_walks(model, seconds, walks)
    left_s = max(MIN_SEARCH_S, search.time_limit_s - (time.perf_counter() - started))
    return solve_turf_model(
        replace(
            model,
            time_limit_s=left_s,
            initial_routes=first_walks,
            share_s=_mean_walk_s(model, seconds, first_walks),
        )
    )


def hand_over(
    previous_walks: Sequence[tuple[int, ...]], fresh_walks: Sequence[tuple[int, ...]]
) -> list[tuple[int, ...]]:
    """Give each team without previous doors a walk of the fresh cut, taken from the others.

    The fresh walks go to the teams whose previous walks share the most doors with them
    in all (``scipy.optimize.linear_sum_assignment``). The other teams keep their
    previous walks, less the doors the teams without doors take.
    """
    overlap = np.array(
        [[len(set(walk) & set(fresh)) for fresh in fresh_walks] for walk in previous_walks]
    )
    rows, columns = linear_sum_assignment(overlap, maximize=True)
    fresh_of = dict(zip(rows.tolist(), columns.tolist(), strict=True))
    idle = [team for team, walk in enumerate(previous_walks) if not walk]
    taken = {node for team in idle for node in fresh_walks[fresh_of[team]]}
    return [
        tuple(fresh_walks[fresh_of[team]])
        if not walk
        else tuple(node for node in walk if node not in taken)
        for team, walk in enumerate(previous_walks)
    ]


def starting_walks(
    model: TurfModelInput, seconds: NDArray[np.int64], walks: Sequence[tuple[int, ...]]
) -> tuple[tuple[int, ...], ...]:
    """Return the walks cut to the model's limits, with the doors they leave out inserted.

    ``seconds`` is the model's ``transit_seconds``. The insertion weighs the model's
    balance cost. A door that fits no walk is left out, and the search may still place it.
    """
    fitted = [_fit(model, seconds, walk) for walk in walks]
    on_walks = {node for walk in fitted for node in walk}
    free = [node for node in range(1, model.arc_m.shape[0]) if node not in on_walks]
    if not free:
        return tuple(fitted)
    insertion = InsertionProblem(
        distance_m=model.arc_m,
        cost=arc_costs(model),
        # The time at each node in whole seconds, counted as minutes of 60 units, so the
        # walks fit as the model counts them, but for its rounding of each walked arc.
        dwellings=np.asarray(model.service_s, dtype=np.int64),
        walks=tuple(OpenWalk(0, walk, 0) for walk in fitted),
        max_minutes=model.capacity_s / 60,
        walking_speed_m_per_min=model.walking_speed_m_per_min,
        minutes_per_dwelling=1 / 60,
        balance_cost_per_minute=model.balance_cost_per_second * 60,
    )
    filled, _ = insert_doors(insertion, free)
    return tuple(_fit(model, seconds, walk.doors) for walk in filled)


def _fit(
    model: TurfModelInput, seconds: NDArray[np.int64], walk: tuple[int, ...]
) -> tuple[int, ...]:
    """Cut the walk's last doors until it keeps the model's door cap and session length."""
    if model.max_doors is not None:
        walk = walk[: model.max_doors]
    return trim_to_capacity(seconds, walk, model.capacity_s)


def _mean_walk_s(
    model: TurfModelInput, seconds: NDArray[np.int64], walks: Sequence[tuple[int, ...]]
) -> int:
    """Return the seconds of the walks, and of the doors they leave out, per team.

    A door left out counts its time at the door alone.
    """
    walked = sum(int(seconds[np.array([0, *walk]), np.array([*walk, 0])].sum()) for walk in walks)
    on_walks = {node for walk in walks for node in walk}
    left_out = sum(s for node, s in enumerate(model.service_s) if node and node not in on_walks)
    return (walked + left_out) // model.team_count
