"""Deliver one Message row: claim it, apply the send-time rules, call the provider.

A row goes queued → sending → sent → delivered or failed, or queued → suppressed. The
claim (queued → sending, with `claimed_at`) commits before the provider call, and on
PostgreSQL a worker skips a row another one has locked, so a message is handed to the
provider once however many jobs run for it. A row left in sending (a worker killed
mid-send, a request without a response) is reconciled against the provider: it becomes
sent when the provider has it, queued again when the provider never got it, and stays
in sending while the provider cannot be asked.

The rules apply when the message goes out, not when it was queued: consent, campaign
and global suppressions and, for push messages only, the campaign's window, public
holidays and electoral silence. A held message stays queued with `send_after` set to
the next opening; the caller schedules its job for then.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from messaging.backoff import backoff_delay_s
from messaging.failures import FailurePlan, NextStep, plan_for_send_error
from messaging.phone import mask_phone
from messaging.providers.base import DeliveryError, FailureReason, ProviderLookupError
from messaging.providers.factory import ProviderConfig, Senders, build_senders
from messaging.push_window import PushRules, next_push_time
from messaging.ratelimit import SendRateLimiter
from webapp.db import utcnow
from webapp.models import Campaign, Consent, Message
from webapp.models.messaging import CONSENT_EXEMPT_PURPOSES, MessagePurpose, MessageStatus
from webapp.models.users import Channel, ConsentPurpose
from webapp.services.address_locks import sending_lock, try_lock_address
from webapp.services.erasure import is_erased
from webapp.services.opt_out import is_address_suppressed, suppress_address
from webapp.services.unsubscribe import unsubscribe_headers
from webapp.settings import Settings
from webapp.settings_access import get_settings

logger = logging.getLogger(__name__)

# A claim older than this, with no worker holding the address's lock, is looked up at
# the provider. Longer than a send job's timeout, and than the providers' indexing delay.
STALE_CLAIM = timedelta(minutes=2)
# Margin for the providers' clocks when looking for a message sent since a claim.
LOOKUP_CLOCK_SKEW = timedelta(minutes=1)
LOOKUP_RETRY_DELAY = timedelta(minutes=1)
# After this long without a lookup result from the provider, a coordinator must check.
LOOKUP_GIVE_UP_AFTER = timedelta(hours=24)
# Claims per message, retries and resends after a lookup included.
MAX_SEND_ATTEMPTS = 6
# A worker waits this long at most for a send slot, then the job is scheduled again.
RATE_LIMIT_MAX_WAIT_S = 2.0
# A handset that was off or out of coverage gets its one more try after this wait.
UNREACHABLE_RETRY_DELAY = timedelta(minutes=30)
# `failure_reason` of a message resent once after an unreachable handset; a second
# report of that kind fails it.
UNREACHABLE_RETRIED = "unreachable_retried"
PUSH_PURPOSES = frozenset({MessagePurpose.BROADCAST})
# Every purpose needs the consent to canvassing messages on its channel.
# NOTE: push campaigns rely on the same consent as confirmations and reminders; a
# separate purpose for them needs a new ConsentPurpose and a signup wording.
CONSENT_FOR_PURPOSE = {purpose: ConsentPurpose.CANVASS_MESSAGES for purpose in MessagePurpose}


class FollowUp(StrEnum):
    """Job the caller must schedule after a step."""

    NONE = "none"
    SEND = "send"
    RECONCILE = "reconcile"


@dataclass(frozen=True)
class DeliveryResult:
    """The row's status after a step (None: no such row) and the job to schedule next."""

    status: MessageStatus | None
    follow_up: FollowUp = FollowUp.NONE
    at: datetime | None = None


def senders_for(settings: Settings) -> Senders:
    """Return the senders the settings name, built once per process and settings."""
    return _cached_senders(settings)


@lru_cache(maxsize=8)
def _cached_senders(settings: Settings) -> Senders:
    is_outbox = settings.message_backend == "outbox"
    return build_senders(
        ProviderConfig(
            backend="outbox" if is_outbox else "providers",
            outbox_path=settings.outbox_path,
            twilio_account_sid=settings.twilio_account_sid or None,
            twilio_auth_token=settings.twilio_auth_token or None,
            twilio_api_base_url=settings.twilio_api_base_url or None,
            twilio_status_callback_url=None if is_outbox else _status_callback_url(settings),
            sendgrid_api_key=settings.sendgrid_api_key or None,
            sendgrid_api_host=settings.sendgrid_api_host or None,
        )
    )


