"""Settle messages left in sending by asking their provider whether it has them.

A row stays in sending when its worker was killed between the claim and the record of
the provider's response, or when a request got no response. Found at the provider: sent,
with the provider's id. Not found: queued again, safe to send. The provider cannot be
asked: still sending, to look again later, and failed after a day.
"""

import logging
from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from messaging.providers.base import FailureReason, ProviderLookupError
from messaging.providers.factory import Senders
from webapp.db import utcnow
from webapp.models import Message
from webapp.models.messaging import MessageStatus
from webapp.models.users import Channel
from webapp.services import delivery_results
from webapp.services.address_locks import try_lock_address
from webapp.services.delivery_outcomes import mark_failed
from webapp.services.delivery_results import MAX_SEND_ATTEMPTS, DeliveryResult, FollowUp, log_ids
from webapp.services.delivery_send import senders_for
from webapp.settings_access import get_settings

logger = logging.getLogger(__name__)

# Margin for the providers' clocks when looking for a message sent since a claim.
LOOKUP_CLOCK_SKEW = timedelta(minutes=1)
LOOKUP_RETRY_DELAY = timedelta(minutes=1)
# After this long without a lookup result from the provider, a coordinator must check.
LOOKUP_GIVE_UP_AFTER = timedelta(hours=24)


def reconcile_messages(
    session: Session,
    message_ids: Collection[int],
    *,
    senders: Senders | None = None,
    now: datetime | None = None,
) -> dict[int, DeliveryResult]:
    """Settle messages left in sending, one lookup each; see `reconcile_message`."""
    return {
        message_id: reconcile_message(session, message_id, senders=senders, now=now)
        for message_id in sorted(set(message_ids))
    }


def reconcile_message(
    session: Session,
    message_id: int,
    *,
    senders: Senders | None = None,
    now: datetime | None = None,
    stale_after: timedelta | None = None,
) -> DeliveryResult:
    """Settle a message left in sending by asking the provider whether it has it.

    A claim younger than `stale_after` (`STALE_CLAIM` by default), or an address a live
    worker is sending to, is left for later.
    """
    now = now or utcnow()
    stale_after = stale_after or delivery_results.STALE_CLAIM
    message = session.get(Message, message_id, populate_existing=True)
    if message is None:
        return DeliveryResult(None)
    if message.status != MessageStatus.SENDING:
        session.rollback()
        return DeliveryResult(message.status)
    claimed_at = message.claimed_at or message.updated_at
    if claimed_at > now - stale_after:
        session.rollback()
        return DeliveryResult(MessageStatus.SENDING, FollowUp.RECONCILE, claimed_at + stale_after)
    if not try_lock_address(session, message.channel, message.recipient):
        session.rollback()
        return DeliveryResult(MessageStatus.SENDING, FollowUp.RECONCILE, now + LOOKUP_RETRY_DELAY)
    locked = _lock_row(session, message_id, MessageStatus.SENDING)
    if locked is None:
        session.rollback()
        status = session.scalar(select(Message.status).where(Message.id == message_id))
        return DeliveryResult(status)
    return _settle(session, locked, senders or senders_for(get_settings()), now)


def _settle(session: Session, message: Message, senders: Senders, now: datetime) -> DeliveryResult:
    claimed_at = message.claimed_at or message.updated_at
    try:
        found = _look_up(session, message, senders, claimed_at - LOOKUP_CLOCK_SKEW)
    except ProviderLookupError as error:
        message.last_error = str(error)
        if claimed_at < now - LOOKUP_GIVE_UP_AFTER:
            mark_failed(message, FailureReason.OUTCOME_UNKNOWN)
            session.commit()
            logger.error(
                "Message %s failed: lookups at the provider failed for a day",
                message.id,
                extra=log_ids(message),
            )
            return DeliveryResult(MessageStatus.FAILED)
        session.commit()
        return DeliveryResult(MessageStatus.SENDING, FollowUp.RECONCILE, now + LOOKUP_RETRY_DELAY)
    if found:
        message.status = MessageStatus.SENT
        message.provider_id = found[0]
        message.sent_at = now
        session.commit()
        logger.info("Message %s found at the provider: sent", message.id, extra=log_ids(message))
        return DeliveryResult(MessageStatus.SENT)
    if message.attempts >= MAX_SEND_ATTEMPTS:
        mark_failed(message, FailureReason.PROVIDER_UNAVAILABLE)
        session.commit()
        logger.error(
            "Message %s not sent after %s attempts",
            message.id,
            message.attempts,
            extra=log_ids(message),
        )
        return DeliveryResult(MessageStatus.FAILED)
    message.status = MessageStatus.QUEUED
    message.send_after = None
    session.commit()
    logger.info(
        "Message %s not found at the provider: queued again", message.id, extra=log_ids(message)
    )
    return DeliveryResult(MessageStatus.QUEUED, FollowUp.SEND, now)


def _look_up(
    session: Session, message: Message, senders: Senders, sent_after: datetime
) -> list[str]:
    """Return the provider's ids of this message, those of other rows left out.

    An e-mail is found by its own reference, which no other row carries; the request's
    id it returns is shared by every recipient of that request. An SMS is found by
    recipient and text, which another message to the same number may share, so ids
    already recorded on other rows do not count.
    """
    if message.channel == Channel.EMAIL:
        return list(senders.email.find_email(reference=message.idempotency_key))
    found = senders.sms.find_sms(to=message.recipient, body=message.body, sent_after=sent_after)
    known = set(
        session.scalars(
            select(Message.provider_id).where(
                Message.provider_id.in_(found), Message.id != message.id
            )
        )
    )
    return [provider_id for provider_id in found if provider_id not in known]


def _lock_row(session: Session, message_id: int, status: MessageStatus) -> Message | None:
    """Lock the row if it is in `status` and no other worker holds it."""
    statement = select(Message).where(Message.id == message_id, Message.status == status)
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    return session.scalars(statement.execution_options(populate_existing=True)).first()
