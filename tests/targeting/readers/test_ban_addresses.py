from pathlib import Path

import pytest

from targeting.errors import DataFileError, Problem
from targeting.readers import AddressRecord, read_ban_addresses
from tests.targeting.conftest import WriteFile

HEADER = "id,id_fantoir,numero,rep,nom_voie,code_postal,code_insee,nom_commune,lon,lat\n"


def _row(commune: str = "93010", lon: str = "2.488881", lat: str = "48.893494") -> str:
    return (
        f"{commune}_i7xf1o_00001,,1,bis,Allee Marguerite Duras,93140,{commune},Bondy,{lon},{lat}\n"
    )


def _error(path: Path) -> DataFileError:
    with pytest.raises(DataFileError) as caught:
        read_ban_addresses(path)
    return caught.value


def test_bondy_addresses(bondy_dir: Path) -> None:
    records = read_ban_addresses(bondy_dir / "ban_adresses_bondy.csv")

    assert len(records) == 8_413
    assert records[0] == AddressRecord(
        "93010_i7xf1o_00001",
        1,
        None,
        # The file writes « Allee »: the accent is put back.
        "Allée Marguerite Duras",
        "93140",
        "93010",
        2.488881,
        48.893494,
    )
    assert sum(record.suffix == "bis" for record in records) == 624
    assert {record.commune_code for record in records} == {"93010"}


def test_leading_zero_and_corsica_kept(write_file: WriteFile) -> None:
    path = write_file(
        "ban.csv",
        HEADER
        + "01053_x_00002,,,,Place Carriat,01000,01053,Bourg,5.2251,46.2052\n"
        + "2A004_y_00012,,12,ter,Cours Napoléon,20000,2A004,Ajaccio,8.7369,41.9192\n",
    )

    first, second = read_ban_addresses(path)

    assert (first.commune_code, first.postcode, first.number, first.suffix) == (
        "01053",
        "01000",
        None,
        None,
    )
    assert (second.ban_id, second.commune_code, second.number, second.suffix) == (
        "2A004_y_00012",
        "2A004",
        12,
        "ter",
    )
    assert second.street == "Cours Napoléon"


def test_commune_code_lost_leading_zero(write_file: WriteFile) -> None:
    path = write_file("ban.csv", HEADER + _row() + _row(commune="1053"))

    error = _error(path)

    assert (error.file_name, error.line, error.column) == ("ban.csv", 3, "code_insee")
    assert (error.problem, error.value) == (Problem.MALFORMED_CODE, "1053")


@pytest.mark.parametrize("lon", ["abc", "200", ""])
def test_bad_longitude(write_file: WriteFile, lon: str) -> None:
    path = write_file("ban.csv", HEADER + _row().replace("00001", "00002") + _row(lon=lon))

    error = _error(path)

    assert (error.file_name, error.line, error.column) == ("ban.csv", 3, "lon")
    assert (error.problem, error.value) == (Problem.MALFORMED_COORDINATE, lon)


def test_bad_latitude(write_file: WriteFile) -> None:
    path = write_file("ban.csv", HEADER + _row(lat="-91"))

    error = _error(path)

    assert (error.line, error.column, error.problem) == (2, "lat", Problem.MALFORMED_COORDINATE)


def test_missing_column(write_file: WriteFile) -> None:
    header = HEADER.replace(",lat\n", "\n")
    path = write_file("ban.csv", header + "93010_x_00001,,1,,Rue,93140,93010,Bondy,2.48\n")

    error = _error(path)

    assert (error.file_name, error.line, error.column) == ("ban.csv", 1, "lat")
    assert error.problem == Problem.MISSING_COLUMN


def test_repeated_id(write_file: WriteFile) -> None:
    path = write_file("ban.csv", HEADER + _row() + _row())

    error = _error(path)

    assert (error.line, error.column, error.problem) == (3, "id", Problem.DUPLICATE_KEY)


def test_latin1_file(write_file: WriteFile) -> None:
    text = HEADER + _row() + "93010_x_00009,,3,,Allée des Épines,93140,93010,Bondy,2.48,48.9\n"
    path = write_file("ban.csv", text, encoding="latin-1")

    error = _error(path)

    assert (error.file_name, error.line, error.column) == ("ban.csv", 3, None)
    assert error.problem == Problem.ENCODING


def test_semicolon_separated(write_file: WriteFile) -> None:
    path = write_file("ban.csv", HEADER.replace(",", ";") + _row().replace(",", ";"))

    error = _error(path)

    assert (error.file_name, error.line, error.column) == ("ban.csv", 1, None)
    assert error.problem == Problem.SEPARATOR
