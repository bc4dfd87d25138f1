"""INSEE Filosofi 200 m grid squares ("données carroyées") as GeoJSON in WGS84."""

import logging
from dataclasses import dataclass
from pathlib import Path

from targeting.readers.fields import KeyTracker
from targeting.readers.geojsonfiles import GeoJson, area_geometry, read_features

logger = logging.getLogger(__name__)

ID_INSPIRE = "IdINSPIRE"
DEPCOM = "Depcom"
IND = "Ind"
MEN = "Men"
MEN_PAUV = "Men_pauv"
MEN_PROP = "Men_prop"
LOG_SOC = "Log_soc"
MEN_COLL = "Men_coll"


@dataclass(frozen=True)
class GridSquare:
    """One 200 m square with its counts.

    The counts are decimals because INSEE imputes the figures of squares with few
    households from their neighbours.
    """

    inspire_id: str
    commune_code: str
    individuals: float
    households: float
    poor_households: float
    owner_households: float
    social_housing: float
    collective_households: float
    geometry: GeoJson


def read_grid_squares(path: Path) -> list[GridSquare]:
    """Read the 200 m squares of a Filosofi grid export (2015 column names)."""
    records: list[GridSquare] = []
    ids = KeyTracker()
    for feature in read_features(path):
        fields = feature.fields
        inspire_id = fields.required_text(ID_INSPIRE)
        ids.add(inspire_id, fields, ID_INSPIRE)
        records.append(
            GridSquare(
                inspire_id=inspire_id,
                commune_code=fields.commune_code(DEPCOM),
                individuals=fields.amount(IND),
                households=fields.amount(MEN),
                poor_households=fields.amount(MEN_PAUV),
                owner_households=fields.amount(MEN_PROP),
                social_housing=fields.amount(LOG_SOC),
                collective_households=fields.amount(MEN_COLL),
                geometry=area_geometry(feature),
            )
        )
    logger.info("Read %s grid squares from %s", len(records), path.name)
    return records
