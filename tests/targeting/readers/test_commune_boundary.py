from pathlib import Path

import pytest

from targeting.errors import DataFileError, Problem
from targeting.readers import read_commune_boundary
from tests.targeting.conftest import WriteFile
from tests.targeting.geojson_helpers import collection, feature, square


def test_bondy_boundary(bondy_dir: Path) -> None:
    (boundary,) = read_commune_boundary(bondy_dir / "commune_bondy.geojson")

    assert (boundary.commune_code, boundary.name) == ("93010", "Bondy")
    assert boundary.geometry["type"] == "MultiPolygon"


def test_several_communes(write_file: WriteFile) -> None:
    path = write_file(
        "communes.geojson",
        collection(
            feature({"INSEE_COM": "2A004", "NOM_COM": "Ajaccio"}, square(8.6, 41.9, 0.1)),
            feature({"INSEE_COM": "2B033", "NOM_COM": "Bastia"}, square(9.4, 42.6, 0.1)),
        ),
    )

    records = read_commune_boundary(path)

    assert [record.commune_code for record in records] == ["2A004", "2B033"]


def test_commune_code_as_number(write_file: WriteFile) -> None:
    path = write_file(
        "communes.geojson",
        collection(feature({"INSEE_COM": 1053, "NOM_COM": "Bourg"}, square(5, 46))),
    )

    with pytest.raises(DataFileError) as caught:
        read_commune_boundary(path)

    error = caught.value
    assert (error.file_name, error.line, error.column) == ("communes.geojson", 1, "INSEE_COM")
    assert (error.problem, error.value) == (Problem.MALFORMED_CODE, "1053")
