"""Provider delivery reports: stored raw before anything else, once each, then applied.

The webhook stores each event under a unique key (Twilio: message SID and status;
SendGrid: `sg_event_id`), so a replay stores nothing and changes nothing. Applying an
event only moves a message forward (sent, then failed, then delivered), so events that
arrive late, twice or out of order end in the same state as one in-order delivery.
"""

import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from messaging.failures import FailurePlan, NextStep
from messaging.providers.base import FailureReason
from messaging.providers.sendgrid_email import REFERENCE_CUSTOM_ARG, message_id_of
from messaging.reports import DeliveryReport, ReportedState, read_sendgrid_event, read_twilio_status
from webapp.db import utcnow
from webapp.models import Message, ProviderEvent
from webapp.models.messaging import MessageStatus
from webapp.models.users import Channel
from webapp.services.delivery import UNREACHABLE_RETRIED, UNREACHABLE_RETRY_DELAY, fail_message
from webapp.services.insert_once import insert_once
from webapp.services.opt_out import suppress_address

logger = logging.getLogger(__name__)

TWILIO = "twilio"
SENDGRID = "sendgrid"
# Waits before looking again for the message of an event that arrived before its send
# was recorded. After the last one the sweeper still retries for an hour.
UNMATCHED_RETRY_DELAYS = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10))

# A message only moves up this order; suppressed messages never move.
_RANK = {
    MessageStatus.QUEUED: 0,
    MessageStatus.SENDING: 1,
    MessageStatus.SENT: 2,
    MessageStatus.FAILED: 3,
    MessageStatus.DELIVERED: 4,
}
_STATUS_OF_STATE = {
    ReportedState.SENT: MessageStatus.SENT,
    ReportedState.FAILED: MessageStatus.FAILED,
    ReportedState.DELIVERED: MessageStatus.DELIVERED,
}


class InvalidEventError(ValueError):
    """A callback lacks the fields that identify its message and status."""


class EventOutcome(StrEnum):
    APPLIED = "applied"
    UNMATCHED = "unmatched"
    ALREADY_PROCESSED = "already_processed"
    MISSING = "missing"


@dataclass(frozen=True)
class EventResult:
    """Outcome of processing an event; `resend_at` requests one more send of the message."""

    outcome: EventOutcome
    message_id: int | None = None
    resend_at: datetime | None = None


def store_twilio_status(session: Session, form: Mapping[str, str]) -> int | None:
    """Store a Twilio status callback; return its id, or None for a replay. Flushes."""
    sid = (form.get("MessageSid") or form.get("SmsSid") or "").strip()
    status = (form.get("MessageStatus") or form.get("SmsStatus") or "").strip().lower()
    if not sid or not status:
        raise InvalidEventError("MessageSid and MessageStatus are required")
    return _store(session, TWILIO, f"{sid}:{status}", dict(form))


def store_sendgrid_events(session: Session, events: Sequence[Any]) -> list[int]:
    """Store the events of one SendGrid post; return the ids of those not seen before."""
    if not all(isinstance(event, dict) for event in events):
        raise InvalidEventError("SendGrid posts a list of event objects")
    stored = (_store(session, SENDGRID, _sendgrid_key(event), event) for event in events)
    return [event_id for event_id in stored if event_id is not None]


def _store(session: Session, provider: str, key: str, payload: dict[str, Any]) -> int | None:
    return insert_once(
        session,
        ProviderEvent,
        {"provider": provider, "event_key": key[:200], "payload": payload},
        ("provider", "event_key"),
    )


