"""Every code the planning can show has a French label."""

import pytest
from flask import Flask

from routing.assignment_types import LeftOutReason
from routing.assignment_weights import WeightName
from routing.status import SolveStatus
from webapp.models.planning import SessionStatus
from webapp.planning.labels import (
    LEFT_OUT_REASONS,
    LOCK_PROBLEMS,
    PLANNING_WEIGHTS,
    SESSION_STATUSES,
    SOLVE_STATUSES,
    WEIGHT_EFFECTS,
    left_out_reason_label,
    planning_weight_label,
)
from webapp.services.assignment import LockProblem


@pytest.mark.parametrize(
    ("labels", "codes"),
    [
        (LEFT_OUT_REASONS, LeftOutReason),
        (SOLVE_STATUSES, SolveStatus),
        (SESSION_STATUSES, SessionStatus),
        (PLANNING_WEIGHTS, WeightName),
        (WEIGHT_EFFECTS, WeightName),
        (LOCK_PROBLEMS, LockProblem),
    ],
)
def test_every_code_has_a_label(labels: dict[str, object], codes: type) -> None:
    assert set(labels) == {code.value for code in codes}


def test_reason_label_translated_or_raw(app: Flask) -> None:
    with app.test_request_context():
        assert (
            str(left_out_reason_label("too_far"))
            == "toutes les sessions où la personne est libre sont trop loin"
        )
        assert left_out_reason_label("moved_away") == "moved_away"


def test_weight_label_translated_or_raw(app: Flask) -> None:
    with app.test_request_context():
        assert str(planning_weight_label("travel")) == "Trajet"
        assert planning_weight_label("speed") == "speed"
