import csv
from pathlib import Path

import pytest

from targeting.households import households_per_iris
from targeting.readers import GridSquare, IrisKind, IrisRecord
from targeting.territory import TerritoryData
from tests.targeting.geojson_helpers import square


def _square(inspire_id: str, lon: float, lat: float, households: float) -> GridSquare:
    return GridSquare(
        inspire_id, "93010", 0.0, households, 0.0, 0.0, 0.0, 0.0, square(lon, lat, 0.2)
    )


def _iris(code: str, lon: float, lat: float) -> IrisRecord:
    return IrisRecord(code, code, "93010", IrisKind.HOUSING, square(lon, lat))


def test_square_goes_to_iris_of_centroid() -> None:
    iris = [_iris("930100101", 0, 0), _iris("930100102", 1, 0), _iris("930100103", 5, 5)]
    squares = [
        _square("a", 0.1, 0.1, 10.5),
        _square("b", 0.85, 0.5, 4.0),  # straddles the border, centroid at lon 0.95
        _square("c", 0.95, 0.5, 7.25),  # centroid at lon 1.05
        _square("d", 3.0, 3.0, 99.0),  # in no IRIS
    ]

    assert households_per_iris(squares, iris) == {
        "930100101": 14.5,
        "930100102": 7.25,
        "930100103": 0.0,
    }


def test_bondy_matches_published_rollup(bondy: TerritoryData, bondy_dir: Path) -> None:
    with (bondy_dir / "derived_iris_carreaux2015_bondy.csv").open(
        encoding="utf-8", newline=""
    ) as file:
        published = {row["CODE_IRIS"]: float(row["Men"]) for row in csv.DictReader(file)}

    households = households_per_iris(bondy.grid_squares, bondy.iris)

    assert households.keys() == published.keys()
    for code, expected in published.items():
        assert households[code] == pytest.approx(expected), code
