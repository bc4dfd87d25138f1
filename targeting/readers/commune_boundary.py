"""Commune boundaries (IGN ADMIN EXPRESS) as GeoJSON in WGS84."""

import logging
from dataclasses import dataclass
from pathlib import Path

from targeting.readers.fields import KeyTracker
from targeting.readers.geojsonfiles import GeoJson, area_geometry, read_features

logger = logging.getLogger(__name__)

INSEE_COM = "INSEE_COM"
NOM_COM = "NOM_COM"


@dataclass(frozen=True)
class CommuneBoundary:
    """The boundary of one commune."""

    commune_code: str
    name: str
    geometry: GeoJson


def read_commune_boundary(path: Path) -> list[CommuneBoundary]:
    """Read the boundary of each commune of the territory, one feature per commune."""
    records: list[CommuneBoundary] = []
    communes = KeyTracker()
    for feature in read_features(path):
        fields = feature.fields
        commune_code = fields.commune_code(INSEE_COM)
        communes.add(commune_code, fields, INSEE_COM)
        records.append(CommuneBoundary(commune_code, fields.text(NOM_COM), area_geometry(feature)))
    logger.info("Read %s commune boundaries from %s", len(records), path.name)
    return records
