"""Suppressed addresses, STOP replies and the inbox of other SMS replies.

A reply that is only a stop keyword, or one Twilio's Advanced Opt-Out already handled
(`OptOutType`), suppresses the number for the campaign that last wrote to it. Every
message still queued for it there is withdrawn in the same transaction, which first
waits for sends already under way. Any other reply waits for a coordinator.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from flask_babel import force_locale, gettext
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from messaging.keywords import is_stop_keyword
from messaging.phone import mask_phone
from messaging.providers.base import FailureReason
from webapp.db import call_after_commit, utcnow
from webapp.jobs.dispatch import enqueue_messages
from webapp.models import Campaign, InboundSms, Message, Suppression, User
from webapp.models.messaging import MessagePurpose, MessageStatus
from webapp.models.users import Channel
from webapp.services.address_locks import lock_address
from webapp.services.insert_once import insert_once
from webapp.settings_access import get_settings

logger = logging.getLogger(__name__)

# `Suppression.reason` of a number that replied with a stop keyword.
STOP_REASON = "stop"
# Twilio's `OptOutType` when its Advanced Opt-Out recognised a stop keyword and replied.
TWILIO_OPT_OUT_STOP = "STOP"


@dataclass(frozen=True)
class InboundResult:
    """Outcome of an inbound SMS: stored or a replay, a stop or a reply for a person."""

    reply_id: int | None
    is_replay: bool = False
    is_stop: bool = False
    suppressed_messages: int = 0
    confirmation_id: int | None = None


def is_address_suppressed(
    session: Session, campaign_id: int, channel: Channel, address: str
) -> bool:
    """Tell whether the address is suppressed for the campaign or for every campaign."""
    found = session.scalar(
        select(Suppression.id)
        .where(
            Suppression.channel == channel,
            Suppression.address == address,
            or_(Suppression.campaign_id == campaign_id, Suppression.campaign_id.is_(None)),
        )
        .limit(1)
    )
    return found is not None


def suppress_address(
    session: Session,
    *,
    campaign_id: int | None,
    channel: Channel,
    address: str,
    reason: str,
    wait_for_sends: bool,
) -> int:
    """Suppress an address for a campaign (None: every campaign); return messages withdrawn.

    Every message still queued for the address in that campaign becomes suppressed. With
    `wait_for_sends`, the transaction first waits for sends already past their checks,
    so no send starts after this one commits. Flushes; the caller commits.
    """
    if wait_for_sends:
        lock_address(session, channel, address)
    _add_suppression(session, campaign_id, channel, address, reason)
    conditions = [
        Message.channel == channel,
        Message.recipient == address,
        Message.status == MessageStatus.QUEUED,
        Message.purpose != MessagePurpose.STOP_CONFIRMATION,
    ]
    if campaign_id is not None:
        conditions.append(Message.campaign_id == campaign_id)
    withdrawn = session.execute(
        update(Message)
        .where(*conditions)
        .values(
            status=MessageStatus.SUPPRESSED,
            failure_reason=FailureReason.OPTED_OUT.value,
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    count = int(withdrawn.rowcount)  # type: ignore[attr-defined]
    logger.info(
        "Suppressed %s for campaign %s (%s), %s queued messages withdrawn",
        mask_phone(address) if channel == Channel.SMS else "an e-mail address",
        campaign_id,
        reason,
        count,
        extra={"campaign_id": campaign_id},
    )
    return count


def _add_suppression(
    session: Session, campaign_id: int | None, channel: Channel, address: str, reason: str
) -> None:
    # NULL campaign ids never conflict in a unique constraint: look before inserting.
    if campaign_id is None:
        exists = session.scalar(
            select(Suppression.id).where(
                Suppression.campaign_id.is_(None),
                Suppression.channel == channel,
                Suppression.address == address,
            )
        )
        if exists is None:
            session.add(
                Suppression(campaign_id=None, channel=channel, address=address, reason=reason)
            )
            session.flush()
        return
    insert_once(
        session,
        Suppression,
        {"campaign_id": campaign_id, "channel": channel, "address": address, "reason": reason},
        ("campaign_id", "channel", "address"),
    )


def record_inbound_sms(
    session: Session,
    *,
    provider_id: str,
    sender: str,
    body: str,
    opt_out_type: str = "",
    received_at: datetime | None = None,
) -> InboundResult:
    """Store a reply; a stop suppresses the number before any later send. Flushes.

    A replayed reply (same provider id) changes nothing. When the provider did not
    confirm the stop itself, a confirmation SMS is queued, sent after commit.
    """
    campaign_id = _campaign_that_last_wrote(session, sender)
    handled_by_provider = opt_out_type.strip().upper() == TWILIO_OPT_OUT_STOP
    is_stop = handled_by_provider or is_stop_keyword(body)
    reply_id = insert_once(
        session,
        InboundSms,
        {
            "campaign_id": campaign_id,
            "provider_id": provider_id,
            "sender": sender,
            "body": body,
            "is_stop": is_stop,
            "is_handled": is_stop,
            "received_at": received_at or utcnow(),
        },
        ("provider_id",),
    )
    if reply_id is None:
        logger.info("Inbound SMS %s already recorded", provider_id)
        return InboundResult(reply_id=None, is_replay=True)
    if not is_stop:
        logger.info(
            "Reply %s from %s waits for a coordinator",
            reply_id,
            mask_phone(sender),
            extra={"campaign_id": campaign_id},
        )
        return InboundResult(reply_id=reply_id)
    withdrawn = suppress_address(
        session,
        campaign_id=campaign_id,
        channel=Channel.SMS,
        address=sender,
        reason=STOP_REASON,
        wait_for_sends=True,
    )
    confirmation_id = (
        None
        if handled_by_provider
        else _queue_stop_confirmation(session, campaign_id, sender, provider_id)
    )
    return InboundResult(
        reply_id=reply_id,
        is_stop=True,
        suppressed_messages=withdrawn,
        confirmation_id=confirmation_id,
    )


def list_unhandled_replies(session: Session, campaign_id: int) -> list[InboundSms]:
    """Return the campaign's replies that are not stops and no one has handled, oldest first."""
    return list(
        session.scalars(
            select(InboundSms)
            .where(
                InboundSms.campaign_id == campaign_id,
                InboundSms.is_stop.is_(False),
                InboundSms.is_handled.is_(False),
            )
            .order_by(InboundSms.received_at, InboundSms.id)
        )
    )


