"""Walkable streets and paths from an OpenStreetMap Overpass export in GeoJSON."""

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from targeting.errors import Problem
from targeting.readers.geojsonfiles import line_parts, read_features

logger = logging.getLogger(__name__)

OSM_ID = "@id"
HIGHWAY = "highway"
NAME = "name"
FOOT = "foot"
ACCESS = "access"

_OSM_ID_RE = re.compile(r"(?:way|relation)/[0-9]+")

# Pedestrians may not use motorways in France, and the other values are ways that are
# not built yet, no longer exist or are not roads for people.
_NOT_WALKABLE_HIGHWAYS = frozenset(
    {
        "motorway",
        "motorway_link",
        "construction",
        "proposed",
        "abandoned",
        "disused",
        "razed",
        "raceway",
        "bus_guideway",
    }
)
_CLOSED_ACCESS = frozenset({"private", "no"})
_FOOT_ALLOWED = frozenset({"yes", "designated", "permissive"})


@dataclass(frozen=True)
class StreetWayRecord:
    """One walkable OSM way, or one part of a multi-line relation."""

    osm_id: str
    """OSM type and id, such as ``way/4035627``."""
    name: str | None
    highway: str
    coordinates: tuple[tuple[float, float], ...]
    """(lon, lat) positions in the way's order."""


def is_walkable(tags: Mapping[str, object]) -> bool:
    """Tell whether a pedestrian may walk along a way with these OSM tags.

    A trunk road counts as walkable unless it is tagged ``foot=no``. A ``foot`` tag that
    allows walking overrides ``access=private`` or ``access=no``, as in OSM's own rules
    where the more specific transport mode wins.
    """
    highway = tags.get(HIGHWAY)
    if not isinstance(highway, str) or highway in _NOT_WALKABLE_HIGHWAYS:
        return False
    foot = tags.get(FOOT)
    if foot == "no":
        return False
    return tags.get(ACCESS) not in _CLOSED_ACCESS or foot in _FOOT_ALLOWED


def read_osm_streets(path: Path) -> list[StreetWayRecord]:
    """Read the walkable line features of an Overpass export, one record per line part.

    Points (crossings, bus stops) and polygons (pedestrian areas) are skipped.
    """
    # TODO: pedestrian areas (highway=pedestrian polygons) are walkable squares that
    # routing could cross; they are dropped until the street graph can use them.
    records: list[StreetWayRecord] = []
    skipped = 0
    for feature in read_features(path):
        fields = feature.fields
        if not is_walkable(fields.values):
            skipped += 1
            continue
        parts = line_parts(feature)
        if not parts:
            skipped += 1
            continue
        osm_id = fields.text(OSM_ID)
        if _OSM_ID_RE.fullmatch(osm_id) is None:
            raise fields.error(Problem.MALFORMED_CODE, OSM_ID)
        highway = fields.text(HIGHWAY)
        name = fields.optional_text(NAME) if NAME in fields.values else None
        records.extend(StreetWayRecord(osm_id, name, highway, part) for part in parts)
    logger.info(
        "Read %s walkable ways from %s, skipped %s other features", len(records), path.name, skipped
    )
    return records
