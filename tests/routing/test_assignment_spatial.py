"""The grid search for sessions near each home, against comparing every pair."""

import numpy as np

from routing.assignment_spatial import haversine_array_m, nearby_pairs
from routing.geo import GeoPoint, haversine_m


def brute_force(
    lon: np.ndarray, lat: np.ndarray, radius: np.ndarray, plon: np.ndarray, plat: np.ndarray
) -> set[tuple[int, int]]:
    found = set()
    for h in range(len(lon)):
        if radius[h] < 0:
            continue
        for p in range(len(plon)):
            metres = haversine_m(GeoPoint(lon[h], lat[h]), GeoPoint(plon[p], plat[p]))
            if metres <= radius[h]:
                found.add((h, p))
    return found


def test_grid_finds_exactly_the_pairs_within_reach() -> None:
    rng = np.random.default_rng(7)
    homes, points = 300, 150
    lon, lat = rng.uniform(2.3, 2.6, homes), rng.uniform(48.8, 49.0, homes)
    radius = rng.choice([0.0, 500.0, 1500.0, 3000.0, -1.0, 60_000.0], homes)
    plon, plat = rng.uniform(2.3, 2.6, points), rng.uniform(48.8, 49.0, points)

    near = nearby_pairs(lon, lat, radius, plon, plat)

    assert set(zip(near.home.tolist(), near.point.tolist(), strict=True)) == brute_force(
        lon, lat, radius, plon, plat
    )
    assert (np.diff(near.home) >= 0).all()
    expected = haversine_array_m(lon[near.home], lat[near.home], plon[near.point], plat[near.point])
    assert np.allclose(near.distance_m, expected)


def test_far_north_and_spread_points() -> None:
    # Cells are widened for the highest latitude, so pairs near 51 degrees are kept.
    lon = np.array([2.0, -1.0, 7.9])
    lat = np.array([51.0, 43.0, 48.5])
    radius = np.array([2000.0, 2000.0, 2000.0])
    plon = np.array([2.0285, -1.0, 7.9, 2.5])
    plat = np.array([51.0, 43.017, 48.5, 47.0])

    near = nearby_pairs(lon, lat, radius, plon, plat)

    assert set(zip(near.home.tolist(), near.point.tolist(), strict=True)) == {
        (0, 0),
        (1, 1),
        (2, 2),
    }


def test_no_home_or_no_point_matches_nothing() -> None:
    empty = np.zeros(0)

    assert (
        len(nearby_pairs(np.array([2.0]), np.array([48.0]), np.array([-1.0]), empty, empty).home)
        == 0
    )
    assert (
        len(nearby_pairs(np.array([2.0]), np.array([48.0]), np.array([100.0]), empty, empty).home)
        == 0
    )
