from pathlib import Path
from typing import Any

import pytest

from targeting.errors import DataFileError, Problem
from targeting.readers import IrisKind, read_iris_contours
from tests.targeting.conftest import WriteFile
from tests.targeting.geojson_helpers import collection, feature, square


def _iris(code: object, commune: object = "93010", kind: object = "H") -> dict[str, Any]:
    properties = {"CODE_IRIS": code, "INSEE_COM": commune, "NOM_IRIS": "Centre", "TYP_IRIS": kind}
    return feature(properties, square(2.4, 48.9, 0.01))


def _error(path: Path) -> DataFileError:
    with pytest.raises(DataFileError) as caught:
        read_iris_contours(path)
    return caught.value


def test_bondy_iris(bondy_dir: Path) -> None:
    records = read_iris_contours(bondy_dir / "iris_contours_bondy.geojson")

    assert len(records) == 22
    assert {record.commune_code for record in records} == {"93010"}
    parc = next(record for record in records if record.code == "930100108")
    assert parc.name == "Le Parc du Château"
    assert parc.kind == IrisKind.ACTIVITY
    assert sum(record.kind == IrisKind.HOUSING for record in records) == 21
    assert parc.geometry["type"] == "Polygon"


def test_corsican_iris(write_file: WriteFile) -> None:
    path = write_file("iris.geojson", collection(_iris("2A0040101", commune="2A004", kind="Z")))

    (record,) = read_iris_contours(path)

    assert (record.code, record.commune_code, record.kind) == ("2A0040101", "2A004", "Z")


def test_malformed_iris_code(write_file: WriteFile) -> None:
    path = write_file("iris.geojson", collection(_iris("930100101"), _iris("9301A0101")))

    error = _error(path)

    assert (error.file_name, error.line, error.column) == ("iris.geojson", 2, "CODE_IRIS")
    assert (error.problem, error.value) == (Problem.MALFORMED_CODE, "9301A0101")


def test_iris_code_stored_as_number(write_file: WriteFile) -> None:
    path = write_file("iris.geojson", collection(_iris(10530101, commune="01053")))

    error = _error(path)

    assert (error.line, error.column, error.problem) == (1, "CODE_IRIS", Problem.MALFORMED_CODE)


def test_iris_of_another_commune(write_file: WriteFile) -> None:
    path = write_file("iris.geojson", collection(_iris("930080101")))

    error = _error(path)

    assert (error.line, error.column, error.problem) == (1, "CODE_IRIS", Problem.MALFORMED_CODE)


def test_unknown_iris_type(write_file: WriteFile) -> None:
    path = write_file("iris.geojson", collection(_iris("930100101", kind="X")))

    error = _error(path)

    assert (error.line, error.column, error.problem) == (1, "TYP_IRIS", Problem.MALFORMED_CODE)


def test_repeated_iris(write_file: WriteFile) -> None:
    path = write_file("iris.geojson", collection(_iris("930100101"), _iris("930100101")))

    error = _error(path)

    assert (error.line, error.column, error.problem) == (2, "CODE_IRIS", Problem.DUPLICATE_KEY)


def test_missing_property(write_file: WriteFile) -> None:
    incomplete = feature({"CODE_IRIS": "930100101", "INSEE_COM": "93010"}, square(2.4, 48.9))
    path = write_file("iris.geojson", collection(incomplete))

    error = _error(path)

    assert (error.line, error.column, error.problem) == (1, "TYP_IRIS", Problem.MISSING_COLUMN)
