"""French labels of the codes the planning shows: statuses, reasons, warnings, weights."""

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext, ngettext

from routing.assignment_types import LeftOutReason, ShortfallReason, WarningCode
from routing.assignment_weights import WeightName
from routing.status import SolveStatus
from webapp.models.planning import SessionStatus
from webapp.services.assignment import LockProblem
from webapp.services.planning_warnings import STARTS_SOON_WINDOW, ReformReason

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
    LeftOutReason.DAY_OFF: lazy_gettext(
        "a day off they entered cancels the slots that matched a session"
    ),
    LeftOutReason.TOO_FAR: lazy_gettext("every session they are free for is too far away"),
    LeftOutReason.TRAVEL_TOO_LONG: lazy_gettext(
        "every session they are free for is beyond their travel time"
    ),
    LeftOutReason.WEEKLY_CAP: lazy_gettext(
        "their number of sessions per week is zero or already reached"
    ),
    LeftOutReason.COMMITTED: lazy_gettext(
        "every session they are free for clashes with a session they are already on"
    ),
    LeftOutReason.PARTNER_ELSEWHERE: lazy_gettext(
        "the person they canvass with is placed on a session they cannot join"
    ),
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
UNDER_WAY = lazy_gettext("under way")


def session_status_label(status: str, starts_at: datetime, ends_at: datetime, now: datetime) -> str:
    """Name a session's status as people see it: a planned session may be under way or done."""
    if status == SessionStatus.PLANNED and starts_at <= now:
        return str(UNDER_WAY if now < ends_at else SESSION_STATUSES[SessionStatus.DONE])
    return str(SESSION_STATUSES.get(status, status))


def left_out_reason_label(reason: str) -> Any:
    """Return the label of a stored left-out reason, or the code itself when unknown."""
    return LEFT_OUT_REASONS.get(reason, reason)


SHORTFALL_REASONS: dict[str, Any] = {
    ShortfallReason.NO_ELIGIBLE_VOLUNTEER: lazy_gettext("no volunteer is free and close enough"),
    ShortfallReason.BELOW_MINIMUM: lazy_gettext("too few volunteers can come to reach the minimum"),
    ShortfallReason.VOLUNTEERS_BUSY: lazy_gettext(
        "the volunteers who could come are on another session at the same time"
    ),
    ShortfallReason.REST: lazy_gettext(
        "the volunteers who could come would not rest long enough between two sessions"
    ),
    ShortfallReason.WEEKLY_CAP: lazy_gettext(
        "the volunteers who could come have reached their number of sessions for the week"
    ),
    ShortfallReason.NOT_SELECTED: lazy_gettext(
        "enough volunteers were free, but other sessions came first"
    ),
}

PLAN_WARNINGS: dict[str, Any] = {
    WarningCode.TEAM_WITHOUT_EXPERIENCED: lazy_gettext("team without an experienced volunteer"),
    WarningCode.TEAM_WITHOUT_LANGUAGE: lazy_gettext(
        "team without a speaker of a language needed in this IRIS"
    ),
    WarningCode.PARTNER_APART: lazy_gettext(
        "canvasses without the person they asked to canvass with"
    ),
}

# Translators: the names and explanations of the planning weights a coordinator sets.
PLANNING_WEIGHTS: dict[str, tuple[Any, Any]] = {
    WeightName.TEAM: (
        lazy_gettext("Teams sent out"),
        lazy_gettext("Points for every team sent canvassing, whatever the neighbourhood."),
    ),
    WeightName.TARGET_SCORE: (
        lazy_gettext("Target score"),
        lazy_gettext(
            "Points per team for each point of the IRIS target score, so that teams go "
            "first where the score is high."
        ),
    ),
    WeightName.SESSION_OPENED: (
        lazy_gettext("Sessions held"),
        lazy_gettext("Points for every session that reaches its minimum and takes place."),
    ),
    WeightName.TRAVEL: (
        lazy_gettext("Travel"),
        lazy_gettext(
            "Points lost per kilometre between a volunteer’s home and the meeting point: "
            "along the streets for a walking time limit, as the crow flies otherwise."
        ),
    ),
    WeightName.FAIRNESS: (
        lazy_gettext("Fair share"),
        lazy_gettext(
            "Points lost for a volunteer’s second session, twice as many for the third, "
            "and so on, so that sessions are shared out."
        ),
    ),
    WeightName.STABILITY: (
        lazy_gettext("Stability"),
        lazy_gettext(
            "Points for every assignment of the previous plan that is kept, so that "
            "planning again moves as few people as possible."
        ),
    ),
    WeightName.EXPERIENCED: (
        lazy_gettext("Experienced volunteer in every team"),
        lazy_gettext("Points lost for every team without an experienced volunteer."),
    ),
    WeightName.PARTNER: (
        lazy_gettext("Chosen partners"),
        lazy_gettext(
            "Points lost each time a volunteer who asked to canvass with someone joins a "
            "session without them, when both could have come."
        ),
    ),
    WeightName.LANGUAGE: (
        lazy_gettext("Languages"),
        lazy_gettext(
            "Points lost for every team without a speaker of a language needed in the IRIS."
        ),
    ),
}