def _status_callback_url(settings: Settings) -> str:
    return settings.public_base_url.rstrip("/") + "/webhooks/twilio/status"


def rate_key(settings: Settings, channel: Channel) -> str:
    """Return the rate limiter's key of the sender a channel uses."""
    sender = settings.twilio_sender if channel == Channel.SMS else settings.email_sender
    return f"{channel}:{sender}"


def deliver_message(
    session: Session,
    message_id: int,
    *,
    senders: Senders | None = None,
    limiter: SendRateLimiter | None = None,
    now: datetime | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> DeliveryResult:
    """Send a queued message once if the rules allow it now; commit each state change.

    A message not due, held by the push window or without a send slot stays queued and
    comes back with the time to try again. `now` replaces the clock for the rules.
    """
    now = now or utcnow()
    message = session.get(Message, message_id, populate_existing=True)
    if message is None:
        logger.warning("Message %s not found", message_id, extra={"message_id": message_id})
        return DeliveryResult(None)
    waiting = _wait_before_sending(session, message, now)
    if waiting is not None:
        return waiting
    channel, recipient = message.channel, message.recipient
    if limiter is not None:
        slot = limiter.reserve(rate_key(get_settings(), channel), max_wait_s=RATE_LIMIT_MAX_WAIT_S)
        if not slot.is_granted:
            session.rollback()
            at = now + timedelta(seconds=slot.wait_s)
            return DeliveryResult(MessageStatus.QUEUED, FollowUp.SEND, at)
        if slot.wait_s > 0:
            # The window may close while the worker waits for its slot.
            held = _hold(session, message, now + timedelta(seconds=slot.wait_s))
            if held is not None:
                return held
            # No transaction stays open while the worker waits.
            session.rollback()
            sleep(slot.wait_s)
    with sending_lock(session, channel, recipient):
        return _claim_and_send(session, message_id, senders or senders_for(get_settings()))


def _wait_before_sending(
    session: Session, message: Message, now: datetime
) -> DeliveryResult | None:
    """Return the result for a message that must not be sent now, or None to go on."""
    if message.status != MessageStatus.QUEUED:
        session.rollback()
        return DeliveryResult(message.status)
    if message.send_after is not None and message.send_after > now:
        session.rollback()
        return DeliveryResult(MessageStatus.QUEUED, FollowUp.SEND, message.send_after)
    return _hold(session, message, now)


def _hold(session: Session, message: Message, at: datetime) -> DeliveryResult | None:
    """Hold a push message that may not go out at `at` until the window opens; commit."""
    opens_at = _push_opening(session, message, at)
    if opens_at is None:
        return None
    message.send_after = opens_at
    session.commit()
    logger.info(
        "Message %s held until %s", message.id, opens_at.isoformat(), extra=_log_ids(message)
    )
    return DeliveryResult(MessageStatus.QUEUED, FollowUp.SEND, opens_at)


def _claim_and_send(session: Session, message_id: int, senders: Senders) -> DeliveryResult:
    """Claim the row, check consent and suppressions, then hand it to the provider.

    Runs under the address's sending lock, so a stop recorded before the checks is seen
    and one recorded after them waits for this send to finish.
    """
    claimed = _claim(session, message_id, MessageStatus.QUEUED)
    if claimed is None:
        session.rollback()
        return DeliveryResult(_current_status(session, message_id))
    blocked = _blocking_reason(session, claimed)
    if blocked is not None:
        claimed.status = MessageStatus.SUPPRESSED
        claimed.failure_reason = blocked.value
        session.commit()
        logger.info(
            "Message %s suppressed at send time: %s", message_id, blocked, extra=_log_ids(claimed)
        )
        return DeliveryResult(MessageStatus.SUPPRESSED)
    claimed.status = MessageStatus.SENDING
    claimed.claimed_at = utcnow()
    claimed.attempts += 1
    session.commit()
    return _send(session, claimed, senders)


def reconcile_message(
    session: Session,
    message_id: int,
    *,
    senders: Senders | None = None,
    now: datetime | None = None,
    stale_after: timedelta | None = None,
) -> DeliveryResult:
    """Settle a message left in sending by asking the provider whether it has it.

    Found: sent, with the provider's id. Not found: queued again, safe to send. The
    provider cannot be asked: still sending, to look again later. A claim younger than
    `stale_after` (`STALE_CLAIM` by default), or an address a live worker is sending to,
    is left for later.
    """
    now = now or utcnow()
    stale_after = stale_after or STALE_CLAIM
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
    locked = _claim(session, message_id, MessageStatus.SENDING)
    if locked is None:
        session.rollback()
        return DeliveryResult(_current_status(session, message_id))
    return _settle(session, locked, senders or senders_for(get_settings()), now)


def _settle(session: Session, message: Message, senders: Senders, now: datetime) -> DeliveryResult:
    log_ids = _log_ids(message)
    claimed_at = message.claimed_at or message.updated_at
    try:
        found = _look_up(message, senders, claimed_at - LOOKUP_CLOCK_SKEW)
    except ProviderLookupError as error:
        message.last_error = str(error)
        if claimed_at < now - LOOKUP_GIVE_UP_AFTER:
            _fail(message, FailureReason.OUTCOME_UNKNOWN)
            session.commit()
            logger.error(
                "Message %s failed: lookups at the provider failed for a day",
                message.id,
                extra=log_ids,
            )
            return DeliveryResult(MessageStatus.FAILED)
        session.commit()
        return DeliveryResult(MessageStatus.SENDING, FollowUp.RECONCILE, now + LOOKUP_RETRY_DELAY)
    known = set(
        session.scalars(
            select(Message.provider_id).where(
                Message.provider_id.in_(found), Message.id != message.id
            )
        )
    )
    fresh = [provider_id for provider_id in found if provider_id not in known]
    if fresh:
        _mark_sent(message, fresh[0], now)
        session.commit()
        logger.info("Message %s found at the provider: sent", message.id, extra=log_ids)
        return DeliveryResult(MessageStatus.SENT)
    if message.attempts >= MAX_SEND_ATTEMPTS:
        _fail(message, FailureReason.PROVIDER_UNAVAILABLE)
        session.commit()
        logger.error(
            "Message %s not sent after %s attempts", message.id, message.attempts, extra=log_ids
        )
        return DeliveryResult(MessageStatus.FAILED)
    message.status = MessageStatus.QUEUED
    message.send_after = None
    session.commit()
    logger.info("Message %s not found at the provider: queued again", message.id, extra=log_ids)
    return DeliveryResult(MessageStatus.QUEUED, FollowUp.SEND, now)


def _look_up(message: Message, senders: Senders, sent_after: datetime) -> tuple[str, ...]:
    if message.channel == Channel.SMS:
        return senders.sms.find_sms(to=message.recipient, body=message.body, sent_after=sent_after)
    return senders.email.find_email(reference=message.idempotency_key)


def _send(session: Session, message: Message, senders: Senders) -> DeliveryResult:
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
                headers=unsubscribe_headers(message),
            )
    except DeliveryError as error:
        return _after_send_error(session, message, error)
    _mark_sent(message, provider_id, utcnow())
    session.commit()
    recipient = mask_phone(message.recipient) if message.channel == Channel.SMS else "e-mail"
    logger.info("Message %s sent to %s", message.id, recipient, extra=_log_ids(message))
    return DeliveryResult(MessageStatus.SENT)


