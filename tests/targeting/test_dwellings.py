from targeting.dwellings import estimate_dwellings
from targeting.readers import GridSquare
from targeting.territory import TerritoryData


def square(inspire_id: str, west: float, households: float) -> GridSquare:
    ring = [[west, 0.0], [west + 1.0, 0.0], [west + 1.0, 1.0], [west, 1.0], [west, 0.0]]
    return GridSquare(
        inspire_id=inspire_id,
        commune_code="93010",
        individuals=households * 2,
        households=households,
        poor_households=0.0,
        owner_households=0.0,
        social_housing=0.0,
        collective_households=0.0,
        geometry={"type": "Polygon", "coordinates": [ring]},
    )


def test_households_shared_among_square_addresses() -> None:
    squares = [square("A", 0.0, 10.0), square("B", 1.0, 0.0)]
    points = [(0.2, 0.5), (0.5, 0.5), (0.8, 0.5), (1.5, 0.5), (5.0, 5.0)]

    assert estimate_dwellings(points, squares) == [3, 3, 3, 1, 1]


def test_small_share_rounds_up_to_one() -> None:
    squares = [square("A", 0.0, 1.0)]
    points = [(0.1, 0.5), (0.3, 0.5), (0.6, 0.5)]

    assert estimate_dwellings(points, squares) == [1, 1, 1]


def test_bondy_dwellings_near_household_count(bondy: TerritoryData) -> None:
    points = [(address.lon, address.lat) for address in bondy.ban_addresses]

    estimates = estimate_dwellings(points, bondy.grid_squares)

    assert len(estimates) == 8413
    assert min(estimates) == 1
    # 24,682 households live in the squares, some of them outside Bondy's addresses.
    assert 20_000 <= sum(estimates) <= 24_700
