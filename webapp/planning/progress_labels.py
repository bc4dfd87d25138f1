"""French labels of planning runs and re-planning: run statuses, errors, uncovered doors."""

from typing import Any

from flask_babel import force_locale, format_number, lazy_gettext, ngettext

from webapp.models.jobs import JobStatus
from webapp.planning.labels import SOLVE_STATUSES
from webapp.settings_access import get_settings

RUN_STATUSES: dict[str, Any] = {
    JobStatus.QUEUED: lazy_gettext("waiting for a worker"),
    JobStatus.RUNNING: lazy_gettext("running"),
    JobStatus.SUCCEEDED: lazy_gettext("done"),
    JobStatus.FAILED: lazy_gettext("failed"),
}

# Keys are the values of `webapp.services.planning.PlanningErrorCode`.
PLANNING_ERRORS: dict[str, Any] = {
    "campaign_not_found": lazy_gettext("The campaign no longer exists."),
    "no_sessions": lazy_gettext(
        "The campaign has no planned session: create one before running the planning."
    ),
    "timeout": lazy_gettext(
        "The planning took longer than its time limit and was stopped. Nothing was changed."
    ),
    "interrupted": lazy_gettext(
        "The planning stopped before the end and nothing was changed. Run it again."
    ),
    "queue_unavailable": lazy_gettext(
        "The planning could not be started: the job server does not answer. Try again in a "
        "moment, and tell the administrator if it goes on."
    ),
    "changed_during_run": lazy_gettext(
        "Sessions or their teams changed while the planning ran, so nothing was changed. "
        "Run it again."
    ),
    "unexpected": lazy_gettext(
        "The planning stopped on an unexpected error and nothing was changed. Run it again, "
        "and tell the administrator if it happens again."
    ),
}


# Keys are the values of `webapp.services.replanning.ReplanErrorCode`.
REPLAN_ERRORS: dict[str, Any] = {
    "session_not_planned": lazy_gettext("Only a planned session can be re-planned."),
    "session_over": lazy_gettext("The session is over: its routes can no longer change."),
    "unknown_team": lazy_gettext("This team is not in the session."),
    "team_already_absent": lazy_gettext("This team is already marked absent."),
    "team_not_absent": lazy_gettext("This team is not marked absent: there is nothing to undo."),
    "unknown_street": lazy_gettext("Choose a street of the IRIS from the list."),
    "street_not_closed": lazy_gettext("This street is not closed for this session."),
    "team_not_alone": lazy_gettext("This team does not have exactly one person still coming."),
    "no_other_team": lazy_gettext("No other team is coming to this session: find a partner."),
    "team_not_done": lazy_gettext("This team still has doors to visit."),
    "no_door_left": lazy_gettext("No door is left that this team has time for."),
}


def solve_status_label(status: str | None) -> Any:
    """Return the label of a stored solver status, or the code itself when unknown."""
    if not status:
        return ""
    return SOLVE_STATUSES.get(status, status)


def planning_error_label(code: str | None, solve_status: str | None = None) -> Any:
    """Return the message of a planning error code, in the current locale."""
    if code == "no_assignment":
        return lazy_gettext(
            "The assignment found no solution (%(status)s): the previous assignments are kept.",
            status=solve_status_label(solve_status),
        )
    return PLANNING_ERRORS.get(code or "", PLANNING_ERRORS["unexpected"])


def planning_error_text(code: str, solve_status: str | None = None) -> str:
    """Render the message of a planning error in the default locale, to store on a run."""
    with force_locale(get_settings().default_locale):
        return str(planning_error_label(code, solve_status))


def replan_error_label(code: str, solve_status: str | None = None) -> Any:
    """Return the message of a re-planning error code."""
    if code == "no_route":
        return lazy_gettext(
            "No route could be cut (%(status)s): the routes stay as they were.",
            status=solve_status_label(solve_status),
        )
    return REPLAN_ERRORS.get(code, code)


def uncovered_doors_text(reason: str, count: int) -> str:
    """Say how many doors a re-planning left off every route, and why.

    `reason` is a value of `webapp.services.replanning.UncoveredReason`. For a closed
    street or no team left, `count` covers every address of the IRIS on no route, as the
    list of closed streets does. For lack of time, it covers only the doors the routes
    had to visit before, and `unplanned_addresses_text` counts the others.
    """
    number = format_number(count)
    if reason == "street_closed":
        text = ngettext(
            "%(count)s door of the IRIS is not covered: its street is closed.",
            "%(count)s doors of the IRIS are not covered: their street is closed.",
            count,
            count=number,
        )
    elif reason == "out_of_time":
        text = ngettext(
            "%(count)s door the routes had to visit is left off, for lack of time.",
            "%(count)s doors the routes had to visit are left off, for lack of time.",
            count,
            count=number,
        )
    elif reason == "no_team":
        text = ngettext(
            "%(count)s door of the IRIS is not covered: no team is left to visit it.",
            "%(count)s doors of the IRIS are not covered: no team is left to visit them.",
            count,
            count=number,
        )
    else:
        raise ValueError(f"unknown reason for uncovered doors: {reason!r}")
    return str(text)


def unplanned_addresses_text(count: int) -> str:
    """Say how many addresses of the IRIS, on no session's route before, still fit no walk."""
    return str(
        ngettext(
            "%(count)s address of the IRIS, on no session's route, does not fit in the time left.",
            "%(count)s addresses of the IRIS, on no session's route, do not fit in the time left.",
            count,
            count=format_number(count),
        )
    )
