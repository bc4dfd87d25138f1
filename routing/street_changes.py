"""A small cost on each move from a door of one street to a door of another.

A walk sheet lists the doors in walking order, grouped by street. Some walks go back
and forth between two streets at a corner, or leave a street and come back to it, to
save a few metres. Their lists split into many short groups that are hard to follow on
the pavement. Each move between doors of different streets therefore costs
``TurfProblem.street_change_m`` metres in the solver's objective, as a busy-road
crossing does (``routing.crossings``): the walk keeps a street's doors together unless
splitting them saves more. The penalty never counts in a route's length or time.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from routing.crossings import crossing_penalties
from routing.street_walks import StreetWalks

# Metres a walk may add to keep a street's doors in one group: about 17 seconds on foot.
# NOTE: 20 m was chosen by reading Bondy's walk sheets, not measured against a
# volunteer's time.
STREET_CHANGE_M = 20


def street_change_penalties(streets: Sequence[str | None], penalty_m: int) -> NDArray[np.int64]:
    """Return ``penalty_m`` between two points whose streets differ, 0 otherwise.

    A point without a street (None: the meeting point, the end, a team's position)
    changes nothing.
    """
    codes: dict[str, int] = {}
    ids = np.array(
        [-1 if street is None else codes.setdefault(street, len(codes)) for street in streets],
        dtype=np.int64,
    )
    named = ids >= 0
    differ = (ids[:, None] != ids[None, :]) & named[:, None] & named[None, :]
    penalties: NDArray[np.int64] = differ.astype(np.int64) * penalty_m
    return penalties


def move_penalties(
    walks: StreetWalks, streets: Sequence[str | None], street_change_m: int
) -> NDArray[np.int64]:
    """Return the objective's penalty for each move between the walks' points.

    ``streets`` gives each point's street (None for a point that is not a door). The
    penalty counts the busy roads crossed and, with ``street_change_m``, a change of
    street.
    """
    penalties = crossing_penalties(walks)
    if street_change_m:
        penalties += street_change_penalties(streets, street_change_m)
    return penalties
