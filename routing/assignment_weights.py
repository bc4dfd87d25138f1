"""Named weights of the assignment objective, which a coordinator may change.

Every weight is a non-negative integer number of objective points. With the defaults
and teams of two, one placed volunteer is worth about 1,000 points plus 10 per point of
the IRIS target score, as in earlier versions of the planner.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from enum import StrEnum

MAX_WEIGHT_POINTS = 1_000_000


class WeightName(StrEnum):
    """Name of one objective term, for which the web app shows a label and a sentence."""

    TEAM = "team"  # gained per team sent out, whatever the IRIS
    TARGET_SCORE = "target_score"  # gained per team and per point of target score (0-100)
    SESSION_OPENED = "session_opened"  # gained per session that reaches its minimum
    TRAVEL = "travel"  # lost per kilometre between home and meeting point (straight line)
    FAIRNESS = "fairness"  # lost for a 2nd session, twice for a 3rd, and so on
    STABILITY = "stability"  # gained per assignment of the previous plan kept
    EXPERIENCED = "experienced"  # lost per team without an experienced volunteer
    PARTNER = "partner"  # lost per session both friends could join that only one joins
    LANGUAGE = "language"  # lost per team without a speaker of a language the IRIS needs


@dataclass(frozen=True, slots=True)
class PlanningWeights:
    """Objective weights in points, named by the `WeightName` values."""

    team: int = 2000
    target_score: int = 20
    session_opened: int = 500
    travel: int = 10
    fairness: int = 300
    stability: int = 500
    experienced: int = 400
    partner: int = 1500
    language: int = 400

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if not isinstance(value, int) or not 0 <= value <= MAX_WEIGHT_POINTS:
                raise ValueError(
                    f"weight {item.name} must be an integer within 0..{MAX_WEIGHT_POINTS}"
                )

    def of(self, name: WeightName) -> int:
        """Return the weight with this name."""
        value: int = getattr(self, name.value)
        return value


def weights_with(base: PlanningWeights, overrides: Mapping[str, float]) -> PlanningWeights:
    """Return `base` with the named weights replaced, each rounded to an integer.

    Raises ValueError on an unknown name or a value that is not a finite number within
    0..MAX_WEIGHT_POINTS.
    """
    known = {name.value for name in WeightName}
    changes: dict[str, int] = {}
    for name, value in overrides.items():
        if name not in known:
            raise ValueError(f"unknown weight {name!r}")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"weight {name} must be a number")
        if not math.isfinite(value) or not 0 <= value <= MAX_WEIGHT_POINTS:
            raise ValueError(f"weight {name} must be within 0..{MAX_WEIGHT_POINTS}")
        changes[name] = round(value)
    return replace(base, **changes)
