from pathlib import Path

import pytest

from targeting.errors import DataFileError, Problem
from targeting.readers import ElectorAddress, read_reu_addresses
from tests.targeting.conftest import WriteFile

HEADER = "code_commune_ref,id_brut_bv_reu,id_ban,geo_type,longitude,latitude,nb_adresses\n"


def _error(path: Path) -> DataFileError:
    with pytest.raises(DataFileError) as caught:
        read_reu_addresses(path)
    return caught.value


def test_bondy_reu_addresses(bondy_dir: Path) -> None:
    records = read_reu_addresses(bondy_dir / "reu_adresses_bureaux_bondy.csv")

    assert len(records) == 5_698
    assert records[0] == ElectorAddress("93010_8159_00001", "93010", 1, 2.480535, 48.902679, 1)
    assert {record.station_number for record in records} == set(range(1, 33))
    assert sum(record.ban_id == "93010_3115" for record in records) == 3


def test_empty_ban_id(write_file: WriteFile) -> None:
    path = write_file("reu.csv", HEADER + "2B033,2B033_4,,street,9.45,42.7,3\n")

    (record,) = read_reu_addresses(path)

    assert record == ElectorAddress(None, "2B033", 4, 9.45, 42.7, 3)


def test_station_of_another_commune(write_file: WriteFile) -> None:
    path = write_file("reu.csv", HEADER + "93010,93008_1,93010_1,housenumber,2.48,48.9,1\n")

    error = _error(path)

    assert (error.file_name, error.line, error.column) == ("reu.csv", 2, "id_brut_bv_reu")
    assert error.problem == Problem.MALFORMED_CODE


def test_bad_count(write_file: WriteFile) -> None:
    path = write_file("reu.csv", HEADER + "93010,93010_1,93010_1,housenumber,2.48,48.9,1.5\n")

    error = _error(path)

    assert (error.line, error.column, error.problem) == (2, "nb_adresses", Problem.MALFORMED_NUMBER)


def test_longitude_not_a_number(write_file: WriteFile) -> None:
    path = write_file("reu.csv", HEADER + "93010,93010_1,93010_1,housenumber,abc,48.9,1\n")

    error = _error(path)

    assert (error.line, error.column, error.problem) == (
        2,
        "longitude",
        Problem.MALFORMED_COORDINATE,
    )
