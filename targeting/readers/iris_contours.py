"""IRIS contours (IGN and INSEE, CONTOURS-IRIS) as GeoJSON in WGS84."""

import logging
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from targeting.accents import restore_accents
from targeting.errors import Problem
from targeting.readers.fields import KeyTracker
from targeting.readers.geojsonfiles import GeoJson, area_geometry, read_features

logger = logging.getLogger(__name__)

CODE_IRIS = "CODE_IRIS"
INSEE_COM = "INSEE_COM"
NOM_IRIS = "NOM_IRIS"
TYP_IRIS = "TYP_IRIS"


class IrisKind(StrEnum):
    """INSEE's IRIS type, stored as its one-letter code."""

    HOUSING = "H"
    ACTIVITY = "A"
    MISCELLANEOUS = "D"
    UNDIVIDED_COMMUNE = "Z"


@dataclass(frozen=True)
class IrisRecord:
    """One IRIS with its polygon or multipolygon."""

    code: str
    name: str
    commune_code: str
    kind: IrisKind
    geometry: GeoJson


def read_iris_contours(path: Path) -> list[IrisRecord]:
    """Read the IRIS of a CONTOURS-IRIS GeoJSON export, one feature per IRIS."""
    records: list[IrisRecord] = []
    codes = KeyTracker()
    for feature in read_features(path):
        fields = feature.fields
        code = fields.iris_code(CODE_IRIS)
        commune_code = fields.commune_code(INSEE_COM)
        if not code.startswith(commune_code):
            raise fields.error(Problem.MALFORMED_CODE, CODE_IRIS)
        try:
            kind = IrisKind(fields.text(TYP_IRIS))
        except ValueError as error:
            raise fields.error(Problem.MALFORMED_CODE, TYP_IRIS) from error
        codes.add(code, fields, CODE_IRIS)
        records.append(
            IrisRecord(
                code=code,
                name=restore_accents(fields.text(NOM_IRIS)),
                commune_code=commune_code,
                kind=kind,
                geometry=area_geometry(feature),
            )
        )
    logger.info("Read %s IRIS from %s", len(records), path.name)
    return records