def mark_reply_handled(session: Session, campaign_id: int, reply_id: int) -> bool:
    """Mark a campaign's reply as handled; return False when it is not the campaign's."""
    reply = session.get(InboundSms, reply_id)
    if reply is None or reply.campaign_id != campaign_id:
        return False
    reply.is_handled = True
    session.flush()
    return True


def _campaign_that_last_wrote(session: Session, number: str) -> int | None:
    """Return the campaign of the latest SMS to `number`, None if none ever went there.

    NOTE: every campaign of an installation shares one sender, so a reply does not name
    its campaign; the latest message is the best guess. A number no campaign wrote to
    gets a suppression for every campaign.
    """
    return session.scalar(
        select(Message.campaign_id)
        .where(Message.channel == Channel.SMS, Message.recipient == number)
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(1)
    )


def _queue_stop_confirmation(
    session: Session, campaign_id: int | None, number: str, provider_id: str
) -> int | None:
    """Queue the one SMS that confirms a stop; sent after commit, exempt from suppression."""
    if campaign_id is None:
        return None
    campaign = session.get(Campaign, campaign_id)
    user = session.scalar(select(User).where(User.phone_e164 == number).limit(1))
    locale = user.locale if user is not None else get_settings().default_locale
    with force_locale(locale):
        body = gettext(
            "%(campaign)s: you will not receive any more text messages from us.",
            campaign=campaign.sms_sender_name if campaign is not None else "",
        )
    message = Message(
        campaign_id=campaign_id,
        user_id=user.id if user is not None else None,
        idempotency_key=f"stop-confirmation:{provider_id}",
        channel=Channel.SMS,
        purpose=MessagePurpose.STOP_CONFIRMATION,
        recipient=number,
        subject="",
        body=body,
    )
    session.add(message)
    session.flush()
    settings = get_settings()
    message_id = message.id
    call_after_commit(session, lambda: enqueue_messages(settings, [(message_id, None)]))
    return message_id
