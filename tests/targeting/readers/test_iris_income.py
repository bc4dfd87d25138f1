from pathlib import Path

import pytest

from targeting.errors import DataFileError, Problem
from targeting.readers import IrisIncome, read_iris_income
from tests.targeting.conftest import WriteFile

HEADER = "CODE_IRIS,LIBIRIS,COM,LIBCOM,DISP_MED19,DISP_TP6019\n"


def _error(path: Path) -> DataFileError:
    with pytest.raises(DataFileError) as caught:
        read_iris_income(path)
    return caught.value


def test_bondy_income(bondy_dir: Path) -> None:
    records = read_iris_income(bondy_dir / "iris_filosofi2019_bondy.csv")

    assert len(records) == 21
    assert records[0] == IrisIncome("930100101", 15260, 36.7)
    assert records[1] == IrisIncome("930100102", 14580, None)
    assert "930100108" not in {record.iris_code for record in records}


def test_empty_and_secret_cells(write_file: WriteFile) -> None:
    path = write_file(
        "filo.csv", HEADER + "010530101,A,01053,Bourg,,12.5\n2A0040101,B,2A004,Ajaccio,ns,nd\n"
    )

    records = read_iris_income(path)

    assert records == [IrisIncome("010530101", None, 12.5), IrisIncome("2A0040101", None, None)]


def test_malformed_iris_code(write_file: WriteFile) -> None:
    path = write_file(
        "filo.csv", HEADER + "930100101,A,93010,Bondy,15260,36.7\n9301A0101,B,93010,Bondy,1,2\n"
    )

    error = _error(path)

    assert (error.file_name, error.line, error.column) == ("filo.csv", 3, "CODE_IRIS")
    assert (error.problem, error.value) == (Problem.MALFORMED_CODE, "9301A0101")


def test_iris_code_lost_leading_zero(write_file: WriteFile) -> None:
    path = write_file("filo.csv", HEADER + "10530101,A,1053,Bourg,15260,36.7\n")

    error = _error(path)

    assert (error.line, error.column, error.problem) == (2, "CODE_IRIS", Problem.MALFORMED_CODE)


def test_rate_that_is_not_a_rate(write_file: WriteFile) -> None:
    path = write_file("filo.csv", HEADER + "930100102,B,93010,Bondy,14580,11190\n")

    error = _error(path)

    assert (error.line, error.column, error.problem) == (2, "DISP_TP6019", Problem.MALFORMED_NUMBER)


def test_latin1_file(write_file: WriteFile) -> None:
    text = (
        HEADER
        + "930100101,La Flamiche,93010,Bondy,15260,36.7\n"
        + "930100204,Le Moulin à Vent,93010,Bondy,17350,31.4\n"
    )
    path = write_file("filo.csv", text, encoding="latin-1")

    error = _error(path)

    assert (error.file_name, error.line, error.column) == ("filo.csv", 3, None)
    assert error.problem == Problem.ENCODING


def test_semicolon_separated(write_file: WriteFile) -> None:
    path = write_file("filo.csv", HEADER.replace(",", ";") + "930100101;A;93010;Bondy;15260;36,7\n")

    error = _error(path)

    assert (error.file_name, error.line, error.column) == ("filo.csv", 1, None)
    assert error.problem == Problem.SEPARATOR


def test_repeated_iris(write_file: WriteFile) -> None:
    row = "930100101,A,93010,Bondy,15260,36.7\n"
    path = write_file("filo.csv", HEADER + row + row)

    error = _error(path)

    assert (error.line, error.column, error.problem) == (3, "CODE_IRIS", Problem.DUPLICATE_KEY)
