import pytest

from messaging.failures import FailurePlan, NextStep
from messaging.providers.base import FailureReason
from messaging.reports import (
    NO_CHANGE,
    DeliveryReport,
    ReportedState,
    read_sendgrid_event,
    read_twilio_status,
)


@pytest.mark.parametrize(
    ("status", "error_code", "expected"),
    [
        ("queued", None, DeliveryReport(ReportedState.SENT)),
        ("accepted", None, DeliveryReport(ReportedState.SENT)),
        ("sending", None, DeliveryReport(ReportedState.SENT)),
        ("sent", None, DeliveryReport(ReportedState.SENT)),
        ("Delivered", None, DeliveryReport(ReportedState.DELIVERED)),
        ("read", None, DeliveryReport(ReportedState.DELIVERED)),
        (
            "undelivered",
            "30003",
            DeliveryReport(
                ReportedState.FAILED,
                failure=FailurePlan(NextStep.RETRY, FailureReason.UNREACHABLE, max_retries=1),
            ),
        ),
        (
            "failed",
            "21610",
            DeliveryReport(
                ReportedState.FAILED,
                failure=FailurePlan(NextStep.FAIL, FailureReason.UNSUBSCRIBED, is_suppressing=True),
            ),
        ),
        (
            "undelivered",
            None,
            DeliveryReport(
                ReportedState.FAILED, failure=FailurePlan(NextStep.FAIL, FailureReason.UNDELIVERED)
            ),
        ),
        ("receiving", None, NO_CHANGE),
        ("", None, NO_CHANGE),
    ],
)
def test_twilio_statuses(status: str, error_code: str | None, expected: DeliveryReport) -> None:
    assert read_twilio_status(status, error_code) == expected


def failed(reason: FailureReason, *, suppressing: bool = False) -> DeliveryReport:
    return DeliveryReport(
        ReportedState.FAILED,
        failure=FailurePlan(NextStep.FAIL, reason, is_suppressing=suppressing),
    )


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        ({"event": "processed"}, DeliveryReport(ReportedState.SENT)),
        ({"event": "delivered"}, DeliveryReport(ReportedState.DELIVERED)),
        ({"event": "deferred"}, NO_CHANGE),
        ({"event": "open"}, NO_CHANGE),
        ({"event": "click"}, NO_CHANGE),
        ({"event": "bounce", "type": "bounce"}, failed(FailureReason.BOUNCED)),
        ({"event": "bounce", "type": "blocked"}, failed(FailureReason.BLOCKED)),
        ({"event": "bounce"}, failed(FailureReason.BOUNCED)),
        (
            {"event": "dropped", "reason": "Unsubscribed Address"},
            failed(FailureReason.UNSUBSCRIBED, suppressing=True),
        ),
        (
            {"event": "dropped", "reason": "Spam Reporting Address"},
            failed(FailureReason.SPAM_REPORT, suppressing=True),
        ),
        ({"event": "dropped", "reason": "Bounced Address"}, failed(FailureReason.BOUNCED)),
        (
            {"event": "dropped", "reason": "Invalid SMTPAPI header"},
            failed(FailureReason.INVALID_RECIPIENT),
        ),
        ({"event": "dropped"}, failed(FailureReason.REJECTED)),
        ({"event": "spamreport"}, DeliveryReport(None, suppression=FailureReason.SPAM_REPORT)),
        ({"event": "unsubscribe"}, DeliveryReport(None, suppression=FailureReason.UNSUBSCRIBED)),
        (
            {"event": "group_unsubscribe"},
            DeliveryReport(None, suppression=FailureReason.UNSUBSCRIBED),
        ),
        ({}, NO_CHANGE),
        ({"event": None}, NO_CHANGE),
    ],
)
def test_sendgrid_events(event: dict[str, object], expected: DeliveryReport) -> None:
    assert read_sendgrid_event(event) == expected
