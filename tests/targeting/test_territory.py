import logging
from pathlib import Path

import pytest

from targeting.errors import DataFileError, Problem
from targeting.territory import TerritoryData, TerritoryFiles

BONDY_NAMES = [
    "iris_contours_bondy.geojson",
    "iris_filosofi2019_bondy.csv",
    "filosofi2015_carreaux200m_bondy.geojson",
    "derived_iris_carreaux2015_bondy.csv",
    "reu_bureaux_bondy.csv",
    "bureaux_vote_contours_bondy.geojson",
    "elections_pres2022_t1_bv_bondy.csv",
    "elections_pres2022_t1_bv_bondy_long.csv",
    "ban_adresses_bondy.csv",
    "reu_adresses_bureaux_bondy.csv",
    "derived_crosswalk_bv_iris_bondy.csv",
    "osm_highways_bondy_2023-07-27.geojson",
    "osm_polling_stations_bondy.geojson",
    "commune_bondy.geojson",
]


def _touch(folder: Path, names: list[str]) -> None:
    for name in names:
        (folder / name).write_bytes(b"")


def test_discover_bondy_names(tmp_path: Path) -> None:
    _touch(tmp_path, BONDY_NAMES)

    files = TerritoryFiles.discover(tmp_path)

    assert files == TerritoryFiles(
        iris_contours=tmp_path / "iris_contours_bondy.geojson",
        iris_income=tmp_path / "iris_filosofi2019_bondy.csv",
        grid_squares=tmp_path / "filosofi2015_carreaux200m_bondy.geojson",
        polling_stations=tmp_path / "reu_bureaux_bondy.csv",
        station_contours=tmp_path / "bureaux_vote_contours_bondy.geojson",
        presidential_results=tmp_path / "elections_pres2022_t1_bv_bondy.csv",
        ban_addresses=tmp_path / "ban_adresses_bondy.csv",
        reu_addresses=tmp_path / "reu_adresses_bureaux_bondy.csv",
        osm_streets=tmp_path / "osm_highways_bondy_2023-07-27.geojson",
        commune_boundary=tmp_path / "commune_bondy.geojson",
    )


def test_long_results_alone_are_missing(tmp_path: Path) -> None:
    names = [name for name in BONDY_NAMES if name != "elections_pres2022_t1_bv_bondy.csv"]
    _touch(tmp_path, names)

    with pytest.raises(DataFileError) as caught:
        TerritoryFiles.discover(tmp_path)

    error = caught.value
    assert (error.file_name, error.problem) == (
        "elections_pres2022_t1_bv*.csv",
        Problem.MISSING_FILE,
    )
    assert (error.line, error.column) == (None, None)


def test_missing_piece(tmp_path: Path) -> None:
    _touch(tmp_path, [name for name in BONDY_NAMES if not name.startswith("ban_")])

    with pytest.raises(DataFileError) as caught:
        TerritoryFiles.discover(tmp_path)

    assert (caught.value.file_name, caught.value.problem) == (
        "ban_adresses*.csv",
        Problem.MISSING_FILE,
    )


def test_newest_export_wins(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    _touch(tmp_path, [*BONDY_NAMES, "osm_highways_bondy_2022-04-12.geojson"])

    with caplog.at_level(logging.WARNING, logger="targeting.territory"):
        files = TerritoryFiles.discover(tmp_path)

    assert files.osm_streets.name == "osm_highways_bondy_2023-07-27.geojson"
    assert "osm_highways*.geojson" in caplog.text


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(DataFileError) as caught:
        TerritoryFiles.discover(tmp_path / "nowhere")

    assert (caught.value.file_name, caught.value.problem) == ("nowhere", Problem.MISSING_FILE)


def test_read_bondy(bondy: TerritoryData) -> None:
    assert len(bondy.iris) == 22
    assert len(bondy.iris_income) == 21
    assert len(bondy.grid_squares) == 188
    assert len(bondy.polling_stations) == 32
    assert len(bondy.station_contours) == 32
    assert len(bondy.presidential_results) == 32
    assert len(bondy.ban_addresses) == 8_413
    assert len(bondy.reu_addresses) == 5_698
    assert len(bondy.osm_streets) == 1_350
    assert [boundary.commune_code for boundary in bondy.commune_boundaries] == ["93010"]


def test_bondy_keys_agree(bondy: TerritoryData) -> None:
    stations = {(record.commune_code, record.number) for record in bondy.polling_stations}

    assert {(item.commune_code, item.number) for item in bondy.presidential_results} == stations
    assert {(item.commune_code, item.number) for item in bondy.station_contours} == stations
    assert {(item.commune_code, item.station_number) for item in bondy.reu_addresses} == stations
    iris_codes = {record.code for record in bondy.iris}
    assert {record.iris_code for record in bondy.iris_income} == iris_codes - {"930100108"}
