"""Changes of vehicle set by a feed's transfer rules, on top of the default ones.

By default a volunteer changes at one stop, or on foot between two stops close
together, and the change takes the scan's change time or the walk, whichever is longer
(see ``routing.transit``). A GTFS transfers.txt rule between two stops changes that:

- 0 (recommended) keeps the default;
- 1 (timed: the second vehicle waits for the first) lets a change at one stop take no
  time, and keeps the default between two stops;
- 2 sets the seconds the change takes, also between two stops too far apart for the
  default change on foot;
- 3 forbids the change, also at one stop.

A rule goes one way, from the stop where one alights to the stop where one boards.
"""

import math
from collections.abc import Sequence
from enum import IntEnum
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

# A change onto a vehicle at some stop, as (stop left, walking seconds, rule seconds).
# The walk is inf when the stops are too far apart for the default change on foot. The
# rule seconds are what a rule sets for the change (inf: not possible), None by default.
Change = tuple[int, float, float | None]
Changes = tuple[tuple[Change, ...], ...]


class TransferType(IntEnum):
    """The transfer_type values of GTFS transfers.txt."""

    RECOMMENDED = 0
    TIMED = 1
    MIN_TIME = 2
    NOT_POSSIBLE = 3


class TransferRule(NamedTuple):
    """A transfers.txt rule between stop indexes; `min_s` is read for `MIN_TIME` only."""

    from_stop: int
    to_stop: int
    kind: TransferType
    min_s: int | None = None


def rule_seconds(rule: TransferRule) -> float | None:
    """Return the seconds a change takes under `rule`, inf if forbidden, None if default."""
    if rule.kind == TransferType.NOT_POSSIBLE:
        return math.inf
    if rule.kind == TransferType.MIN_TIME:
        if rule.min_s is None or rule.min_s < 0:
            raise ValueError(
                f"invalid min_s {rule.min_s} for a minimum-time transfer: expected >= 0"
            )
        return float(rule.min_s)
    return None


def apply_transfer_rules(
    nearby: Sequence[Sequence[tuple[int, float]]], rules: Sequence[TransferRule]
) -> tuple[Changes, FloatArray]:
    """Return the changes onto each stop and the change seconds at each stop itself.

    `nearby` lists, per stop, the other stops close enough to change on foot and the
    walk to each; it is symmetric. In the second result, NaN means the scan's default
    change time applies, and inf that changing at that stop is not possible.
    """
    count = len(nearby)
    at_stop = np.full(count, np.nan)
    onto: list[dict[int, Change]] = [
        {other: (other, walk_s, None) for other, walk_s in near} for near in nearby
    ]
    for rule in rules:
        if not (0 <= rule.from_stop < count and 0 <= rule.to_stop < count):
            raise ValueError(f"invalid transfer rule {rule}: its stops must index the stops")
        seconds = rule_seconds(rule)
        if rule.from_stop == rule.to_stop:
            if rule.kind == TransferType.TIMED:
                seconds = 0.0
            at_stop[rule.to_stop] = np.nan if seconds is None else seconds
            continue
        changes = onto[rule.to_stop]
        near = rule.from_stop in changes
        # Types 0 and 1 keep the default, and a forbidden change between stops too far
        # apart has nothing to forbid.
        if seconds is None or (not near and seconds == math.inf):
            continue
        walk_s = changes[rule.from_stop][1] if near else math.inf
        changes[rule.from_stop] = (rule.from_stop, walk_s, seconds)
    return tuple(tuple(sorted(changes.values())) for changes in onto), at_stop
