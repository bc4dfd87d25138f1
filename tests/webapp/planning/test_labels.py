"""Every code the planning can show has a French label."""

from datetime import UTC, datetime, timedelta

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
    REFORM_REASONS,
    SESSION_STATUSES,
    SOLVE_STATUSES,
    WEIGHT_EFFECTS,
    left_out_reason_label,
    planning_weight_label,
    reform_reason_label,
    session_status_label,
)
from webapp.services.assignment import LockProblem
from webapp.services.planning_warnings import ReformReason


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


def test_every_reform_reason_has_a_label(app: Flask) -> None:
    # The label of STARTS_SOON names the window's hours, so a function builds it.
    assert set(REFORM_REASONS) == {r.value for r in ReformReason} - {ReformReason.STARTS_SOON}
    with app.test_request_context():
        assert str(reform_reason_label("starts_soon")) == "elle commence dans moins de 3 heures"
        assert str(reform_reason_label("team_joined")) == (
            "une personne seule a rejoint une autre équipe"
        )
        assert reform_reason_label("moved_away") == "moved_away"


def test_weight_label_translated_or_raw(app: Flask) -> None:
    with app.test_request_context():
        assert str(planning_weight_label("travel")) == "Trajet"
        assert planning_weight_label("speed") == "speed"


# A session from 10:00 to 12:00 UTC on Saturday 6 March 2027.
STARTS_AT = datetime(2027, 3, 6, 10, tzinfo=UTC)
ENDS_AT = STARTS_AT + timedelta(hours=2)


@pytest.mark.parametrize(
    ("status", "now", "expected"),
    [
        (SessionStatus.PLANNED, STARTS_AT - timedelta(minutes=1), "prévue"),
        (SessionStatus.PLANNED, STARTS_AT, "en cours"),
        (SessionStatus.PLANNED, ENDS_AT - timedelta(minutes=1), "en cours"),
        (SessionStatus.PLANNED, ENDS_AT, "terminée"),
        (SessionStatus.CANCELLED, STARTS_AT, "annulée"),
        (SessionStatus.DONE, STARTS_AT - timedelta(days=1), "terminée"),
    ],
)
def test_session_status_label(
    app: Flask, status: SessionStatus, now: datetime, expected: str
) -> None:
    with app.test_request_context():
        assert session_status_label(status, STARTS_AT, ENDS_AT, now) == expected
