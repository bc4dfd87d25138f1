"""Sectors around the meeting point: slices of even work, teams shared by work."""

import pytest

from routing.geo import GeoPoint
from routing.sectors import Sector, TeamSector, keep_previous_teams, number_teams, split_sectors

CENTRE = GeoPoint(0.0, 0.0)
EAST, NORTH, WEST, SOUTH = (
    GeoPoint(0.01, 0.0),
    GeoPoint(0.0, 0.01),
    GeoPoint(-0.01, 0.0),
    GeoPoint(0.0, -0.01),
)


def test_a_small_turf_is_one_sector_with_every_team() -> None:
    points = [EAST, NORTH, WEST]
    assert split_sectors(CENTRE, points, [1, 1, 1], team_count=4, max_doors=5) == (
        Sector((0, 1, 2), 4),
    )


def test_one_team_means_one_sector_whatever_the_size() -> None:
    sectors = split_sectors(CENTRE, [EAST] * 10, [1] * 10, team_count=1, max_doors=2)
    assert sectors == (Sector(tuple(range(10)), 1),)


def test_doors_in_four_directions_split_into_opposite_halves() -> None:
    points = [EAST, EAST, NORTH, NORTH, WEST, WEST, SOUTH, SOUTH]
    sectors = split_sectors(CENTRE, points, [1] * 8, team_count=2, max_doors=4)
    assert [len(sector.doors) for sector in sectors] == [4, 4]
    assert [sector.team_count for sector in sectors] == [1, 1]
    assert sorted(sectors[0].doors + sectors[1].doors) == list(range(8))
    # Each sector is a contiguous slice of directions.
    halves = {frozenset(points[d] for d in sector.doors) for sector in sectors}
    assert all(len(half) == 2 for half in halves)


def test_teams_follow_the_work_not_the_door_count() -> None:
    # Two doors east hold as much work as six doors west.
    points = [EAST, EAST, WEST, WEST, WEST, WEST, WEST, WEST]
    work = [3.0, 3.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]
    sectors = split_sectors(CENTRE, points, work, team_count=4, max_doors=6)
    by_doors = {sector.doors: sector.team_count for sector in sectors}
    assert by_doors == {(0, 1): 2, (2, 3, 4, 5, 6, 7): 2}


def test_every_sector_keeps_a_door_and_a_team() -> None:
    sectors = split_sectors(CENTRE, [EAST] * 5, [1.0] * 5, team_count=5, max_doors=1)
    assert [len(sector.doors) for sector in sectors] == [1] * 5
    assert [sector.team_count for sector in sectors] == [1] * 5


def test_bad_inputs_are_rejected() -> None:
    with pytest.raises(ValueError, match="work has 1 values for 2 doors"):
        split_sectors(CENTRE, [EAST, WEST], [1.0], team_count=2, max_doors=1)
    with pytest.raises(ValueError, match="max_doors must be at least 1, got 0"):
        split_sectors(CENTRE, [EAST], [1.0], team_count=2, max_doors=0)


def test_teams_numbered_in_sector_order() -> None:
    sectors = (Sector((0, 2), 2), Sector((1,), 1))
    assert number_teams(sectors) == (TeamSector((0, 2), (0, 1)), TeamSector((1,), (2,)))


def test_team_plans_where_most_of_its_doors_were() -> None:
    # Team 0 had doors 0, 1 and 3, so door 3 follows it into the first slice. Door 2 had
    # no team and stays. Team 2 had no door: the second slice is one team short.
    sectors = (Sector((0, 1, 2), 1), Sector((3, 4, 5), 2))
    previous = [0, 0, None, 0, 1, 1]

    assert keep_previous_teams(sectors, previous, team_count=3) == (
        TeamSector((0, 1, 2, 3), (0,)),
        TeamSector((4, 5), (1, 2)),
    )


def test_equal_counts_go_to_the_first_slice() -> None:
    sectors = (Sector((0, 1), 1), Sector((2, 3), 1))

    assert keep_previous_teams(sectors, [None, 0, 0, None], team_count=2) == (
        TeamSector((0, 1, 2), (0,)),
        TeamSector((3,), (1,)),
    )


@pytest.mark.parametrize(
    ("previous", "expected"),
    [
        # The middle slice has no team: its doors join the slice before it.
        ([0, 0, None, None, 1, 1], (TeamSector((0, 1, 2, 3), (0,)), TeamSector((4, 5), (1,)))),
        # The first slice has no team and none before it: its doors join the next one.
        ([None, None, 0, 0, 1, 1], (TeamSector((0, 1, 2, 3), (0,)), TeamSector((4, 5), (1,)))),
    ],
)
def test_slice_without_team_hands_doors_on(
    previous: list[int | None], expected: tuple[TeamSector, ...]
) -> None:
    sectors = (Sector((0, 1), 1), Sector((2, 3), 1), Sector((4, 5), 1))
    assert keep_previous_teams(sectors, previous, team_count=2) == expected
