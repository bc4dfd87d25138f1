from pathlib import Path
from typing import Any

import pytest

from targeting.errors import DataFileError, Problem
from targeting.readers import read_grid_squares
from tests.targeting.conftest import WriteFile
from tests.targeting.geojson_helpers import collection, feature, square


def _square(inspire_id: str, men: object = 17.2) -> dict[str, Any]:
    properties = {
        "IdINSPIRE": inspire_id,
        "Depcom": "93010",
        "Ind": 40.5,
        "Men": men,
        "Men_pauv": 1.8,
        "Men_prop": 6.0,
        "Log_soc": 0.0,
        "Men_coll": 13.2,
    }
    return feature(properties, square(2.48, 48.9, 0.002))


def _error(path: Path) -> DataFileError:
    with pytest.raises(DataFileError) as caught:
        read_grid_squares(path)
    return caught.value


def test_bondy_squares(bondy_dir: Path) -> None:
    records = read_grid_squares(bondy_dir / "filosofi2015_carreaux200m_bondy.geojson")

    assert len(records) == 188
    first = records[0]
    assert first.inspire_id == "CRS3035RES200mN2892800E3771800"
    assert first.commune_code == "93057"
    assert (first.individuals, first.households, first.poor_households) == (125.0, 49.0, 5.0)
    assert (first.owner_households, first.social_housing, first.collective_households) == (
        39.0,
        0.0,
        13.0,
    )
    assert sum(record.commune_code == "93010" for record in records) == 128


def test_hand_square(write_file: WriteFile) -> None:
    path = write_file("carreaux.geojson", collection(_square("CRS3035RES200mN1E1")))

    (record,) = read_grid_squares(path)

    assert (record.households, record.poor_households, record.collective_households) == (
        17.2,
        1.8,
        13.2,
    )


def test_negative_households(write_file: WriteFile) -> None:
    path = write_file("carreaux.geojson", collection(_square("a"), _square("b", men=-1.0)))

    error = _error(path)

    assert (error.file_name, error.line, error.column) == ("carreaux.geojson", 2, "Men")
    assert error.problem == Problem.MALFORMED_NUMBER


def test_repeated_square(write_file: WriteFile) -> None:
    path = write_file("carreaux.geojson", collection(_square("a"), _square("a")))

    error = _error(path)

    assert (error.line, error.column, error.problem) == (2, "IdINSPIRE", Problem.DUPLICATE_KEY)
