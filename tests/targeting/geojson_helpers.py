"""Small GeoJSON builders for hand-made test files."""

import json
from typing import Any


def square(lon: float, lat: float, size: float = 1.0) -> dict[str, Any]:
    """Return a GeoJSON polygon: the square with lower-left corner (lon, lat)."""
    ring = [
        [lon, lat],
        [lon + size, lat],
        [lon + size, lat + size],
        [lon, lat + size],
        [lon, lat],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def feature(properties: dict[str, Any], geometry: dict[str, Any] | None) -> dict[str, Any]:
    """Return a GeoJSON feature."""
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def collection(*features: dict[str, Any]) -> str:
    """Return the text of a FeatureCollection, one feature per line."""
    lines = ",\n".join(json.dumps(item, ensure_ascii=False) for item in features)
    return '{"type": "FeatureCollection", "features": [\n' + lines + "\n]}\n"
