"""Door-to-door public transport minutes between volunteers' homes and meeting points."""

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from routing.pair_table import check_pair_values, pair_shape


@dataclass(frozen=True, eq=False)
class TransitTable:
    """Minutes from volunteer v's home to session s's meeting point by public transport.

    `minutes[v, s]` uses the positions of the volunteer and the session in the problem:
    the time from leaving home to the session's start, arriving no later than the start
    (see ``routing.transit``). Only the rows of volunteers with a transit-time limit are
    read. NaN means no timetable covers the session's day, or the row was not computed,
    so the straight-line estimate applies.
    """

    minutes: NDArray[np.float32]

    def __post_init__(self) -> None:
        check_pair_values(self.minutes, "transit", "minutes")

    @property
    def shape(self) -> tuple[int, int]:
        """Return (volunteers, sessions)."""
        return pair_shape(self.minutes)
