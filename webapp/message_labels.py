"""Labels of the codes of a message row: channel, purpose, status and failure reason.

The broadcast pages and the message list of the coordinators show the same codes, so
their labels live here once.
"""

from typing import Any

from flask_babel import lazy_gettext

CHANNELS: dict[str, Any] = {
    "sms": lazy_gettext("SMS"),
    "email": lazy_gettext("E-mail"),
}

# Labels of every purpose of a message row (`MessagePurpose`).
MESSAGE_PURPOSES: dict[str, Any] = {
    "assignment_confirmation": lazy_gettext("Assignment confirmation"),
    "session_reminder": lazy_gettext("Reminder"),
    "session_soon": lazy_gettext("Before the session"),
    "session_thanks": lazy_gettext("Thanks"),
    "session_changed": lazy_gettext("Session changed"),
    "route_changed": lazy_gettext("Route changed"),
    "broadcast": lazy_gettext("Broadcast message"),
    "stop_confirmation": lazy_gettext("Unsubscribe confirmation"),
    "coordinator_notice": lazy_gettext("Notice to the coordination team"),
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

# Labels of the groups of statuses the message list counts and filters by, plural as
# they head counts.
STATUS_GROUPS: dict[str, Any] = {
    "waiting": lazy_gettext("Waiting"),
    "sent": lazy_gettext("Sent"),
    "failed": lazy_gettext("Failed"),
    "not_sent": lazy_gettext("Not sent"),
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
    "withdrawn": lazy_gettext(
        "withdrawn before sending: replaced by a newer message, or no longer needed"
    ),
    "unknown": lazy_gettext("reason not given"),
}


def channel_label(channel: str) -> Any:
    """Return the label of a channel, or the code itself when unknown."""
    return CHANNELS.get(channel, channel)


def purpose_label(purpose: str) -> Any:
    """Return the label of a message purpose, or the code itself when unknown."""
    return MESSAGE_PURPOSES.get(purpose, purpose)


def failure_reason_label(reason: str) -> Any:
    """Return the label of a failure or suppression reason, or the code itself when unknown."""
    return FAILURE_REASONS.get(reason, reason)


def message_status_label(status: str) -> Any:
    """Return the label of a message status, or the code itself when unknown."""
    return MESSAGE_STATUSES.get(status, status)
