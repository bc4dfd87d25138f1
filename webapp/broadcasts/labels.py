"""Labels of the codes only the broadcast pages show: states and segments.

The labels of a message row's channel, status and reason are in `webapp.message_labels`.
"""

from typing import Any

from flask_babel import format_date, gettext, lazy_gettext

from webapp.services.broadcast_segments import Segment, SegmentChoices, SegmentKind
from webapp.session_labels import session_label

STATES: dict[str, Any] = {
    "preparing": lazy_gettext("Preparing the messages…"),
    "scheduled": lazy_gettext("scheduled"),
    "sending": lazy_gettext("sending"),
    "done": lazy_gettext("done"),
    "cancelled": lazy_gettext("cancelled"),
}


def _(text: str, **values: object) -> str:
    return str(gettext(text, **values))


def segment_label(raw: dict[str, Any], choices: SegmentChoices) -> str:
    """Describe a stored segment in a few words, for the list and the progress page."""
    try:
        segment = Segment.from_json(raw)
    except (KeyError, ValueError):
        return _("Unknown recipients")
    if segment.kind == SegmentKind.SESSION:
        return _session_label(segment, choices)
    if segment.kind == SegmentKind.IRIS:
        name = next((c.name for c in choices.iris if c.code == segment.iris_code), "")
        return _("The volunteers of the sessions in %(iris)s", iris=name or segment.iris_code or "")
    if segment.kind == SegmentKind.DATES and segment.date_from and segment.date_to:
        return _(
            "The volunteers of the sessions from %(first)s to %(last)s",
            first=format_date(segment.date_from, "short"),
            last=format_date(segment.date_to, "short"),
        )
    if segment.kind == SegmentKind.UNASSIGNED:
        return _("The volunteers not yet assigned")
    return _("All volunteers")


def _session_label(segment: Segment, choices: SegmentChoices) -> str:
    found = next((c for c in choices.sessions if c.session_id == segment.session_id), None)
    if found is None:
        return _("The volunteers of a session")
    return _(
        "The volunteers of the session of %(session)s",
        session=session_label(found.starts_at, found.iris_name),
    )
