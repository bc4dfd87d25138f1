from pathlib import Path

import pytest

from targeting.errors import DataFileError, Problem
from targeting.readers import StationResult, read_presidential_results
from tests.targeting.conftest import WriteFile

HEADER = (
    "code_commune,id_bv,inscrits,abstentions,votants,blancs,nuls,exprimes,"
    "voix_MÉLENCHON,voix_LE_PEN\n"
)
GOOD_ROW = "93010,93010_1,100,40,60,6,4,50,20,30\n"


def _error(path: Path) -> DataFileError:
    with pytest.raises(DataFileError) as caught:
        read_presidential_results(path)
    return caught.value


def test_bondy_results(bondy_dir: Path) -> None:
    records = read_presidential_results(bondy_dir / "elections_pres2022_t1_bv_bondy.csv")

    assert len(records) == 32
    assert sum(record.registered for record in records) == 25_281
    assert sum(record.voters for record in records) == 17_732
    assert sum(record.expressed for record in records) == 17_347
    totals: dict[str, int] = {}
    for record in records:
        for name, votes in record.votes:
            totals[name] = totals.get(name, 0) + votes
    assert totals["MÉLENCHON"] == 9_290
    assert totals["MACRON"] == 3_290
    assert totals["LE_PEN"] == 2_026
    assert len(totals) == 12


def test_bondy_station_1(bondy_dir: Path) -> None:
    records = read_presidential_results(bondy_dir / "elections_pres2022_t1_bv_bondy.csv")

    first = next(record for record in records if record.number == 1)
    assert (first.commune_code, first.registered, first.abstentions, first.voters) == (
        "93010",
        736,
        190,
        546,
    )
    assert (first.blank, first.null, first.expressed) == (8, 5, 533)
    assert dict(first.votes)["MÉLENCHON"] == 233


def test_hand_row(write_file: WriteFile) -> None:
    path = write_file("pres.csv", HEADER + GOOD_ROW)

    assert read_presidential_results(path) == [
        StationResult("93010", 1, 100, 40, 60, 6, 4, 50, (("MÉLENCHON", 20), ("LE_PEN", 30)))
    ]


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("93010,93010_2,101,40,60,6,4,50,20,30\n", "inscrits"),
        ("93010,93010_2,100,40,60,6,5,50,20,30\n", "votants"),
        ("93010,93010_2,100,40,60,6,4,50,20,31\n", "exprimes"),
    ],
)
def test_totals_that_do_not_add_up(write_file: WriteFile, row: str, column: str) -> None:
    path = write_file("pres.csv", HEADER + GOOD_ROW + row)

    error = _error(path)

    assert (error.file_name, error.line, error.column) == ("pres.csv", 3, column)
    assert error.problem == Problem.MALFORMED_NUMBER


def test_missing_count(write_file: WriteFile) -> None:
    path = write_file("pres.csv", HEADER + "93010,93010_1,100,40,60,,4,50,20,30\n")

    error = _error(path)

    assert (error.line, error.column, error.problem) == (2, "blancs", Problem.MALFORMED_NUMBER)


def test_no_candidate_column(write_file: WriteFile) -> None:
    path = write_file(
        "pres.csv", "code_commune,id_bv,inscrits,abstentions,votants,blancs,nuls,exprimes\n1\n"
    )

    error = _error(path)

    assert (error.line, error.column, error.problem) == (1, "voix_*", Problem.MISSING_COLUMN)


def test_missing_total_column(write_file: WriteFile) -> None:
    path = write_file(
        "pres.csv", HEADER.replace("nuls,", "") + "93010,93010_1,100,40,60,6,50,20,30\n"
    )

    error = _error(path)

    assert (error.file_name, error.line, error.column) == ("pres.csv", 1, "nuls")
    assert error.problem == Problem.MISSING_COLUMN


def test_repeated_station(write_file: WriteFile) -> None:
    path = write_file("pres.csv", HEADER + GOOD_ROW + GOOD_ROW)

    error = _error(path)

    assert (error.line, error.column, error.problem) == (3, "id_bv", Problem.DUPLICATE_KEY)


def test_station_of_another_commune(write_file: WriteFile) -> None:
    path = write_file("pres.csv", HEADER + GOOD_ROW.replace("93010,", "93008,", 1))

    error = _error(path)

    assert (error.line, error.column, error.problem) == (2, "id_bv", Problem.MALFORMED_CODE)
