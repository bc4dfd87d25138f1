"""Travel limits as straight-line radii."""

import pytest

from routing.assignment_travel import TravelLimit, radius_for_minutes, travel_limit
from routing.assignment_types import TravelMode
from tests.routing.assignment_checks import volunteer


@pytest.mark.parametrize(
    ("minutes", "mode", "metres"),
    [
        (0, TravelMode.WALK, 0),
        (13, TravelMode.WALK, 700),
        (30, TravelMode.WALK, 1615),
        (30, TravelMode.TRANSIT, 7500),
        (45, TravelMode.TRANSIT, 11250),
    ],
)
def test_radius_for_minutes(minutes: int, mode: TravelMode, metres: int) -> None:
    assert radius_for_minutes(minutes, mode) == metres


@pytest.mark.parametrize(
    ("limits", "expected"),
    [
        ({}, TravelLimit(3000, False)),
        ({"max_distance_m": 800}, TravelLimit(800, False)),
        ({"max_distance_m": 5000}, TravelLimit(5000, False)),
        ({"max_travel_minutes": 13}, TravelLimit(700, True)),
        ({"max_distance_m": 500, "max_travel_minutes": 13}, TravelLimit(500, False)),
        ({"max_distance_m": 700, "max_travel_minutes": 13}, TravelLimit(700, False)),
        ({"max_distance_m": 900, "max_travel_minutes": 13}, TravelLimit(700, True)),
    ],
)
def test_limits_pick_the_stricter(limits: dict[str, int], expected: TravelLimit) -> None:
    assert travel_limit(volunteer(1, **limits), 3000) == expected  # type: ignore[arg-type]