# Translators: what raising each planning weight does, shown under its explanation.
WEIGHT_EFFECTS: dict[str, Any] = {
    WeightName.TEAM: lazy_gettext(
        "Raise it to send out as many teams as possible, even where the target score is low."
    ),
    WeightName.TARGET_SCORE: lazy_gettext(
        "Raise it to send teams first to the IRIS with the highest score, even if fewer "
        "teams go out."
    ),
    WeightName.SESSION_OPENED: lazy_gettext(
        "Raise it to hold more sessions with fewer volunteers each, rather than fill a few."
    ),
    WeightName.TRAVEL: lazy_gettext(
        "Raise it to place volunteers closer to home, even on sessions with a lower score."
    ),
    WeightName.FAIRNESS: lazy_gettext(
        "Raise it to share sessions among more volunteers rather than give several to the "
        "same people."
    ),
    WeightName.STABILITY: lazy_gettext(
        "Raise it so that planning again changes fewer of the assignments already sent."
    ),
    WeightName.EXPERIENCED: lazy_gettext(
        "Raise it to put an experienced volunteer in every team, even if fewer teams go out."
    ),
    WeightName.PARTNER: lazy_gettext(
        "Raise it to keep chosen partners together, even on a session that is less useful."
    ),
    WeightName.LANGUAGE: lazy_gettext(
        "Raise it to send a speaker of the needed language with every team of the IRIS "
        "that need one."
    ),
}

LOCK_PROBLEMS: dict[str, Any] = {
    LockProblem.SESSION_NOT_PLANNED: lazy_gettext(
        "This session is no longer planned: it cannot take a manual choice."
    ),
    LockProblem.NOT_A_VOLUNTEER: lazy_gettext(
        "This person is not an active volunteer of the campaign."
    ),
    LockProblem.CLASHES_WITH_LOCK: lazy_gettext(
        "This volunteer is already pinned to a session too close in time."
    ),
    LockProblem.SESSION_FULL: lazy_gettext(
        "Every place of this session is already locked by hand: unlock a volunteer there first."
    ),
    LockProblem.SESSION_STARTED: lazy_gettext(
        "This session has begun: its teams are out and a planning run no longer changes it. "
        "Change its teams from its page: mark a team absent or move a volunteer left alone to "
        "another team."
    ),
}

# Reasons a planning run would form a session's teams again despite a change made on the day.
# The label of STARTS_SOON names the hours, so `reform_reason_label` builds it.
REFORM_REASONS: dict[str, Any] = {
    ReformReason.TEAM_JOINED: lazy_gettext("a volunteer left alone joined another team"),
    ReformReason.TEAM_MARKED_ABSENT: lazy_gettext("a team is marked absent"),
    ReformReason.UNDER_WAY: lazy_gettext("it has started, and no door is recorded yet"),
}


def reform_reason_label(reason: str) -> Any:
    """Return the label of a `ReformReason`, or the code itself when unknown."""
    if reason == ReformReason.STARTS_SOON:
        hours = int(STARTS_SOON_WINDOW.total_seconds() // 3600)
        return ngettext("it starts within %(num)s hour", "it starts within %(num)s hours", hours)
    return REFORM_REASONS.get(reason, reason)


def shortfall_reason_label(reason: str) -> Any:
    """Return the label of a session shortfall reason, or the code itself when unknown."""
    return SHORTFALL_REASONS.get(reason, reason)


def planning_weight_label(name: str) -> Any:
    """Return the short label of a planning weight, or its name when unknown."""
    label_and_meaning = PLANNING_WEIGHTS.get(name)
    return label_and_meaning[0] if label_and_meaning else name
