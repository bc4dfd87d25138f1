"""Strict reading of GeoJSON FeatureCollection files in WGS84 longitude/latitude."""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
import shapely.geometry
from shapely.errors import GEOSException
from shapely.validation import explain_validity

from targeting.errors import DataFileError, Problem
from targeting.readers.fields import Fields
from targeting.readers.textfiles import decode_utf8

GeoJson = Mapping[str, Any]
"""A GeoJSON geometry object: ``{"type": ..., "coordinates": ...}``."""

GEOMETRY = "geometry"
_AREA_TYPES = frozenset({"Polygon", "MultiPolygon"})


@dataclass(frozen=True)
class Feature:
    """One feature: its properties as fields (line = 1-based feature index) and geometry."""

    fields: Fields
    geometry: GeoJson | None


def read_features(path: Path) -> list[Feature]:
    """Read the features of a UTF-8 GeoJSON FeatureCollection.

    Raises DataFileError on a missing, empty or non-UTF-8 file, on invalid JSON (with its
    physical line), on a document that is not a FeatureCollection and on a feature that
    is not a Feature object (with its 1-based index).
    """
    text = decode_utf8(path)
    if not text.strip():
        raise DataFileError(path.name, Problem.EMPTY_FILE)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise DataFileError(
            path.name, Problem.MALFORMED_GEOMETRY, line=error.lineno, value=error.msg
        ) from error

    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise DataFileError(path.name, Problem.MALFORMED_GEOMETRY, column="type")
    raw_features = document.get("features")
    if not isinstance(raw_features, list):
        raise DataFileError(path.name, Problem.MALFORMED_GEOMETRY, column="features")
    if not raw_features:
        raise DataFileError(path.name, Problem.EMPTY_FILE)
    return [_to_feature(path.name, index, raw) for index, raw in enumerate(raw_features, 1)]


def area_geometry(feature: Feature) -> GeoJson:
    """Return the feature's geometry if it is a valid, non-empty polygon or multipolygon.

    Raises DataFileError(MALFORMED_GEOMETRY) for another type, a broken structure or an
    invalid shape (self-intersection, unclosed ring), and MALFORMED_COORDINATE for a
    position outside the longitude and latitude ranges.
    """
    geometry = feature.geometry
    fields = feature.fields
    if geometry is None or geometry.get("type") not in _AREA_TYPES:
        kind = None if geometry is None else geometry.get("type")
        raise fields.error(Problem.MALFORMED_GEOMETRY, GEOMETRY, kind)
    shape = _to_shape(feature)
    check_positions(fields, shapely.get_coordinates(shape))
    if shape.is_empty or not shape.is_valid:
        raise fields.error(Problem.MALFORMED_GEOMETRY, GEOMETRY, explain_validity(shape))
    mapping: GeoJson = shapely.geometry.mapping(shape)
    return mapping


def line_parts(feature: Feature) -> list[tuple[tuple[float, float], ...]]:
    """Return the (lon, lat) positions of a LineString, or of each MultiLineString part.

    Returns an empty list for any other geometry type. Raises DataFileError for a line of
    fewer than two positions or a position out of range.
    """
    geometry = feature.geometry
    if geometry is None or geometry.get("type") not in ("LineString", "MultiLineString"):
        return []
    shape = _to_shape(feature)
    parts = list(shape.geoms) if isinstance(shape, shapely.MultiLineString) else [shape]
    lines: list[tuple[tuple[float, float], ...]] = []
    for part in parts:
        positions = shapely.get_coordinates(part)
        if len(positions) < 2:
            raise feature.fields.error(Problem.MALFORMED_GEOMETRY, GEOMETRY, part.wkt)
        check_positions(feature.fields, positions)
        lines.append(tuple((float(lon), float(lat)) for lon, lat in positions))
    return lines


def check_positions(fields: Fields, positions: np.ndarray[Any, np.dtype[np.float64]]) -> None:
    """Raise MALFORMED_COORDINATE unless every (lon, lat) row is finite and within range."""
    lon, lat = positions[:, 0], positions[:, 1]
    in_range = np.isfinite(positions).all(axis=1) & (np.abs(lon) <= 180.0) & (np.abs(lat) <= 90.0)
    if not in_range.all():
        bad_lon, bad_lat = positions[int(np.argmin(in_range))]
        raise fields.error(Problem.MALFORMED_COORDINATE, GEOMETRY, f"{bad_lon}, {bad_lat}")


def _to_shape(feature: Feature) -> shapely.Geometry:
    try:
        return shapely.geometry.shape(feature.geometry)
    except (GEOSException, ValueError, TypeError, KeyError, IndexError, AttributeError) as error:
        raise feature.fields.error(Problem.MALFORMED_GEOMETRY, GEOMETRY, str(error)) from error


def _to_feature(file_name: str, index: int, raw: object) -> Feature:
    if not isinstance(raw, dict) or raw.get("type") != "Feature":
        raise DataFileError(file_name, Problem.MALFORMED_GEOMETRY, line=index, column="type")
    properties = raw.get("properties") or {}
    geometry = raw.get(GEOMETRY)
    if not isinstance(properties, dict):
        raise DataFileError(file_name, Problem.MALFORMED_GEOMETRY, line=index, column="properties")
    if geometry is not None and not isinstance(geometry, dict):
        raise DataFileError(file_name, Problem.MALFORMED_GEOMETRY, line=index, column=GEOMETRY)
    return Feature(Fields(file_name, index, properties), geometry)
