"""Every code the planning can show has a French label."""

import pytest
from flask import Flask

from routing.assignment_types import LeftOutReason
from routing.status import SolveStatus
from webapp.models.planning import SessionStatus
from webapp.planning.labels import (
    LEFT_OUT_REASONS,
    SESSION_STATUSES,
    SOLVE_STATUSES,
    left_out_reason_label,
)


@pytest.mark.parametrize(
    ("labels", "codes"),
    [
        (LEFT_OUT_REASONS, LeftOutReason),
        (SOLVE_STATUSES, SolveStatus),
        (SESSION_STATUSES, SessionStatus),
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