def _after_send_error(session: Session, message: Message, error: DeliveryError) -> DeliveryResult:
    plan = plan_for_send_error(error)
    message.last_error = str(error)
    log_ids = _log_ids(message)
    if plan.step is NextStep.RECONCILE:
        session.commit()
        claimed_at = message.claimed_at or utcnow()
        logger.warning(
            "Message %s: no response from the provider (%s), lookup scheduled",
            message.id,
            error,
            extra=log_ids,
        )
        return DeliveryResult(MessageStatus.SENDING, FollowUp.RECONCILE, claimed_at + STALE_CLAIM)
    if plan.step is NextStep.RETRY and message.attempts < MAX_SEND_ATTEMPTS:
        retry_at = utcnow() + timedelta(seconds=backoff_delay_s(message.attempts))
        message.status = MessageStatus.QUEUED
        message.send_after = retry_at
        session.commit()
        logger.warning(
            "Message %s not sent (%s), retry at %s",
            message.id,
            error,
            retry_at.isoformat(),
            extra=log_ids,
        )
        return DeliveryResult(MessageStatus.QUEUED, FollowUp.SEND, retry_at)
    fail_message(session, message, plan)
    session.commit()
    logger.warning("Message %s failed for good: %s", message.id, error, extra=log_ids)
    return DeliveryResult(MessageStatus.FAILED)


