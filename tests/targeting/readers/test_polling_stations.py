from pathlib import Path

import pytest

from targeting.errors import DataFileError, Problem
from targeting.readers import PollingStationRecord, read_polling_stations
from tests.targeting.conftest import WriteFile

HEADER = "id_brut_reu,code_commune,code,libelle_reu,num_voie_reu,voie_reu,cp_reu,commune_reu\n"


def _error(path: Path) -> DataFileError:
    with pytest.raises(DataFileError) as caught:
        read_polling_stations(path)
    return caught.value


def test_bondy_stations(bondy_dir: Path) -> None:
    records = read_polling_stations(bondy_dir / "reu_bureaux_bondy.csv")

    assert len(records) == 32
    assert sorted(record.number for record in records) == list(range(1, 33))
    assert records[0] == PollingStationRecord(
        "93010", 1, "hotel de ville salle des fetes", "ESPLANADE CLAUDE FUZIER, 93140 bondy"
    )
    blanqui = next(record for record in records if record.number == 11)
    assert blanqui.address == "90 BIS RUE LOUIS AUGUSTE BLANQUI, 93140 bondy"


def test_address_from_all_parts(write_file: WriteFile) -> None:
    path = write_file(
        "bv.csv", HEADER + "01053_3,01053,3,Ecole,12,RUE DU LAC,01000,Bourg-en-Bresse\n"
    )

    (record,) = read_polling_stations(path)

    assert record == PollingStationRecord(
        "01053", 3, "Ecole", "12 RUE DU LAC, 01000 Bourg-en-Bresse"
    )


def test_station_of_another_commune(write_file: WriteFile) -> None:
    path = write_file("bv.csv", HEADER + "93010_1,93008,1,Ecole,,RUE,93140,bondy\n")

    error = _error(path)

    assert (error.file_name, error.line, error.column) == ("bv.csv", 2, "id_brut_reu")
    assert error.problem == Problem.MALFORMED_CODE


def test_malformed_station_id(write_file: WriteFile) -> None:
    path = write_file("bv.csv", HEADER + "93010-1,93010,1,Ecole,,RUE,93140,bondy\n")

    error = _error(path)

    assert (error.line, error.column, error.value) == (2, "id_brut_reu", "93010-1")
    assert error.problem == Problem.MALFORMED_CODE


def test_repeated_station(write_file: WriteFile) -> None:
    row = "93010_1,93010,1,Ecole,,RUE,93140,bondy\n"
    path = write_file("bv.csv", HEADER + row + row)

    error = _error(path)

    assert (error.line, error.column, error.problem) == (3, "id_brut_reu", Problem.DUPLICATE_KEY)
