"""The one flashed message that sums up a re-planning for the coordinator.

Its first line states what was done. The lines listed under it give the routes' new door
count, the teams that got other doors to visit, the doors no route covers and why, and
the notices that go out. `base.html` renders a flashed mapping as such a list.
"""

from datetime import timedelta
from typing import TypedDict

from babel.lists import format_list
from flask import flash
from flask_babel import format_number, get_locale, ngettext
from flask_babel import gettext as _

from webapp.models import Message
from webapp.planning.progress_labels import uncovered_doors_text, unplanned_addresses_text
from webapp.services.replanning import ReplanReport, UncoveredReason
from webapp.services.route_notice_state import ROUTE_NOTICE_HOLD
from webapp.services.route_notices import RouteNotices


class FlashSummary(TypedDict):
    """A flashed message with lines listed under it, stored as JSON in the session cookie."""

    text: str
    details: list[str]


def flash_replan_summary(done_message: str, report: ReplanReport, notices: RouteNotices) -> None:
    """Flash one success message: `done_message`, then the report's and the notices' lines."""
    summary: FlashSummary = {
        "text": done_message,
        "details": [*replan_report_lines(report), *notice_lines(notices)],
    }
    # Flask keeps any value its session serializer takes, though `flash` is typed for str.
    flash(summary, "success")  # type: ignore[arg-type]


def replan_report_lines(report: ReplanReport) -> list[str]:
    """Return what a re-planning kept, routed, changed and left uncovered, one line each."""
    lines = [_routed_line(report)]
    change = _change_line(report.routed_door_count - report.routed_before_count)
    if change:
        lines.append(change)
    changed_teams = changed_teams_line(report)
    if changed_teams:
        lines.append(changed_teams)
    for reason in UncoveredReason:
        planned = True if reason == UncoveredReason.OUT_OF_TIME else None
        count = report.uncovered_count(reason, planned=planned)
        if count:
            lines.append(uncovered_doors_text(reason, count))
    unplanned = report.uncovered_count(UncoveredReason.OUT_OF_TIME, planned=False)
    if unplanned:
        lines.append(unplanned_addresses_text(unplanned))
    return lines


def changed_teams_line(report: ReplanReport) -> str | None:
    """Name the teams whose doors to visit changed, in a list as the locale writes one.

    A team the re-planning left without a walk is never named, so when it had doors to
    visit, the line speaks of the other teams only. When no team walks any more, there
    is no line, and the uncovered doors' line states that no team is left.
    """
    teams = [str(change.team) for change in report.changed_routes]
    if teams:
        return str(
            ngettext(
                "Route changed: team %(teams)s.",
                "Routes changed: teams %(teams)s.",
                len(teams),
                teams=format_list(teams, locale=get_locale() or "fr"),
            )
        )
    if not report.removed_door_count:
        return str(_("Doors to visit unchanged for every team."))
    if report.walks:
        return str(_("Doors to visit unchanged for the other teams."))
    return None


def notice_lines(notices: RouteNotices) -> list[str]:
    """Say how many held notices were withdrawn and how many volunteers will get one."""
    lines = []
    withdrawn_count = _count_recipients(notices.withdrawn)
    if withdrawn_count:
        withdrawn = ngettext(
            "The notice of the previous change to %(count)s volunteer had not gone out"
            " yet: it is withdrawn.",
            "The notices of the previous change to %(count)s volunteers had not gone out"
            " yet: they are withdrawn.",
            withdrawn_count,
            count=format_number(withdrawn_count),
        )
        lines.append(str(withdrawn))
    recipient_count = _count_recipients(notices.queued)
    if recipient_count:
        queued = ngettext(
            "%(count)s volunteer will be notified of the change by SMS or e-mail in"
            " %(minutes)s minutes.",
            "%(count)s volunteers will be notified of the change by SMS or e-mail in"
            " %(minutes)s minutes.",
            recipient_count,
            count=format_number(recipient_count),
            minutes=format_number(ROUTE_NOTICE_HOLD // timedelta(minutes=1)),
        )
        lines.append(str(queued))
    return lines


def _routed_line(report: ReplanReport) -> str:
    routed = format_number(report.routed_door_count)
    kept = report.kept
    if kept.come_back_count:
        text = ngettext(
            "Routes cut again: %(routed)s doors to visit. Doors visited kept: %(count)s done,"
            " %(back)s to come back to.",
            "Routes cut again: %(routed)s doors to visit. Doors visited kept: %(count)s done,"
            " %(back)s to come back to.",
            kept.done_count,
            routed=routed,
            count=format_number(kept.done_count),
            back=format_number(kept.come_back_count),
        )
    elif kept.done_count:
        text = ngettext(
            "Routes cut again: %(routed)s doors to visit. Doors visited kept: %(count)s done.",
            "Routes cut again: %(routed)s doors to visit. Doors visited kept: %(count)s done.",
            kept.done_count,
            routed=routed,
            count=format_number(kept.done_count),
        )
    else:
        text = _("Routes cut again: %(routed)s doors to visit.", routed=routed)
    return str(text)


def _change_line(change: int) -> str | None:
    """Say how many more or fewer doors the routes have to visit than before, if any."""
    if change < 0:
        text = ngettext(
            "Compared with before: %(count)s fewer door to visit.",
            "Compared with before: %(count)s fewer doors to visit.",
            -change,
            count=format_number(-change),
        )
    elif change > 0:
        text = ngettext(
            "Compared with before: %(count)s more door to visit.",
            "Compared with before: %(count)s more doors to visit.",
            change,
            count=format_number(change),
        )
    else:
        return None
    return str(text)


def _count_recipients(messages: list[Message]) -> int:
    return len({message.user_id for message in messages})