def _sendgrid_key(event: Mapping[str, Any]) -> str:
    event_id = str(event.get("sg_event_id") or "").strip()
    if event_id:
        return event_id
    # Every SendGrid event carries an sg_event_id; a hash keeps a malformed one idempotent.
    canonical = json.dumps(event, sort_keys=True, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def process_provider_event(
    session: Session, event_id: int, *, now: datetime | None = None
) -> EventResult:
    """Apply a stored event to its message, once; commit.

    An event whose message is not found yet (the send's outcome is not committed, or
    the reconciliation has not run) stays unprocessed, to try again later.
    """
    now = now or utcnow()
    event = session.get(ProviderEvent, event_id, with_for_update=True, populate_existing=True)
    if event is None:
        session.rollback()
        return EventResult(EventOutcome.MISSING)
    if event.processed_at is not None:
        session.rollback()
        return EventResult(EventOutcome.ALREADY_PROCESSED)
    report = _read(event)
    message = _find_message(session, event)
    if message is None:
        if report.state is None and report.suppression is None:
            event.processed_at = now
            session.commit()
            return EventResult(EventOutcome.APPLIED)
        session.rollback()
        return EventResult(EventOutcome.UNMATCHED)
    resend_at = _apply(session, message, report, event, now)
    event.processed_at = now
    session.commit()
    return EventResult(EventOutcome.APPLIED, message.id, resend_at)


def _read(event: ProviderEvent) -> DeliveryReport:
    payload = event.payload
    if event.provider == TWILIO:
        status = str(payload.get("MessageStatus") or payload.get("SmsStatus") or "")
        error_code = payload.get("ErrorCode")
        return read_twilio_status(status, None if error_code is None else str(error_code))
    return read_sendgrid_event(payload)


def _find_message(session: Session, event: ProviderEvent) -> Message | None:
    payload = event.payload
    statement = select(Message).with_for_update().execution_options(populate_existing=True)
    if event.provider == TWILIO:
        sid = str(payload.get("MessageSid") or payload.get("SmsSid") or "")
        return session.scalars(
            statement.where(Message.channel == Channel.SMS, Message.provider_id == sid)
        ).first()
    reference = str(payload.get(REFERENCE_CUSTOM_ARG) or "")
    if reference:
        found = session.scalars(
            statement.where(Message.channel == Channel.EMAIL, Message.idempotency_key == reference)
        ).first()
        if found is not None:
            return found
    sg_message_id = str(payload.get("sg_message_id") or "")
    email = str(payload.get("email") or "")
    if not sg_message_id or not email:
        return None
    # Every recipient of one Mail Send request shares its message id, so the address
    # identifies the row.
    return session.scalars(
        statement.where(
            Message.channel == Channel.EMAIL,
            Message.provider_id == message_id_of(sg_message_id),
            func.lower(Message.recipient) == email.lower(),
        )
    ).first()


def _apply(
    session: Session, message: Message, report: DeliveryReport, event: ProviderEvent, now: datetime
) -> datetime | None:
    """Move the message forward to the reported state; return when to send it again, if ever."""
    resend_at = None
    current = message.status
    target = _STATUS_OF_STATE.get(report.state) if report.state is not None else None
    is_forward = target is not None and current in _RANK and _RANK[target] > _RANK[current]
    if is_forward and target == MessageStatus.FAILED:
        resend_at = _fail_or_retry(session, message, report.failure, now)
    elif is_forward and target is not None:
        if current == MessageStatus.FAILED:
            message.failure_reason = None
        message.status = target
        if target == MessageStatus.DELIVERED:
            message.delivered_at = _event_time(event) or now
    if is_forward and message.provider_id is None and event.provider == SENDGRID:
        sg_message_id = str(event.payload.get("sg_message_id") or "")
        message.provider_id = message_id_of(sg_message_id) if sg_message_id else None
    if report.suppression is not None:
        suppress_address(
            session,
            campaign_id=message.campaign_id,
            channel=message.channel,
            address=message.recipient,
            reason=report.suppression.value,
            wait_for_sends=False,
        )
    logger.info(
        "Message %s: %s report %s, now %s",
        message.id,
        event.provider,
        report.state or "without status",
        message.status,
        extra={"message_id": message.id, "campaign_id": message.campaign_id},
    )
    return resend_at


def _fail_or_retry(
    session: Session, message: Message, plan: FailurePlan | None, now: datetime
) -> datetime | None:
    plan = plan or FailurePlan(NextStep.FAIL, FailureReason.UNDELIVERED)
    # `UNREACHABLE_RETRIED` marks the one retry a retrying plan allows (`max_retries` is 1).
    may_retry = (
        plan.step is NextStep.RETRY
        and message.status == MessageStatus.SENT
        and message.failure_reason != UNREACHABLE_RETRIED
    )
    if may_retry:
        # One more try later: the handset may be back on. The old provider id goes, so
        # late reports about the first try match nothing.
        message.status = MessageStatus.QUEUED
        message.provider_id = None
        message.failure_reason = UNREACHABLE_RETRIED
        message.send_after = now + UNREACHABLE_RETRY_DELAY
        return message.send_after
    fail_message(session, message, FailurePlan(NextStep.FAIL, plan.reason, plan.is_suppressing))
    return None


def _event_time(event: ProviderEvent) -> datetime | None:
    stamp = event.payload.get("timestamp") if event.provider == SENDGRID else None
    if isinstance(stamp, int | float) and stamp > 0:
        return datetime.fromtimestamp(stamp, UTC)
    return None
