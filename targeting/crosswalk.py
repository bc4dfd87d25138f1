"""Crosswalk between polling stations and IRIS, from the geocoded electoral roll."""

import logging
from collections import Counter
from collections.abc import Sequence

from targeting.placement import locate_points
from targeting.readers import ElectorAddress, IrisRecord

logger = logging.getLogger(__name__)


def count_station_addresses(
    addresses: Sequence[ElectorAddress], iris: Sequence[IrisRecord]
) -> dict[tuple[int, str], int]:
    """Count the REU addresses of each (station number, IRIS code) pair.

    Each geocoded point counts for the raw REU addresses merged into it
    (``elector_address_count``). Points that lie in no IRIS are left out and logged.
    """
    located = locate_points(
        [(address.lon, address.lat) for address in addresses],
        [(record.code, record.geometry) for record in iris],
    )
    counts: Counter[tuple[int, str]] = Counter()
    outside = 0
    for address, iris_code in zip(addresses, located, strict=True):
        if iris_code is None:
            outside += 1
            continue
        counts[(address.station_number, iris_code)] += address.elector_address_count
    if outside:
        logger.info("%s of %s REU addresses lie in no IRIS", outside, len(addresses))
    return dict(counts)
