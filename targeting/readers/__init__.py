"""Readers for the open-data files of a territory, one module per kind of file.

Every reader takes a ``Path``, validates the whole file and returns frozen records, or
raises ``targeting.errors.DataFileError`` at the first problem.
"""

from targeting.readers.ban_addresses import AddressRecord, read_ban_addresses
from targeting.readers.commune_boundary import CommuneBoundary, read_commune_boundary
from targeting.readers.geojsonfiles import GeoJson
from targeting.readers.grid_squares import GridSquare, read_grid_squares
from targeting.readers.iris_contours import IrisKind, IrisRecord, read_iris_contours
from targeting.readers.iris_income import IrisIncome, read_iris_income
from targeting.readers.osm_streets import StreetWayRecord, is_walkable, read_osm_streets
from targeting.readers.polling_stations import PollingStationRecord, read_polling_stations
from targeting.readers.presidential_results import StationResult, read_presidential_results
from targeting.readers.reu_addresses import ElectorAddress, read_reu_addresses
from targeting.readers.station_contours import StationContour, read_station_contours

__all__ = [
    "AddressRecord",
    "CommuneBoundary",
    "ElectorAddress",
    "GeoJson",
    "GridSquare",
    "IrisIncome",
    "IrisKind",
    "IrisRecord",
    "PollingStationRecord",
    "StationContour",
    "StationResult",
    "StreetWayRecord",
    "is_walkable",
    "read_ban_addresses",
    "read_commune_boundary",
    "read_grid_squares",
    "read_iris_contours",
    "read_iris_income",
    "read_osm_streets",
    "read_polling_stations",
    "read_presidential_results",
    "read_reu_addresses",
    "read_station_contours",
]
