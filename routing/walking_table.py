"""Walking distances along the streets between volunteers' homes and meeting points."""

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from routing.pair_table import check_pair_values, pair_shape


@dataclass(frozen=True, eq=False)
class WalkingTable:
    """Metres along the streets from volunteer v's home to session s's meeting point.

    `metres[v, s]` uses the positions of the volunteer and the session in the problem.
    Only the rows of volunteers with a walking-time limit are read.
    NaN means the streets give no value (the row was not computed, or the home or the
    meeting point is too far from any street), so the straight-line estimate applies.
    Infinity means no walk within the budget the table was built with.
    """

    metres: NDArray[np.float32]

    def __post_init__(self) -> None:
        check_pair_values(self.metres, "walking", "metres")

    @property
    def shape(self) -> tuple[int, int]:
        """Return (volunteers, sessions)."""
        return pair_shape(self.metres)
