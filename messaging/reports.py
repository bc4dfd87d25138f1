"""Read provider delivery reports (Twilio status callbacks, SendGrid events) as states."""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from messaging.failures import (
    SUPPRESSING_REASONS,
    FailurePlan,
    NextStep,
    plan_for_twilio_report,
)
from messaging.providers.base import FailureReason


class ReportedState(StrEnum):
    """Delivery state a provider reports, in the order a message goes through them."""

    SENT = "sent"
    FAILED = "failed"
    DELIVERED = "delivered"


@dataclass(frozen=True)
class DeliveryReport:
    """One report: the state it reports (None: no change), why it failed, what to suppress.

    `suppression` names the reason to suppress the address without failing the message,
    as when a delivered e-mail is reported as spam.
    """

    state: ReportedState | None
    failure: FailurePlan | None = None
    suppression: FailureReason | None = None


NO_CHANGE = DeliveryReport(state=None)

_TWILIO_SENT = frozenset({"accepted", "scheduled", "queued", "sending", "sent"})
_TWILIO_DELIVERED = frozenset({"delivered", "read"})
_TWILIO_FAILED = frozenset({"failed", "undelivered", "canceled"})

# SendGrid events whose meaning needs no other field; open, click, deferred change nothing.
_SENDGRID_SIMPLE_EVENTS = {
    "processed": DeliveryReport(ReportedState.SENT),
    "delivered": DeliveryReport(ReportedState.DELIVERED),
    "spamreport": DeliveryReport(None, suppression=FailureReason.SPAM_REPORT),
    "unsubscribe": DeliveryReport(None, suppression=FailureReason.UNSUBSCRIBED),
    "group_unsubscribe": DeliveryReport(None, suppression=FailureReason.UNSUBSCRIBED),
}

# SendGrid's `reason` of a dropped e-mail, by a phrase it contains.
_SENDGRID_DROP_REASONS = (
    ("unsubscribed", FailureReason.UNSUBSCRIBED),
    ("spam", FailureReason.SPAM_REPORT),
    ("bounced", FailureReason.BOUNCED),
    ("invalid", FailureReason.INVALID_RECIPIENT),
)


def read_twilio_status(status: str, error_code: str | None) -> DeliveryReport:
    """Read a Twilio `MessageStatus` and its `ErrorCode`."""
    status = status.strip().lower()
    if status in _TWILIO_SENT:
        return DeliveryReport(ReportedState.SENT)
    if status in _TWILIO_DELIVERED:
        return DeliveryReport(ReportedState.DELIVERED)
    if status in _TWILIO_FAILED:
        return DeliveryReport(ReportedState.FAILED, failure=plan_for_twilio_report(error_code))
    return NO_CHANGE


def read_sendgrid_event(event: Mapping[str, object]) -> DeliveryReport:
    """Read one event of SendGrid's event webhook."""
    kind = str(event.get("event") or "").strip().lower()
    if kind == "bounce":
        is_block = str(event.get("type") or "").lower() == "blocked"
        reason = FailureReason.BLOCKED if is_block else FailureReason.BOUNCED
        return DeliveryReport(ReportedState.FAILED, failure=FailurePlan(NextStep.FAIL, reason))
    if kind == "dropped":
        return _dropped(str(event.get("reason") or ""))
    return _SENDGRID_SIMPLE_EVENTS.get(kind, NO_CHANGE)


def _dropped(reason_text: str) -> DeliveryReport:
    lowered = reason_text.lower()
    reason = next(
        (reason for phrase, reason in _SENDGRID_DROP_REASONS if phrase in lowered),
        FailureReason.REJECTED,
    )
    is_suppressing = reason in SUPPRESSING_REASONS
    return DeliveryReport(
        ReportedState.FAILED,
        failure=FailurePlan(NextStep.FAIL, reason, is_suppressing=is_suppressing),
    )
