"""The set of open-data files that describe one territory, found in one folder."""

import fnmatch
import logging
from dataclasses import dataclass
from pathlib import Path

from targeting.errors import DataFileError, Problem
from targeting.readers import (
    AddressRecord,
    CommuneBoundary,
    ElectorAddress,
    GridSquare,
    IrisIncome,
    IrisRecord,
    PollingStationRecord,
    StationContour,
    StationResult,
    StreetWayRecord,
    read_ban_addresses,
    read_commune_boundary,
    read_grid_squares,
    read_iris_contours,
    read_iris_income,
    read_osm_streets,
    read_polling_stations,
    read_presidential_results,
    read_reu_addresses,
    read_station_contours,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FilePattern:
    """How to recognise one piece of the territory by its file name."""

    glob: str
    exclude: str | None = None


FILE_PATTERNS: dict[str, FilePattern] = {
    "iris_contours": FilePattern("iris_contours*.geojson"),
    "iris_income": FilePattern("iris_filosofi*.csv"),
    "grid_squares": FilePattern("filosofi*_carreaux200m*.geojson"),
    "polling_stations": FilePattern("reu_bureaux*.csv"),
    "station_contours": FilePattern("bureaux_vote_contours*.geojson"),
    # The long layout of the same results (one row per station and candidate) is not read.
    "presidential_results": FilePattern("elections_pres2022_t1_bv*.csv", exclude="*_long.csv"),
    "ban_addresses": FilePattern("ban_adresses*.csv"),
    "reu_addresses": FilePattern("reu_adresses*.csv"),
    "osm_streets": FilePattern("osm_highways*.geojson"),
    "commune_boundary": FilePattern("commune*.geojson"),
}
"""File name pattern of each field of TerritoryFiles."""


@dataclass(frozen=True)
class TerritoryFiles:
    """The path of each open-data file of a territory."""

    iris_contours: Path
    iris_income: Path
    grid_squares: Path
    polling_stations: Path
    station_contours: Path
    presidential_results: Path
    ban_addresses: Path
    reu_addresses: Path
    osm_streets: Path
    commune_boundary: Path

    @classmethod
    def discover(cls, folder: Path) -> "TerritoryFiles":
        """Find each file of the territory in ``folder`` by its name pattern.

        When several files match a pattern, the last in name order is taken, so that of
        dated exports such as ``osm_highways_bondy_2023-07-27.geojson`` the newest wins.
        Raises DataFileError(MISSING_FILE), naming the pattern, for a piece with no file.
        """
        if not folder.is_dir():
            raise DataFileError(folder.name, Problem.MISSING_FILE)
        names = sorted(path.name for path in folder.iterdir() if path.is_file())
        paths = {field: folder / _pick(names, pattern) for field, pattern in FILE_PATTERNS.items()}
        return cls(**paths)


@dataclass(frozen=True)
class TerritoryData:
    """Every record of a territory, as read from its files."""

    iris: tuple[IrisRecord, ...]
    iris_income: tuple[IrisIncome, ...]
    grid_squares: tuple[GridSquare, ...]
    polling_stations: tuple[PollingStationRecord, ...]
    station_contours: tuple[StationContour, ...]
    presidential_results: tuple[StationResult, ...]
    ban_addresses: tuple[AddressRecord, ...]
    reu_addresses: tuple[ElectorAddress, ...]
    osm_streets: tuple[StreetWayRecord, ...]
    commune_boundaries: tuple[CommuneBoundary, ...]


def read_territory(folder: Path) -> TerritoryData:
    """Find and read every file of the territory in ``folder``.

    Raises DataFileError for the first missing or invalid file.
    """
    files = TerritoryFiles.discover(folder)
    data = TerritoryData(
        iris=tuple(read_iris_contours(files.iris_contours)),
        iris_income=tuple(read_iris_income(files.iris_income)),
        grid_squares=tuple(read_grid_squares(files.grid_squares)),
        polling_stations=tuple(read_polling_stations(files.polling_stations)),
        station_contours=tuple(read_station_contours(files.station_contours)),
        presidential_results=tuple(read_presidential_results(files.presidential_results)),
        ban_addresses=tuple(read_ban_addresses(files.ban_addresses)),
        reu_addresses=tuple(read_reu_addresses(files.reu_addresses)),
        osm_streets=tuple(read_osm_streets(files.osm_streets)),
        commune_boundaries=tuple(read_commune_boundary(files.commune_boundary)),
    )
    logger.info("Read the territory files of %s", folder.name)
    return data


def _pick(names: list[str], pattern: FilePattern) -> str:
    matches = [
        name
        for name in names
        if fnmatch.fnmatchcase(name, pattern.glob)
        and not (pattern.exclude and fnmatch.fnmatchcase(name, pattern.exclude))
    ]
    if not matches:
        raise DataFileError(pattern.glob, Problem.MISSING_FILE)
    if len(matches) > 1:
        logger.warning("Files %s all match %s, reading %s", matches, pattern.glob, matches[-1])
    return matches[-1]
