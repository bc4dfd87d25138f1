"""Deliver one Message row: claim it, check the rules at send time, call the provider."""

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from messaging.phone import mask_phone
from messaging.providers.base import PermanentDeliveryError, RetryableDeliveryError
from messaging.providers.factory import ProviderConfig, Senders, build_senders
from webapp.db import utcnow
from webapp.models import Message, Suppression, User
from webapp.models.messaging import MessageStatus
from webapp.models.users import Channel
from webapp.settings import Settings
from webapp.settings_access import get_settings

logger = logging.getLogger(__name__)


def senders_for(settings: Settings) -> Senders:
    return build_senders(
        ProviderConfig(
            backend="outbox" if settings.message_backend == "outbox" else "providers",
            outbox_path=settings.outbox_path,
            twilio_account_sid=settings.twilio_account_sid or None,
            twilio_auth_token=settings.twilio_auth_token or None,
            twilio_api_base_url=settings.twilio_api_base_url or None,
            sendgrid_api_key=settings.sendgrid_api_key or None,
            sendgrid_api_host=settings.sendgrid_api_host or None,
        )
    )


def deliver_message(
    session: Session, message_id: int, senders: Senders | None = None
) -> MessageStatus | None:
    """Send a queued message and commit each state change; return the final status.

    Raises RetryableDeliveryError after putting the row back to queued, so RQ retries.
    """
    message = session.scalars(
        select(Message).where(Message.id == message_id).with_for_update()
    ).first()
    if message is None:
        logger.warning("Message %s not found", message_id, extra={"message_id": message_id})
        return None
    if message.status != MessageStatus.QUEUED:
        session.rollback()
        return message.status
    if message.send_after is not None and message.send_after > utcnow():
        session.rollback()
        return message.status
    if _is_blocked(session, message):
        message.status = MessageStatus.SUPPRESSED
        session.commit()
        logger.info(
            "Message %s suppressed at send time", message.id, extra={"message_id": message.id}
        )
        return message.status

    message.status = MessageStatus.SENDING
    message.attempts += 1
    session.commit()
    return _send(session, message, senders or senders_for(get_settings()))


def _send(session: Session, message: Message, senders: Senders) -> MessageStatus:
    settings = get_settings()
    try:
        if message.channel == Channel.SMS:
            provider_id = senders.sms.send_sms(
                to=message.recipient,
                body=message.body,
                sender=settings.twilio_sender,
                reference=message.idempotency_key,
            )
        else:
            provider_id = senders.email.send_email(
                to=message.recipient,
                subject=message.subject,
                text_body=message.body,
                html_body=None,
                sender=settings.email_sender,
                sender_name=settings.email_sender_name,
                reference=message.idempotency_key,
                headers={},
            )
    except RetryableDeliveryError as error:
        message.status = MessageStatus.QUEUED
        message.last_error = str(error)
        session.commit()
        logger.warning(
            "Message %s not sent, will retry: %s",
            message.id,
            error,
            extra={"message_id": message.id},
        )
        raise
    except PermanentDeliveryError as error:
        message.status = MessageStatus.FAILED
        message.last_error = str(error)
        session.commit()
        logger.error(
            "Message %s failed for good: %s", message.id, error, extra={"message_id": message.id}
        )
        return message.status

    message.status = MessageStatus.SENT
    message.provider_id = provider_id
    message.sent_at = utcnow()
    session.commit()
    recipient = mask_phone(message.recipient) if message.channel == Channel.SMS else "e-mail"
    logger.info(
        "Message %s sent to %s",
        message.id,
        recipient,
        extra={"message_id": message.id, "campaign_id": message.campaign_id},
    )
    return message.status


def _is_blocked(session: Session, message: Message) -> bool:
    """Return whether the address is suppressed or the consent was withdrawn since queueing."""
    suppressed = session.scalars(
        select(Suppression.id).where(
            Suppression.channel == message.channel, Suppression.address == message.recipient
        )
    ).first()
    if suppressed is not None:
        return True
    user = session.get(User, message.user_id) if message.user_id else None
    return user is None or not user.has_consent(message.channel)
