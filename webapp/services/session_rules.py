"""The rules a new canvassing session must follow, each checked on its own.

Each rule returns the errors it finds, so that the form can check the rules whose fields
it could read while other fields are still wrong, and show every error at once.
"""

import math
from datetime import date, time

from shapely.geometry import shape
from sqlalchemy.orm import Session

from webapp.models import Iris
from webapp.services.errors import ValidationError

# A point given by its coordinates must lie within this distance of the bounding box of
# the session's IRIS. A meeting point across the IRIS's border or a nearby station is
# fine, and a point in another town is a slip of the map or of the keyboard.
POINT_MARGIN_M = 2_000
METRES_PER_DEGREE_LAT = 111_320.0


def check_day(day: date, today: date) -> list[ValidationError]:
    """Check that a session is planned for today or later (both days in Europe/Paris)."""
    return [ValidationError("day", "in_the_past")] if day < today else []


def check_times(start: time, end: time) -> list[ValidationError]:
    return [ValidationError("end", "end_before_start")] if end <= start else []


def check_bounds(min_volunteers: int, max_volunteers: int) -> list[ValidationError]:
    if 2 <= min_volunteers <= max_volunteers:
        return []
    return [ValidationError("max_volunteers", "bad_bounds")]


def check_point(
    session: Session, field: str, iris_code: str, lon: float, lat: float
) -> list[ValidationError]:
    """Check a point typed as coordinates: valid degrees, near the session's IRIS.

    An unknown IRIS is reported by the IRIS rule, so it gives no error here.
    """
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return [ValidationError(field, "bad_coordinate")]
    iris = session.get(Iris, iris_code)
    if iris is None or is_near_iris(iris, lon, lat):
        return []
    return [ValidationError(field, "far_from_iris")]


def is_near_iris(iris: Iris, lon: float, lat: float) -> bool:
    """Tell whether the point lies in the IRIS's bounding box widened by `POINT_MARGIN_M`."""
    west, south, east, north = shape(iris.geometry).bounds
    margin_lat = POINT_MARGIN_M / METRES_PER_DEGREE_LAT
    widest_lat = max(abs(south), abs(north))
    margin_lon = margin_lat / max(math.cos(math.radians(widest_lat)), 0.01)
    return bool(
        west - margin_lon <= lon <= east + margin_lon
        and south - margin_lat <= lat <= north + margin_lat
    )
