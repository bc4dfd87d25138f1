from pathlib import Path

import pytest

from targeting.errors import DataFileError, Problem
from targeting.readers import read_station_contours
from tests.targeting.conftest import WriteFile
from tests.targeting.geojson_helpers import collection, feature, square


def test_bondy_contours(bondy_dir: Path) -> None:
    records = read_station_contours(bondy_dir / "bureaux_vote_contours_bondy.geojson")

    assert len(records) == 32
    assert sorted(record.number for record in records) == list(range(1, 33))
    assert {record.commune_code for record in records} == {"93010"}
    assert {record.geometry["type"] for record in records} == {"MultiPolygon"}


def test_malformed_station_id(write_file: WriteFile) -> None:
    features = [
        feature({"id_bv": "93010_1"}, square(2.4, 48.9, 0.01)),
        feature({"id_bv": "1053_2"}, square(2.5, 48.9, 0.01)),
    ]
    path = write_file("bv.geojson", collection(*features))

    with pytest.raises(DataFileError) as caught:
        read_station_contours(path)

    error = caught.value
    assert (error.file_name, error.line, error.column) == ("bv.geojson", 2, "id_bv")
    assert (error.problem, error.value) == (Problem.MALFORMED_CODE, "1053_2")
