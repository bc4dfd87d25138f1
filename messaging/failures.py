"""What follows a failed send or a failure in a delivery report.

A send that never reached the provider is retried with a backoff. One that may have
reached it is looked up, never sent blindly again. A permanent rejection ends the
message and, for an opt-out, suppresses the address.
"""

from dataclasses import dataclass
from enum import StrEnum

from messaging.providers.base import DeliveryError, FailureReason, PermanentDeliveryError


class NextStep(StrEnum):
    RETRY = "retry"
    RECONCILE = "reconcile"
    FAIL = "fail"


@dataclass(frozen=True)
class FailurePlan:
    """The step after a failure, its reason, and whether the address must be suppressed.

    `max_retries` bounds the retries this kind of failure earns on its own (one for an
    unreachable handset); None leaves the bound to the caller's attempt limit.
    """

    step: NextStep
    reason: FailureReason
    is_suppressing: bool = False
    max_retries: int | None = None


# Suppressing reasons: the person asked, one way or another, to hear no more.
SUPPRESSING_REASONS = frozenset({FailureReason.UNSUBSCRIBED, FailureReason.SPAM_REPORT})

# Twilio error codes found in delivery reports (`ErrorCode` of a status callback).
_TWILIO_REPORT_REASONS = {
    "21211": FailureReason.INVALID_RECIPIENT,
    "21612": FailureReason.INVALID_RECIPIENT,
    "21614": FailureReason.INVALID_RECIPIENT,
    "30005": FailureReason.INVALID_RECIPIENT,
    "21635": FailureReason.LANDLINE,
    "30006": FailureReason.LANDLINE,
    "21610": FailureReason.UNSUBSCRIBED,
    "30003": FailureReason.UNREACHABLE,
    "30007": FailureReason.REJECTED,
    "30001": FailureReason.EXPIRED,
    "30036": FailureReason.EXPIRED,
}
# A handset off or out of coverage may come back: one more try, later.
UNREACHABLE_MAX_RETRIES = 1


def plan_for_send_error(error: DeliveryError) -> FailurePlan:
    """Return what to do after the provider rejected a send request or did not respond."""
    if isinstance(error, PermanentDeliveryError):
        return FailurePlan(
            NextStep.FAIL, error.reason, is_suppressing=error.reason in SUPPRESSING_REASONS
        )
    if error.may_have_been_accepted:
        return FailurePlan(NextStep.RECONCILE, error.reason)
    return FailurePlan(NextStep.RETRY, error.reason)


def plan_for_twilio_report(error_code: str | None) -> FailurePlan:
    """Return what to do with an SMS that Twilio reports failed or undelivered."""
    reason = _TWILIO_REPORT_REASONS.get((error_code or "").strip(), FailureReason.UNDELIVERED)
    if reason is FailureReason.UNREACHABLE:
        return FailurePlan(NextStep.RETRY, reason, max_retries=UNREACHABLE_MAX_RETRIES)
    return FailurePlan(NextStep.FAIL, reason, is_suppressing=reason in SUPPRESSING_REASONS)
