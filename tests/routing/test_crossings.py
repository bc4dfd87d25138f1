"""Crossing a busy road costs the objective, never the walk's length or time."""

import numpy as np
import pytest

from routing import street_changes, turf
from routing.crossings import (
    CROSSING_PENALTY_M,
    crossing_counts,
    crossing_penalties,
    same_road_crossings,
)
from routing.geo import GeoPoint
from routing.route_types import Door, TurfProblem
from routing.streets import StreetGraph, StreetWalks, StreetWay, build_street_graph, street_walks
from routing.turf_model import TurfModelInput, solve_turf_model
from tests.routing.test_turf import at


def line(*xy: tuple[float, float]) -> tuple[tuple[float, float], ...]:
    return tuple((at(x, y).lon, at(x, y).lat) for x, y in xy)


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
    # The meeting point up the residential street, then doors on the north side, the
    # south side and the north side of the avenue, and one of the residential street.
    points = [at(-10, 250), at(100, 8), at(120, -8), at(-200, 8), at(10, 200)]

    penalties = crossing_penalties(street_walks(graph, graph.snap(points)))

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

    assert not crossing_penalties(walks_of(graph, [at(10, 200), at(-10, 250)])).any()
    assert not crossing_penalties(walks_of(graph, [at(100, 8)])).any()
    assert crossing_penalties(walks_of(graph, [])).shape == (0, 0)


def walks_of(graph: StreetGraph, points: list[GeoPoint]) -> StreetWalks:
    return street_walks(graph, graph.snap(points))


def test_counts_join_both_kinds() -> None:
    """Facing doors of the avenue and doors up and down the street across it count one."""
    graph = build_street_graph(
        [
            StreetWay("a", "Avenue Gallieni", "primary", line((-500, 0), (0, 0), (500, 0))),
            StreetWay(
                "s",
                "Rue Roger Salengro",
                "residential",
                line((0, -400), (0, 0), (0, 300), (0, 400)),
            ),
            StreetWay("b", "Boulevard Carnot", "secondary", line((-300, 300), (0, 300))),
        ]
    )
    # South pavement of the avenue, north pavement, then up the street past the
    # boulevard, which ends on it at a T-junction and is not crossed there.
    points = [at(100, -8), at(120, 8), at(-5, 350), at(5, -200)]
    walks = walks_of(graph, points)

    assert same_road_crossings(graph, walks.snaps).tolist() == [
        [0, 1, 0, 0],
        [1, 0, 0, 0],
        [0, 0, 0, 0],
        [0, 0, 0, 0],
    ]
    assert crossing_counts(walks).tolist() == [
        [0, 1, 0, 0],
        [1, 0, 0, 0],
        [0, 0, 0, 1],
        [0, 0, 1, 0],
    ]


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


def star_graph() -> StreetGraph:
    """A primary avenue crossed by a residential street at (0, 0), with two more streets.

    Allée nord-est leaves the crossroads north of the avenue, Allée sud-ouest south of it.
    """
    return build_street_graph(
        [
            StreetWay("a", "Avenue Gallieni", "primary", line((-300, 0), (0, 0), (300, 0))),
            StreetWay("r", "Rue Roger Salengro", "residential", line((0, -200), (0, 0), (0, 200))),
            StreetWay("ne", "Allée nord-est", "residential", line((0, 0), (100, 100))),
            StreetWay("sw", "Allée sud-ouest", "residential", line((0, 0), (-100, -100))),
        ]
    )


def star_problem() -> TurfProblem:
    """One door on each street round the crossroads, 50 m out; the meeting point north.

    Every order that takes two doors of one side one after the other walks 618 m, and
    so does the zig-zag north, south, north, south (four crossings).
    """
    diagonal = 50 / np.sqrt(2)
    doors = (
        Door(1, at(3, 50), "Rue Roger Salengro", "2", 1),
        Door(2, at(3, -50), "Rue Roger Salengro", "1", 1),
        Door(3, at(-diagonal - 2, -diagonal + 2), "Allée sud-ouest", "1", 1),
        Door(4, at(diagonal + 2, diagonal - 2), "Allée nord-est", "1", 1),
    )
    return TurfProblem(
        at(0, 150), doors, team_count=1, max_minutes=60, time_limit_s=0.5, solution_limit=50
    )


def crossings_of(graph: StreetGraph, problem: TurfProblem, door_ids: tuple[int, ...]) -> int:
    """Return the busy roads crossed by the walk from the meeting point and back."""
    walks = walks_of(graph, [problem.meeting_point, *(door.point for door in problem.doors)])
    stops = [0, *door_ids, 0]
    return int(crossing_counts(walks)[stops[:-1], stops[1:]].sum())


def test_turf_tie_takes_fewer_crossings() -> None:
    graph = star_graph()
    problem = star_problem()

    (route,) = turf.plan_turf(graph, problem).routes

    assert route.door_ids in ((1, 2, 3, 4), (4, 3, 2, 1))
    assert route.length_m == 618
    assert crossings_of(graph, problem, route.door_ids) == 2


def test_turf_tie_without_price_zig_zags(monkeypatch: pytest.MonkeyPatch) -> None:
    """The control of the test above: it is the price that keeps the walk on one side."""
    graph = star_graph()
    problem = star_problem()

    def free(walks: StreetWalks) -> np.ndarray:
        return np.zeros((len(walks.snaps), len(walks.snaps)), dtype=np.int64)

    monkeypatch.setattr(street_changes, "crossing_penalties", free)
    (route,) = turf.plan_turf(graph, problem).routes

    assert route.length_m == 618
    assert crossings_of(graph, problem, route.door_ids) == 4
