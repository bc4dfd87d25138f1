"""French labels of the codes the planning shows: statuses and left-out reasons."""

from typing import Any

from flask_babel import lazy_gettext

from routing.assignment_types import LeftOutReason
from routing.status import SolveStatus
from webapp.models.planning import SessionStatus

SOLVE_STATUSES: dict[str, Any] = {
    SolveStatus.OPTIMAL: lazy_gettext("optimal"),
    SolveStatus.FEASIBLE: lazy_gettext("feasible, possibly not the best one"),
    SolveStatus.INFEASIBLE: lazy_gettext("impossible with the locked choices"),
    SolveStatus.NO_SOLUTION_FOUND: lazy_gettext("no solution found within the time limit"),
    SolveStatus.MODEL_INVALID: lazy_gettext("invalid model"),
    SolveStatus.EMPTY: lazy_gettext("nothing to plan"),
}

LEFT_OUT_REASONS: dict[str, Any] = {
    LeftOutReason.NO_HOME: lazy_gettext("no home address, so no distance can be checked"),
    LeftOutReason.NO_AVAILABILITY: lazy_gettext("available at the time of no session"),
    LeftOutReason.TOO_FAR: lazy_gettext("every session they are free for is too far away"),
    LeftOutReason.NO_PARTNER: lazy_gettext("no partner to form a team with"),
    LeftOutReason.SESSIONS_FULL: lazy_gettext(
        "the sessions they could join are full or lack volunteers"
    ),
    LeftOutReason.NOT_SELECTED: lazy_gettext("not placed before the solver's time limit"),
}

SESSION_STATUSES: dict[str, Any] = {
    SessionStatus.PLANNED: lazy_gettext("planned"),
    SessionStatus.CANCELLED: lazy_gettext("cancelled"),
    SessionStatus.DONE: lazy_gettext("done"),
}


def left_out_reason_label(reason: str) -> Any:
    """Return the label of a stored left-out reason, or the code itself when unknown."""
    return LEFT_OUT_REASONS.get(reason, reason)
