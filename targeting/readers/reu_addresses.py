"""Geocoded elector addresses per polling station (INSEE, REU addresses table) as CSV."""

import logging
from dataclasses import dataclass
from pathlib import Path

from targeting.errors import Problem
from targeting.readers.csvfiles import read_csv

logger = logging.getLogger(__name__)

CODE_COMMUNE_REF = "code_commune_ref"
ID_BRUT_BV_REU = "id_brut_bv_reu"
ID_BAN = "id_ban"
LONGITUDE = "longitude"
LATITUDE = "latitude"
NB_ADRESSES = "nb_adresses"


@dataclass(frozen=True)
class ElectorAddress:
    """One geocoded point of the electoral roll and the polling station of its electors."""

    ban_id: str | None
    """BAN id of the house number, or of the street when only the street was matched."""
    commune_code: str
    station_number: int
    lon: float
    lat: float
    elector_address_count: int
    """Raw REU addresses merged into this point: a count of addresses, not of electors."""


def read_reu_addresses(path: Path) -> list[ElectorAddress]:
    """Read the geocoded REU addresses with their polling station.

    Several rows may share a BAN id (a street matched without a house number), so the
    BAN id is not a key here.
    """
    table = read_csv(
        path, [CODE_COMMUNE_REF, ID_BRUT_BV_REU, ID_BAN, LONGITUDE, LATITUDE, NB_ADRESSES]
    )
    records: list[ElectorAddress] = []
    for fields in table.rows:
        commune_code, number = fields.station_id(ID_BRUT_BV_REU)
        if commune_code != fields.commune_code(CODE_COMMUNE_REF):
            raise fields.error(Problem.MALFORMED_CODE, ID_BRUT_BV_REU)
        records.append(
            ElectorAddress(
                ban_id=fields.optional_text(ID_BAN),
                commune_code=commune_code,
                station_number=number,
                lon=fields.longitude(LONGITUDE),
                lat=fields.latitude(LATITUDE),
                elector_address_count=fields.count(NB_ADRESSES),
            )
        )
    logger.info("Read %s REU addresses from %s", len(records), path.name)
    return records
