"""Polling stations from the REU bureaux table (INSEE, Répertoire électoral unique) as CSV."""

import logging
from dataclasses import dataclass
from pathlib import Path

from targeting.errors import Problem
from targeting.readers.csvfiles import read_csv
from targeting.readers.fields import Fields, KeyTracker

logger = logging.getLogger(__name__)

ID_BRUT_REU = "id_brut_reu"
CODE_COMMUNE = "code_commune"
LIBELLE_REU = "libelle_reu"
NUM_VOIE_REU = "num_voie_reu"
VOIE_REU = "voie_reu"
CP_REU = "cp_reu"
COMMUNE_REU = "commune_reu"


@dataclass(frozen=True)
class PollingStationRecord:
    """One polling station ("bureau de vote") and the place where it sits."""

    commune_code: str
    number: int
    name: str
    address: str


def read_polling_stations(path: Path) -> list[PollingStationRecord]:
    """Read the polling stations of the REU bureaux table, keyed by ``id_brut_reu``."""
    table = read_csv(
        path, [ID_BRUT_REU, CODE_COMMUNE, LIBELLE_REU, NUM_VOIE_REU, VOIE_REU, CP_REU, COMMUNE_REU]
    )
    records: list[PollingStationRecord] = []
    stations = KeyTracker()
    for fields in table.rows:
        commune_code, number = fields.station_id(ID_BRUT_REU)
        if commune_code != fields.commune_code(CODE_COMMUNE):
            raise fields.error(Problem.MALFORMED_CODE, ID_BRUT_REU)
        stations.add((commune_code, number), fields, ID_BRUT_REU)
        records.append(
            PollingStationRecord(
                commune_code=commune_code,
                number=number,
                name=fields.text(LIBELLE_REU),
                address=_address(fields),
            )
        )
    logger.info("Read %s polling stations from %s", len(records), path.name)
    return records


def _address(fields: Fields) -> str:
    # The REU often leaves num_voie_reu empty and writes the number inside voie_reu.
    street = " ".join(f"{fields.text(NUM_VOIE_REU)} {fields.text(VOIE_REU)}".split())
    town = " ".join(f"{fields.text(CP_REU)} {fields.text(COMMUNE_REU)}".split())
    return ", ".join(part for part in (street, town) if part)
