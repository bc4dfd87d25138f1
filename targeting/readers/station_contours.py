"""Polling station contours as GeoJSON in WGS84, one feature per station."""

import logging
from dataclasses import dataclass
from pathlib import Path

from targeting.readers.fields import KeyTracker
from targeting.readers.geojsonfiles import GeoJson, area_geometry, read_features

logger = logging.getLogger(__name__)

ID_BV = "id_bv"


@dataclass(frozen=True)
class StationContour:
    """The area served by one polling station."""

    commune_code: str
    number: int
    geometry: GeoJson


def read_station_contours(path: Path) -> list[StationContour]:
    """Read polling station contours keyed by their ``id_bv`` property (``93010_1``).

    NOTE: the published contours are reconstructions from elector addresses and street
    blocks, not the legal boundaries, so a few electors sit outside their station.
    """
    records: list[StationContour] = []
    stations = KeyTracker()
    for feature in read_features(path):
        fields = feature.fields
        commune_code, number = fields.station_id(ID_BV)
        stations.add((commune_code, number), fields, ID_BV)
        records.append(StationContour(commune_code, number, area_geometry(feature)))
    logger.info("Read %s polling station contours from %s", len(records), path.name)
    return records
