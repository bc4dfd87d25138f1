"""Walks from homes to meeting points along the streets, on a river town and on Bondy.

The river town sits on the equator (see tests/routing/test_streets.py), coordinates in
metres east (x) and north (y) of the meeting point at (0, 0). A river runs east-west
between the south street (y = 0) and the north quay (y = 400), crossed by one bridge at
x = 350.
"""

import math
from dataclasses import replace

import numpy as np
import pytest

from routing.assignment_types import TravelMode
from routing.geo import GeoPoint
from routing.street_reach import build_walking_table, walking_metres
from routing.streets import StreetGraph, StreetWay, build_street_graph, snapped_distance_matrix
from tests.routing.assignment_checks import session, volunteer
from tests.routing.test_streets import at, way
from tests.routing.test_streets_bondy import ban_rows, bondy_graph

MEETING = at(0, 0)
NORTH_HOME = at(0, 400)  # across the river: 400 m straight, 1,100 m over the bridge
BRIDGE_HOME = at(370, 200)  # 20 m off the bridge: 350 + 200 + 20 = 570 m
EAST_HOME = at(650, 0)  # on the south street: 650 m both ways
FIELD_HOME = at(-520, 0)  # 520 m from the nearest street, beyond the 500 m offset


def river_ways() -> list[StreetWay]:
    return [
        way("w1", "Rue du Sud", (0, 0), (350, 0), (700, 0)),
        way("w2", "Pont", (350, 0), (350, 400)),
        way("w3", "Quai Nord", (350, 400), (0, 400)),
    ]


@pytest.fixture(scope="module")
def river() -> StreetGraph:
    return build_street_graph(river_ways())


def test_walks_cross_the_bridge(river: StreetGraph) -> None:
    homes: list[GeoPoint | None] = [NORTH_HOME, BRIDGE_HOME, EAST_HOME, FIELD_HOME, None]
    metres = walking_metres(river, homes, [MEETING], limit_m=5000.0)

    assert metres.shape == (5, 1)
    assert metres[0, 0] == pytest.approx(1100.0, abs=0.01)
    assert metres[1, 0] == pytest.approx(570.0, abs=0.01)
    assert metres[2, 0] == pytest.approx(650.0, abs=0.01)
    assert math.isnan(metres[3, 0])
    assert math.isnan(metres[4, 0])


def test_walks_beyond_the_limit_are_infinite(river: StreetGraph) -> None:
    # Both ends of the north home's edge are more than 300 m from the meeting point's.
    metres = walking_metres(river, [NORTH_HOME, BRIDGE_HOME], [MEETING], limit_m=300.0)

    assert math.isinf(metres[0, 0])
    # The bridge's south end is a source, so the walk along the bridge is still known.
    assert metres[1, 0] == pytest.approx(570.0, abs=0.01)


def test_meeting_point_off_streets_is_unknown(river: StreetGraph) -> None:
    metres = walking_metres(river, [NORTH_HOME], [MEETING, at(0, -600)], limit_m=5000.0)

    assert metres[0, 0] == pytest.approx(1100.0, abs=0.01)
    assert math.isnan(metres[0, 1])


def test_offset_limit_is_a_parameter(river: StreetGraph) -> None:
    metres = walking_metres(river, [FIELD_HOME], [MEETING], limit_m=5000.0, max_offset_m=600.0)

    assert metres[0, 0] == pytest.approx(520.0, abs=0.01)


def test_table_rows_only_for_walkers_with_a_time(river: StreetGraph) -> None:
    volunteers = [
        replace(volunteer(1, max_travel_minutes=10), home=NORTH_HOME),
        replace(volunteer(2, max_distance_m=500), home=NORTH_HOME),
        volunteer(3, max_travel_minutes=10, has_home=False),
    ]
    sessions = [session(10, meeting_point=MEETING), session(11, meeting_point=BRIDGE_HOME)]
    table = build_walking_table(river, volunteers, sessions)

    assert table is not None
    assert table.shape == (3, 2)
    assert table.metres.dtype == np.float32
    assert table.metres[0, 0] == pytest.approx(1100.0, abs=0.01)
    # From the north home's corner, 350 m along the quay, 200 m down the bridge, 20 m off.
    assert table.metres[0, 1] == pytest.approx(570.0, abs=0.01)
    assert np.isnan(table.metres[1]).all()
    assert np.isnan(table.metres[2]).all()


def test_no_table_without_walkers(river: StreetGraph) -> None:
    volunteers = [
        volunteer(1, max_distance_m=500),
        volunteer(2, max_travel_minutes=10, travel_mode=TravelMode.TRANSIT),
    ]

    assert build_walking_table(river, volunteers, [session(10)]) is None
    assert build_walking_table(river, [volunteer(3, max_travel_minutes=10)], []) is None


def test_bondy_walks_match_the_distance_matrix() -> None:
    """Homes and meeting points among Bondy's addresses, against the full matrix."""
    graph = bondy_graph()
    rows = ban_rows()
    points = [GeoPoint(float(r["lon"]), float(r["lat"])) for r in rows[::50][:160]]
    assert len(points) == 160
    homes: list[GeoPoint | None] = list(points[:120])
    meetings = points[120:]
    unlimited = walking_metres(graph, homes, meetings, limit_m=math.inf)
    limited = walking_metres(graph, homes, meetings, limit_m=1500.0)
    matrix = snapped_distance_matrix(graph, graph.snap(points))[:120, 120:]

    assert not np.isnan(unlimited).any()
    np.testing.assert_array_equal(np.rint(unlimited).astype(np.int32), matrix)
    # A walk of at most the limit has a path between vertices of at most the limit.
    within = matrix <= 1500
    assert within.sum() > 0
    np.testing.assert_array_equal(np.rint(limited[within]).astype(np.int32), matrix[within])
    assert (np.nan_to_num(limited[~within], posinf=1e9) > 1500).all()