def fail_message(session: Session, message: Message, plan: FailurePlan) -> None:
    """Record a terminal failure and suppress the address if the plan requires it. Flushes."""
    _fail(message, plan.reason)
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


def _fail(message: Message, reason: FailureReason) -> None:
    message.status = MessageStatus.FAILED
    message.failure_reason = reason.value


def _mark_sent(message: Message, provider_id: str, at: datetime) -> None:
    message.status = MessageStatus.SENT
    message.provider_id = provider_id
    message.sent_at = at


def _claim(session: Session, message_id: int, status: MessageStatus) -> Message | None:
    """Lock the row if it is in `status` and no other worker holds it."""
    statement = select(Message).where(Message.id == message_id, Message.status == status)
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    return session.scalars(statement.execution_options(populate_existing=True)).first()


def _current_status(session: Session, message_id: int) -> MessageStatus | None:
    return session.scalar(select(Message.status).where(Message.id == message_id))


def _blocking_reason(session: Session, message: Message) -> FailureReason | None:
    """Return why the message must not go out now, or None; reads only committed rows."""
    if message.purpose == MessagePurpose.STOP_CONFIRMATION:
        # The one confirmation of a stop goes to a number that has just been suppressed.
        return None
    if is_erased(session, message.channel, message.recipient):
        return FailureReason.OPTED_OUT
    if is_address_suppressed(session, message.campaign_id, message.channel, message.recipient):
        return FailureReason.OPTED_OUT
    if message.purpose in CONSENT_EXEMPT_PURPOSES:
        return None
    if message.user_id is None or not _has_consent(session, message):
        return FailureReason.NO_CONSENT
    return None


def _has_consent(session: Session, message: Message) -> bool:
    """Tell whether the recipient's latest decision for this channel and purpose grants it."""
    latest = session.scalar(
        select(Consent.is_granted)
        .where(
            Consent.user_id == message.user_id,
            Consent.channel == message.channel,
            Consent.purpose == CONSENT_FOR_PURPOSE[message.purpose],
        )
        .order_by(Consent.id.desc())
        .limit(1)
    )
    return bool(latest)


def _push_opening(session: Session, message: Message, now: datetime) -> datetime | None:
    """Return when a held push message may go out, or None if it may go out now."""
    if message.purpose not in PUSH_PURPOSES:
        return None
    campaign = session.get(Campaign, message.campaign_id)
    if campaign is None:
        return None
    opening = next_push_time(now, push_rules(campaign))
    return opening if opening > now else None


def push_rules(campaign: Campaign) -> PushRules:
    """Return the push window of a campaign: quiet hours, rounds and poll closing time.

    The campaign stores its quiet hours (start in the evening, end in the morning); the
    window is what lies between them. Quiet hours that do not span midnight cannot be
    read that way, and the national default window applies.
    """
    rounds = tuple(day for day in (campaign.first_round_on, campaign.second_round_on) if day)
    opens, closes = campaign.quiet_hours_end, campaign.quiet_hours_start
    if not opens < closes:
        logger.warning(
            "Campaign %s has quiet hours that do not span the night; default window used",
            campaign.id,
            extra={"campaign_id": campaign.id},
        )
        return PushRules(round_days=rounds, polls_close=campaign.polls_close_at)
    return PushRules(
        opens=opens, closes=closes, round_days=rounds, polls_close=campaign.polls_close_at
    )


def _log_ids(message: Message) -> dict[str, object]:
    return {"message_id": message.id, "campaign_id": message.campaign_id}
