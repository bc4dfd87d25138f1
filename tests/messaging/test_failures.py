"""The error classes table: what each failure leads to."""

import pytest

from messaging.failures import (
    FailurePlan,
    NextStep,
    plan_for_send_error,
    plan_for_twilio_report,
)
from messaging.providers.base import (
    DeliveryError,
    FailureReason,
    PermanentDeliveryError,
    RetryableDeliveryError,
)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        # Never reached the provider: send again after a backoff.
        (
            RetryableDeliveryError("twilio", FailureReason.RATE_LIMITED, "20429"),
            FailurePlan(NextStep.RETRY, FailureReason.RATE_LIMITED),
        ),
        (
            RetryableDeliveryError("sendgrid", FailureReason.RATE_LIMITED, "http_429"),
            FailurePlan(NextStep.RETRY, FailureReason.RATE_LIMITED),
        ),
        (
            RetryableDeliveryError("twilio", FailureReason.NETWORK, "network"),
            FailurePlan(NextStep.RETRY, FailureReason.NETWORK),
        ),
        # May have reached it: look it up, never send blindly.
        (
            RetryableDeliveryError("twilio", FailureReason.PROVIDER_UNAVAILABLE, "http_500"),
            FailurePlan(NextStep.RECONCILE, FailureReason.PROVIDER_UNAVAILABLE),
        ),
        (
            RetryableDeliveryError("sendgrid", FailureReason.PROVIDER_UNAVAILABLE, "http_503"),
            FailurePlan(NextStep.RECONCILE, FailureReason.PROVIDER_UNAVAILABLE),
        ),
        (
            RetryableDeliveryError("twilio", FailureReason.NETWORK, "timeout"),
            FailurePlan(NextStep.RECONCILE, FailureReason.NETWORK),
        ),
        (
            RetryableDeliveryError("sendgrid", FailureReason.NETWORK, "connection_lost"),
            FailurePlan(NextStep.RECONCILE, FailureReason.NETWORK),
        ),
        (
            RetryableDeliveryError("twilio", FailureReason.PROVIDER_UNAVAILABLE, "missing_sid"),
            FailurePlan(NextStep.RECONCILE, FailureReason.PROVIDER_UNAVAILABLE),
        ),
        # Permanent: fail, and suppress an address that opted out.
        (
            PermanentDeliveryError("twilio", FailureReason.UNSUBSCRIBED, "21610"),
            FailurePlan(NextStep.FAIL, FailureReason.UNSUBSCRIBED, is_suppressing=True),
        ),
        (
            PermanentDeliveryError("twilio", FailureReason.INVALID_RECIPIENT, "21211"),
            FailurePlan(NextStep.FAIL, FailureReason.INVALID_RECIPIENT),
        ),
        (
            PermanentDeliveryError("twilio", FailureReason.LANDLINE, "21635"),
            FailurePlan(NextStep.FAIL, FailureReason.LANDLINE),
        ),
        (
            PermanentDeliveryError("sendgrid", FailureReason.CONFIGURATION, "http_401"),
            FailurePlan(NextStep.FAIL, FailureReason.CONFIGURATION),
        ),
    ],
)
def test_send_errors(error: DeliveryError, expected: FailurePlan) -> None:
    assert plan_for_send_error(error) == expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("30003", FailurePlan(NextStep.RETRY, FailureReason.UNREACHABLE, max_retries=1)),
        ("30005", FailurePlan(NextStep.FAIL, FailureReason.INVALID_RECIPIENT)),
        ("30006", FailurePlan(NextStep.FAIL, FailureReason.LANDLINE)),
        ("21610", FailurePlan(NextStep.FAIL, FailureReason.UNSUBSCRIBED, is_suppressing=True)),
        ("21211", FailurePlan(NextStep.FAIL, FailureReason.INVALID_RECIPIENT)),
        ("21612", FailurePlan(NextStep.FAIL, FailureReason.INVALID_RECIPIENT)),
        ("21614", FailurePlan(NextStep.FAIL, FailureReason.INVALID_RECIPIENT)),
        ("21635", FailurePlan(NextStep.FAIL, FailureReason.LANDLINE)),
        ("30007", FailurePlan(NextStep.FAIL, FailureReason.REJECTED)),
        ("30036", FailurePlan(NextStep.FAIL, FailureReason.EXPIRED)),
        ("30008", FailurePlan(NextStep.FAIL, FailureReason.UNDELIVERED)),
        (" 30003 ", FailurePlan(NextStep.RETRY, FailureReason.UNREACHABLE, max_retries=1)),
        (None, FailurePlan(NextStep.FAIL, FailureReason.UNDELIVERED)),
        ("", FailurePlan(NextStep.FAIL, FailureReason.UNDELIVERED)),
    ],
)
def test_twilio_report_errors(code: str | None, expected: FailurePlan) -> None:
    assert plan_for_twilio_report(code) == expected


@pytest.mark.parametrize(
    ("error", "may_have_been_accepted"),
    [
        (RetryableDeliveryError("twilio", FailureReason.NETWORK, "network"), False),
        (RetryableDeliveryError("twilio", FailureReason.NETWORK, "timeout"), True),
        (RetryableDeliveryError("twilio", FailureReason.RATE_LIMITED, "http_429"), False),
        (PermanentDeliveryError("twilio", FailureReason.REJECTED, "http_400"), False),
    ],
)
def test_uncertain_errors(error: DeliveryError, may_have_been_accepted: bool) -> None:
    assert error.may_have_been_accepted is may_have_been_accepted
