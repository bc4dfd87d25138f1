"""Labels of the codes the broadcast pages show: states, statuses, reasons, segments."""

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

# Labels of every status of a message row.
MESSAGE_STATUSES: dict[str, Any] = {
    "queued": lazy_gettext("waiting to be sent"),
    "sending": lazy_gettext("being sent"),
    "sent": lazy_gettext("sent"),
    "delivered": lazy_gettext("delivered"),
    "failed": lazy_gettext("sending failed"),
    "suppressed": lazy_gettext("not sent"),
}

# Labels of every code of `Message.failure_reason`: why a row failed, was not sent, or
# was sent again.
FAILURE_REASONS: dict[str, Any] = {
    "rate_limited": lazy_gettext("refused for now by the provider (too many messages)"),
    "provider_unavailable": lazy_gettext("provider unavailable"),
    "network": lazy_gettext("network error"),
    "invalid_recipient": lazy_gettext("number or address not valid"),
    "unsubscribed": lazy_gettext("recipient unsubscribed at the provider"),
    "configuration": lazy_gettext("provider settings to check"),
    "rejected": lazy_gettext("refused by the provider"),
    "unreachable": lazy_gettext("phone off or out of reach"),
    "unreachable_retried": lazy_gettext("phone off or out of reach, tried again"),
    "landline": lazy_gettext("landline number"),
    "expired": lazy_gettext("not delivered in time"),
    "bounced": lazy_gettext("e-mail bounced"),
    "blocked": lazy_gettext("blocked by the operator or the mail service"),
    "spam_report": lazy_gettext("reported as spam"),
    "undelivered": lazy_gettext("not delivered"),
    "outcome_unknown": lazy_gettext("outcome unknown"),
    "opted_out": lazy_gettext("opted out"),
    "no_consent": lazy_gettext("no consent to this channel"),
    "erased": lazy_gettext("personal data erased on request"),
    "withdrawn": lazy_gettext("withdrawn before sending (session moved or cancelled)"),
    "unknown": lazy_gettext("reason not given"),
}

CHANNELS: dict[str, Any] = {
    "sms": lazy_gettext("SMS"),
    "email": lazy_gettext("E-mail"),
}


def _(text: str, **values: object) -> str:
    return str(gettext(text, **values))


def failure_reason_label(reason: str) -> Any:
    """Return the label of a failure or suppression reason, or the code itself when unknown."""
    return FAILURE_REASONS.get(reason, reason)


def message_status_label(status: str) -> Any:
    """Return the label of a message status, or the code itself when unknown."""
    return MESSAGE_STATUSES.get(status, status)


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
