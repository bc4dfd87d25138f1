"""Households per IRIS, estimated from the Filosofi 200 m grid."""

from collections.abc import Sequence

import shapely
import shapely.geometry

from targeting.placement import locate_points
from targeting.readers import GridSquare, IrisRecord


def households_per_iris(
    squares: Sequence[GridSquare], iris: Sequence[IrisRecord]
) -> dict[str, float]:
    """Sum the households of the squares whose centroid lies in each IRIS.

    Every IRIS of ``iris`` gets an entry, 0.0 when no square falls in it. Squares whose
    centroid is in no IRIS (those of neighbouring communes) are left out.
    NOTE: a square straddling a border counts whole in one IRIS, so small IRIS are
    estimated roughly, and one with no square centroid gets 0 even if people live there.
    """
    centroids = [shapely.geometry.shape(square.geometry).centroid for square in squares]
    located = locate_points(
        [(point.x, point.y) for point in centroids],
        [(record.code, record.geometry) for record in iris],
    )
    totals = {record.code: 0.0 for record in iris}
    for square, iris_code in zip(squares, located, strict=True):
        if iris_code is not None:
            totals[iris_code] += square.households
    return totals
