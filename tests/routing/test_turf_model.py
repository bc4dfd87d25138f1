"""The routing model's search started from the better of several first solutions."""

from dataclasses import replace

import numpy as np

from routing.status import SolveStatus
from routing.turf_model import TurfModelInput, solve_from_best_start, solve_turf_model


def line_model(*, capacity_s: int = 3600) -> TurfModelInput:
    """Return a one-team model over six doors 10 m apart on a line, the start in the middle."""
    positions = np.array([25, 0, 10, 20, 30, 40, 50])
    arc_m = np.abs(positions[:, None] - positions[None, :]).astype(np.int64)
    return TurfModelInput(
        arc_m=arc_m,
        service_s=(0, *([60] * 6)),
        households=(0, *([1] * 6)),
        team_count=1,
        capacity_s=capacity_s,
        walking_speed_m_per_min=60.0,
        time_limit_s=5.0,
        balance_cost_per_second=0,
        solution_limit=20,
    )


def test_best_start_walks_the_line_once() -> None:
    outcome = solve_from_best_start(line_model(), ("path_cheapest_arc", "savings"))
    assert outcome.status is SolveStatus.FEASIBLE
    (walk,) = outcome.team_nodes
    assert sorted(walk) == [1, 2, 3, 4, 5, 6]
    # 25 m to one end, 50 m along the line, 25 m back.
    assert outcome.objective == 100


def test_best_start_beats_each_first_solution() -> None:
    model = line_model()
    firsts = [
        solve_turf_model(replace(model, first_solution=strategy, solution_limit=1)).objective
        for strategy in ("path_cheapest_arc", "savings")
    ]
    outcome = solve_from_best_start(model, ("path_cheapest_arc", "savings"))
    assert outcome.objective <= min(firsts)


def test_best_start_keeps_the_session_limit() -> None:
    # All six doors take 6 min at the doors plus 100 m (100 s). In 300 s four doors fit:
    # 240 s at the doors and at most 60 m, for instance out to 10 m and back from 40 m.
    model = line_model(capacity_s=300)
    outcome = solve_from_best_start(model, ("savings",))
    (walk,) = outcome.team_nodes
    stops = [0, *walk, 0]
    metres = sum(int(model.arc_m[a, b]) for a, b in zip(stops, stops[1:], strict=False))
    assert len(walk) == 4
    assert 60 * len(walk) + metres <= 300
