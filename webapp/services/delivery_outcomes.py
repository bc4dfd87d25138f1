"""Record what the providers returned for a chunk: sent rows in bulk, failures one by one.

A refusal that may hide an accepted message (no response, a server error) leaves the
row in sending for a lookup. A transient one queues it again after a backoff, up to
`MAX_SEND_ATTEMPTS`. A permanent one fails it, and suppresses the address when the
person opted out at the provider.
"""

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from messaging.backoff import backoff_delay_s
from messaging.failures import FailurePlan, NextStep, plan_for_send_error
from messaging.providers.base import DeliveryError, FailureReason, SendOutcome
from webapp.db import utcnow
from webapp.models import Message
from webapp.models.messaging import MessageStatus
from webapp.services import delivery_results
from webapp.services.delivery_claims import OutgoingMessage, mark_sent
from webapp.services.delivery_results import (
    MAX_SEND_ATTEMPTS,
    DeliveryResult,
    FollowUp,
    log_ids,
)
from webapp.services.delivery_send import SendUnit
from webapp.services.opt_out import suppress_address

logger = logging.getLogger(__name__)


def record_outcomes(
    session: Session,
    units: Sequence[SendUnit],
    outcomes: Mapping[int, SendOutcome],
    claimed_at: datetime,
) -> dict[int, DeliveryResult]:
    """Write the outcomes of messages claimed at `claimed_at`; return their results. Flushes."""
    messages = {message.id: message for unit in units for message in unit.messages}
    sent = {key: outcome.provider_id for key, outcome in outcomes.items() if outcome.provider_id}
    mark_sent(session, sent, utcnow())
    results = {message_id: DeliveryResult(MessageStatus.SENT) for message_id in sent}
    if logger.isEnabledFor(logging.INFO):
        for message_id, provider_id in sent.items():
            _log_sent(messages[message_id], provider_id)
    for message_id, outcome in outcomes.items():
        if outcome.error is not None:
            results[message_id] = _after_send_error(session, message_id, outcome.error)
        elif not outcome.provider_id:
            # The request's fate is unknown: the lookup after the stale claim settles it.
            at = claimed_at + delivery_results.STALE_CLAIM
            results[message_id] = DeliveryResult(MessageStatus.SENDING, FollowUp.RECONCILE, at)
    return results


def _log_sent(message: OutgoingMessage, provider_id: str) -> None:
    # No recipient, even masked: parsing the number would cost more than the send.
    logger.info(
        "Message %s sent by %s as %s",
        message.id,
        message.channel,
        provider_id,
        extra={**log_ids(message), "provider_id": provider_id},
    )


def _after_send_error(session: Session, message_id: int, error: DeliveryError) -> DeliveryResult:
    """Record a provider's refusal of one message in sending: look up, retry, or fail."""
    message = session.get(Message, message_id, populate_existing=True)
    if message is None or message.status != MessageStatus.SENDING:
        return DeliveryResult(message.status if message else None)
    plan = plan_for_send_error(error)
    message.last_error = str(error)
    if plan.step is NextStep.RECONCILE:
        claimed_at = message.claimed_at or utcnow()
        logger.warning(
            "Message %s: no response from the provider (%s), lookup scheduled",
            message.id,
            error,
            extra=log_ids(message),
        )
        at = claimed_at + delivery_results.STALE_CLAIM
        return DeliveryResult(MessageStatus.SENDING, FollowUp.RECONCILE, at)
    if plan.step is NextStep.RETRY and message.attempts < MAX_SEND_ATTEMPTS:
        retry_at = utcnow() + timedelta(seconds=backoff_delay_s(message.attempts))
        message.status = MessageStatus.QUEUED
        message.send_after = retry_at
        logger.warning(
            "Message %s not sent (%s), retry at %s",
            message.id,
            error,
            retry_at.isoformat(),
            extra=log_ids(message),
        )
        return DeliveryResult(MessageStatus.QUEUED, FollowUp.SEND, retry_at)
    fail_message(session, message, plan)
    logger.warning("Message %s failed for good: %s", message.id, error, extra=log_ids(message))
    return DeliveryResult(MessageStatus.FAILED)


def fail_message(session: Session, message: Message, plan: FailurePlan) -> None:
    """Record a terminal failure and suppress the address if the plan requires it. Flushes."""
    mark_failed(message, plan.reason)
    if plan.is_suppressing:
        suppress_address(
            session,
            campaign_id=message.campaign_id,
            channel=message.channel,
            address=message.recipient,
            reason=plan.reason.value,
            wait_for_sends=False,
        )
    session.flush()


def mark_failed(message: Message, reason: FailureReason) -> None:
    """Set a row's terminal failure and its reason."""
    message.status = MessageStatus.FAILED
    message.failure_reason = reason.value
