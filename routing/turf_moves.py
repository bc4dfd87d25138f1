"""Prices, in the routing model, a door taken from the team that had it before.

A re-planning passes each door's previous team (``TurfProblem.previous_routes``). A
team that still has doors of its own pays ``penalty`` for each door it takes from
another team. The penalty exceeds anything moving one door can save in walking and
balance, so no door changes team to shorten or even out the walks. The caller raises
the price of dropping a household by the same amount, so a door its team has no time
for goes to another team with time rather than out of the plan. A door no team had
(its team gone, or left out before) costs nothing on any walk. Neither does any door on
the walk of a team without doors of its own, such as a team marked present again. Such
a team is asked for a fair share of the work: each second its walk falls short of it
costs as a second of the longest walk does. The balance cost alone would let the search
hand its doors back to their teams, because taking one door from one of several walks
of equal length does not shorten the longest.
"""

from __future__ import annotations

from collections.abc import Sequence

from routing.ortools_api import pywrapcp

MOVE_DIMENSION = "moves"


def price_moves(
    model: pywrapcp.RoutingModel,
    previous_teams: Sequence[int | None],
    *,
    team_count: int,
    penalty: int,
) -> bool:
    """Add the cost of every door a team takes from another; return False if none had a team.

    ``previous_teams[node]`` is the team that had the node's door, None for node 0 and
    for a door no team had. Each team's cost is the span of a dimension whose transit,
    per node, is ``penalty`` or 0.
    """
    keeping = _keeping_teams(previous_teams)
    if not keeping:
        return False
    free = model.RegisterUnaryTransitVector([0] * len(previous_teams))
    evaluators = []
    for team in range(team_count):
        if team not in keeping:
            evaluators.append(free)
            continue
        costs = [0 if owner is None or owner == team else penalty for owner in previous_teams]
        evaluators.append(model.RegisterUnaryTransitVector(costs))
    capacity = penalty * len(previous_teams)
    model.AddDimensionWithVehicleTransits(evaluators, 0, capacity, True, MOVE_DIMENSION)
    model.GetDimensionOrDie(MOVE_DIMENSION).SetSpanCostCoefficientForAllVehicles(1)
    return True


def ask_fair_share(
    model: pywrapcp.RoutingModel,
    time_dimension: pywrapcp.RoutingDimension,
    previous_teams: Sequence[int | None],
    *,
    team_count: int,
    share_s: int,
    cost_per_second: int,
) -> None:
    """Charge each team without doors of its own for each second it walks short of ``share_s``.

    Each second costs ``cost_per_second``. Nothing is charged when no team had doors.
    """
    keeping = _keeping_teams(previous_teams)
    if not keeping or share_s <= 0 or cost_per_second <= 0:
        return
    for team in range(team_count):
        if team not in keeping:
            time_dimension.SetCumulVarSoftLowerBound(model.End(team), share_s, cost_per_second)


def _keeping_teams(previous_teams: Sequence[int | None]) -> set[int]:
    """Return the teams that had a door of the model."""
    return {team for team in previous_teams if team is not None}
