"""Crossing a busy road costs the objective, never the walk's length or time."""

import numpy as np

from routing.crossings import CROSSING_PENALTY_M, crossing_penalties
from routing.streets import StreetGraph, StreetWay, build_street_graph
from routing.turf_model import TurfModelInput, solve_turf_model
from tests.routing.test_turf import at


def avenue_graph() -> StreetGraph:
    """A primary avenue running east, and a residential street north from its middle."""
    avenue = ((at(-500, 0).lon, 0.0), (0.0, 0.0), (at(500, 0).lon, 0.0))
    side_street = ((0.0, 0.0), (0.0, at(0, 400).lat))
    return build_street_graph(
        [
            StreetWay("a", "Avenue Gallieni", "primary", avenue),
            StreetWay("r", "Rue Roger Salengro", "residential", side_street),
        ]
    )


def test_moves_across_the_avenue_are_priced() -> None:
    graph = avenue_graph()
    # North side, south side, north side, then a door of the residential street.
    snaps = graph.snap([at(100, 8), at(120, -8), at(-200, 8), at(10, 200)])

    penalties = crossing_penalties(graph, snaps)

    p = CROSSING_PENALTY_M
    assert penalties.tolist() == [
        [0, 0, 0, 0, 0],
        [0, 0, p, 0, 0],
        [0, p, 0, p, 0],
        [0, 0, p, 0, 0],
        [0, 0, 0, 0, 0],
    ]


def test_narrow_streets_and_lone_doors_cost_nothing() -> None:
    graph = avenue_graph()

    assert not crossing_penalties(graph, graph.snap([at(10, 200), at(-10, 250)])).any()
    assert not crossing_penalties(graph, graph.snap([at(100, 8)])).any()


def two_way_model(**changes: object) -> TurfModelInput:
    """Doors 1 and 2 are 10 m from the start and 20 m apart: both orders walk 40 m."""
    arc_m = np.array([[0, 10, 10], [10, 0, 20], [10, 20, 0]], dtype=np.int64)
    values: dict[str, object] = {
        "arc_m": arc_m,
        "service_s": (0, 0, 0),
        "households": (0, 1, 1),
        "team_count": 1,
        "capacity_s": 40,
        "walking_speed_m_per_min": 60.0,
        "time_limit_s": 2.0,
        "balance_cost_per_second": 0,
        "solution_limit": 10,
    }
    values.update(changes)
    return TurfModelInput(**values)  # type: ignore[arg-type]


def test_penalty_steers_the_order_without_eating_the_session() -> None:
    # Going 1 → 2 costs a crossing, 2 → 1 does not. The walk takes exactly the 40 s
    # of the session: had the penalty counted as time, a door would be dropped.
    penalty = np.zeros((3, 3), dtype=np.int64)
    penalty[1, 2] = CROSSING_PENALTY_M

    outcome = solve_turf_model(two_way_model(arc_penalty_m=penalty))

    assert outcome.team_nodes == ((2, 1),)
    assert outcome.objective == 40
