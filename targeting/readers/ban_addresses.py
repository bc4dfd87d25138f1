"""Street addresses from the Base Adresse Nationale (BAN), in its standard CSV layout."""

import logging
from dataclasses import dataclass
from pathlib import Path

from targeting.accents import restore_accents
from targeting.names import repair_double_encoding
from targeting.readers.csvfiles import read_csv
from targeting.readers.fields import KeyTracker

logger = logging.getLogger(__name__)

ID = "id"
NUMERO = "numero"
REP = "rep"
NOM_VOIE = "nom_voie"
CODE_POSTAL = "code_postal"
CODE_INSEE = "code_insee"
LON = "lon"
LAT = "lat"


@dataclass(frozen=True)
class AddressRecord:
    """One BAN address: a house number on a street, or a street without number."""

    ban_id: str
    number: int | None
    suffix: str | None
    """Repetition index such as ``bis`` or ``ter``."""
    street: str
    postcode: str
    commune_code: str
    lon: float
    lat: float


def read_ban_addresses(path: Path) -> list[AddressRecord]:
    """Read the addresses of a BAN export, keyed by their BAN ``id``."""
    table = read_csv(path, [ID, NUMERO, REP, NOM_VOIE, CODE_POSTAL, CODE_INSEE, LON, LAT])
    records: list[AddressRecord] = []
    ids = KeyTracker()
    for fields in table.rows:
        ban_id = fields.required_text(ID)
        ids.add(ban_id, fields, ID)
        records.append(
            AddressRecord(
                ban_id=ban_id,
                number=fields.optional_count(NUMERO),
                suffix=fields.optional_text(REP),
                street=restore_accents(repair_double_encoding(fields.text(NOM_VOIE))),
                postcode=fields.postcode(CODE_POSTAL),
                commune_code=fields.commune_code(CODE_INSEE),
                lon=fields.longitude(LON),
                lat=fields.latitude(LAT),
            )
        )
    logger.info("Read %s BAN addresses from %s", len(records), path.name)
    return records
