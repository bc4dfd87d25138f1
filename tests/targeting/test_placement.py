from typing import Any

import pytest

from targeting.placement import locate_points
from targeting.territory import TerritoryData
from tests.targeting.geojson_helpers import square

LEFT = ("left", square(0, 0))
RIGHT = ("right", square(1, 0))


def test_inside_outside_and_border() -> None:
    points = [(0.5, 0.5), (1.5, 0.5), (3.0, 3.0), (1.0, 0.5), (0.0, 0.0)]

    assert locate_points(points, [LEFT, RIGHT]) == ["left", "right", None, "left", "left"]


def test_border_follows_zone_order() -> None:
    points = [(1.0, 0.5), (1.0, 1.0)]

    assert locate_points(points, [RIGHT, LEFT]) == ["right", "right"]


def test_hole_and_multipolygon() -> None:
    ring: Any = square(0, 0, 4)["coordinates"][0]
    hole: Any = square(1, 1, 2)["coordinates"][0]
    donut = {"type": "Polygon", "coordinates": [ring, hole]}
    islands = {
        "type": "MultiPolygon",
        "coordinates": [square(10, 10)["coordinates"], square(20, 20)["coordinates"]],
    }

    located = locate_points(
        [(0.5, 0.5), (2, 2), (20.5, 20.5)], [("donut", donut), ("islands", islands)]
    )

    assert located == ["donut", None, "islands"]


def test_no_points_or_no_zones() -> None:
    assert locate_points([], [LEFT]) == []
    assert locate_points([(0.5, 0.5)], []) == [None]


def test_invalid_zone_rejected() -> None:
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}

    with pytest.raises(ValueError, match="bowtie"):
        locate_points([(0.5, 0.5)], [("bowtie", bowtie)])


def test_bondy_ban_addresses_in_iris(bondy: TerritoryData) -> None:
    points = [(address.lon, address.lat) for address in bondy.ban_addresses]
    zones = [(record.code, record.geometry) for record in bondy.iris]

    located = locate_points(points, zones)

    assert located.count(None) == 68
    assert located.count("930100305") == 911
    assert located.count("930100108") == 43
    assert located.count("930100103") == 34
