"""Dwellings behind each address, estimated from the Filosofi 200 m grid.

A canvasser knocks on every dwelling of a block of flats, so a route's time depends on
dwellings, not addresses. The BAN gives no dwelling count, so each address receives an
equal share of the households of the 200 m square it lies in:
``dwellings = max(1, round(households of the square / addresses in the square))``.
An address in no square, or in a square without households, counts as one dwelling.
"""

from collections import Counter
from collections.abc import Sequence

from targeting.placement import locate_points
from targeting.readers import GridSquare

# NOTE: the equal share spreads a square's flats over its houses as well, so a house
# next to a block of flats is overestimated until a field value replaces the estimate.


def estimate_dwellings(
    points: Sequence[tuple[float, float]], squares: Sequence[GridSquare]
) -> list[int]:
    """Return the estimated dwellings of each (lon, lat) address point, in input order."""
    located = locate_points(points, [(square.inspire_id, square.geometry) for square in squares])
    households = {square.inspire_id: square.households for square in squares}
    addresses_per_square = Counter(square_id for square_id in located if square_id is not None)
    estimates = []
    for square_id in located:
        if square_id is None or households[square_id] <= 0:
            estimates.append(1)
            continue
        estimates.append(max(1, round(households[square_id] / addresses_per_square[square_id])))
    return estimates
