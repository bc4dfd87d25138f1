import math
from dataclasses import replace

import pytest

from tests.factories import at_utc
from webapp.services.route_view import RouteSheet, RouteStop, StreetSection
from webapp.services.walk_sheet import (
    PlanDoor,
    Side,
    is_large_building,
    project_route,
    side_of,
    split_sides,
    total_dwellings,
)

STREET = "Rue Jules Guesde"


def stop(
    step: int, number: str, dwellings: int = 1, lon: float = 0.0, lat: float = 0.0
) -> RouteStop:
    return RouteStop(step, number, STREET, lon, lat, dwellings)


def sheet_of(
    stops: tuple[RouteStop, ...],
    path: tuple[tuple[float, float], ...] = (),
    meeting: tuple[float, float] = (0.0, 0.0),
) -> RouteSheet:
    return RouteSheet(
        team=1,
        starts_at=at_utc(2026, 6, 13, 8),
        ends_at=at_utc(2026, 6, 13, 10),
        is_cancelled=False,
        iris_name="Mairie",
        meeting_point="Parvis de la mairie",
        meeting_lon=meeting[0],
        meeting_lat=meeting[1],
        team_first_names=(),
        length_m=0,
        walking_minutes=0,
        total_minutes=0,
        sections=(StreetSection(STREET, stops),) if stops else (),
        path=path,
    )


@pytest.mark.parametrize(
    ("number", "side"),
    [
        ("5", Side.ODD),
        ("4", Side.EVEN),
        ("3 bis", Side.ODD),
        ("12 ter", Side.EVEN),
        ("0", Side.EVEN),
        ("", Side.UNNUMBERED),
        ("bis", Side.UNNUMBERED),
    ],
)
def test_side_follows_the_parity_of_the_number(number: str, side: Side) -> None:
    assert side_of(stop(1, number)) == side


def test_split_keeps_walking_order_on_each_side() -> None:
    stops = (stop(1, "1"), stop(2, "2"), stop(3, "3"), stop(4, "6 bis"), stop(5, ""), stop(6, "7"))

    sides = split_sides(StreetSection(STREET, stops))

    assert [s.number for s in sides.odd] == ["1", "3", "7"]
    assert [s.number for s in sides.even] == ["2", "6 bis"]
    assert [s.step for s in sides.unnumbered] == [5]
    assert [
        (odd.number if odd else None, even.number if even else None) for odd, even in sides.rows
    ] == [("1", "2"), ("3", "6 bis"), ("7", None)]
    assert (sides.first_step, sides.last_step) == (1, 6)


def test_split_of_one_sided_street_has_an_empty_side() -> None:
    sides = split_sides(StreetSection(STREET, (stop(4, "2"), stop(5, "4"))))

    assert sides.odd == ()
    assert [(odd, even.number if even else None) for odd, even in sides.rows] == [
        (None, "2"),
        (None, "4"),
    ]
    assert (sides.first_step, sides.last_step) == (4, 5)


def test_buildings_are_flagged_from_five_dwellings() -> None:
    assert not is_large_building(stop(1, "1", dwellings=4))
    assert is_large_building(stop(1, "1", dwellings=5))
    assert total_dwellings(sheet_of((stop(1, "1", 4), stop(2, "2", 12)))) == 16


# On the equator a degree is as long east-west as north-south: 111,194.93 m.
DEGREE_M = math.radians(1) * 6_371_000


def test_plan_fits_the_box_north_up() -> None:
    # 222 m east-west by 111 m north-south into 180 x 80 inside the margins: the height
    # limits the scale to 80 / 111.19 units a metre, and the width is centred.
    east, north = stop(1, "1", lon=0.002), stop(2, "2", lat=0.001)
    sheet = sheet_of((east, north), path=((0, 0), (0.002, 0), (0, 0.001), (0, 0)))

    plan = project_route(sheet, width=200, height=100, margin=10)

    assert plan.meeting == (20, 10)
    assert plan.doors == (PlanDoor(1, 180, 10), PlanDoor(2, 20, 90))
    assert plan.path == ((20, 10), (180, 10), (20, 90), (20, 10))
    # A quarter of the width is 69.5 m, so the bar shows 50 m.
    assert plan.scale_bar_m == 50
    assert plan.scale_bar_length == pytest.approx(50 * 80 / (0.001 * DEGREE_M), abs=0.01)


def test_plan_for_svg_puts_north_at_the_top() -> None:
    sheet = sheet_of((stop(1, "1", lon=0.002), stop(2, "2", lat=0.001)))

    plan = project_route(sheet, width=200, height=100, margin=10, is_y_down=True)

    assert plan.meeting == (20, 90)
    assert plan.doors == (PlanDoor(1, 180, 90), PlanDoor(2, 20, 10))


def test_plan_keeps_proportions_far_from_the_equator() -> None:
    # At 60° north a degree of longitude is half a degree of latitude.
    sheet = sheet_of((stop(1, "1", lon=0.002, lat=60.0),), meeting=(0.0, 60.0))

    plan = project_route(sheet, width=1000, height=1000, margin=0)

    door = plan.doors[0]
    east_west_m = 0.002 * DEGREE_M * math.cos(math.radians(60))
    assert door.x - plan.meeting[0] == pytest.approx(1000, abs=0.01)
    assert east_west_m == pytest.approx(111.19, abs=0.01)


def test_plan_of_a_lone_meeting_point_is_centred() -> None:
    plan = project_route(sheet_of(()), width=300, height=200, margin=20)

    assert plan.meeting == (150, 100)
    assert plan.doors == ()
    assert plan.path == ()
    # The minimum span of 80 m fills the 160 units of height: 2 units a metre.
    assert (plan.scale_bar_m, plan.scale_bar_length) == (25, 50)


def test_plan_marks_doors_at_one_point_once() -> None:
    residence = {"lon": 0.002, "lat": 0.0}
    stops = (stop(1, "1", **residence), stop(2, "3", **residence), stop(3, "2", lat=0.001))

    plan = project_route(sheet_of(stops), width=200, height=100, margin=10)

    assert plan.doors == (PlanDoor(1, 180, 10, last_step=2), PlanDoor(3, 20, 90))
    assert [door.label for door in plan.doors] == ["1–2", "3"]


def test_plan_of_a_door_on_the_meeting_point_does_not_divide_by_zero() -> None:
    plan = project_route(sheet_of((stop(1, "1"),)), width=100, height=100)

    assert plan.doors == (PlanDoor(1, 50, 50),)


@pytest.mark.parametrize(("width", "height", "margin"), [(0, 100, 0), (100, 20, 10), (-5, 10, 0)])
def test_plan_needs_room_inside_its_margins(width: float, height: float, margin: float) -> None:
    with pytest.raises(ValueError, match="no room"):
        project_route(sheet_of(()), width=width, height=height, margin=margin)


def test_stop_number_without_digits_has_no_house_number() -> None:
    assert stop(1, "").house_number is None
    assert stop(1, "3 bis").house_number == 3
    assert replace(stop(1, "12"), number="12 ter").house_number == 12
