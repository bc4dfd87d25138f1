"""Hand claimed messages to the providers: a thread pool, one request per send unit.

A unit is what goes out in one provider request: one SMS, or up to a thousand e-mails
that share their subject and text, each recipient's unsubscribe link substituted by
SendGrid. Units start at the times the rate limiter gave them; the pool overlaps the
waits for the providers' responses. The threads only call the providers: every
database read and write stays in the caller's thread.
"""

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache

from messaging.providers.base import DeliveryError, EmailRecipient, SendOutcome
from messaging.providers.factory import ProviderConfig, Senders, build_senders
from messaging.providers.sendgrid_email import MAX_PERSONALIZATIONS
from messaging.segments import count_sms_segments
from webapp.models.users import Channel
from webapp.services.delivery_claims import OutgoingMessage
from webapp.services.message_batch import UNSUBSCRIBE_URL_TAG
from webapp.services.unsubscribe import unsubscribe_links
from webapp.settings import Settings

logger = logging.getLogger(__name__)

# Provider calls in flight at once in one worker.
# NOTE: sized on the fake provider, which responds within milliseconds. Against a real
# API a worker sends at most about SEND_THREADS / response time messages per second, so
# 30 to 80 SMS/s if Twilio takes 0.1 to 0.3 s (an estimate, not measured here).
SEND_THREADS = 8


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
            twilio_validity_period_s=settings.sms_validity_period_s,
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


@dataclass(frozen=True)
class SendUnit:
    """Messages of one channel that go out in one provider request."""

    channel: Channel
    messages: tuple[OutgoingMessage, ...]

    @property
    def rate_slots(self) -> int:
        """Return the slots the unit takes of its sender's rate: SMS segments or e-mails."""
        if self.channel == Channel.SMS:
            return sum(count_sms_segments(message.body).segments for message in self.messages)
        return len(self.messages)


def plan_units(messages: Sequence[OutgoingMessage]) -> list[SendUnit]:
    """Cut messages into units: one per SMS, one per e-mail text and thousand recipients.

    Units keep the order of their first message. An e-mail unit names each address
    once: a second message with the same text to the same address starts a new unit.
    """
    units: list[list[OutgoingMessage]] = []
    open_units: dict[tuple[str, str], tuple[list[OutgoingMessage], set[str]]] = {}
    for message in messages:
        if message.channel != Channel.EMAIL:
            units.append([message])
            continue
        key = (message.subject, message.body)
        unit, addresses = open_units.get(key, ([], set()))
        if not unit or len(unit) >= MAX_PERSONALIZATIONS or message.recipient in addresses:
            unit, addresses = [], set()
            open_units[key] = (unit, addresses)
            units.append(unit)
        unit.append(message)
        addresses.add(message.recipient)
    return [SendUnit(unit[0].channel, tuple(unit)) for unit in units]


def send_units(
    pool: ThreadPoolExecutor,
    senders: Senders,
    settings: Settings,
    units: Sequence[SendUnit],
    start_at: Sequence[float],
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[int, SendOutcome]:
    """Send each unit from its start time (`time.monotonic()` seconds); return outcomes by id.

    Needs an app context, for the unsubscribe links. A message whose request raised
    something other than a delivery error gets an empty outcome: its fate is unknown.
    """
    pending: list[tuple[SendUnit, Future[list[SendOutcome]]]] = []
    for unit, at in zip(units, start_at, strict=True):
        request = _request_for(unit, senders, settings)
        delay = at - time.monotonic()
        if delay > 0:
            sleep(delay)
        pending.append((unit, pool.submit(_run, request, unit)))
    outcomes: dict[int, SendOutcome] = {}
    for unit, future in pending:
        for message, outcome in zip(unit.messages, future.result(), strict=True):
            outcomes[message.id] = outcome
    return outcomes


def _request_for(
    unit: SendUnit, senders: Senders, settings: Settings
) -> Callable[[], list[SendOutcome]]:
    first = unit.messages[0]
    if unit.channel != Channel.EMAIL:
        return lambda: [_send_sms(senders, first, settings.twilio_sender)]
    recipients = [_email_recipient(message) for message in unit.messages]
    return lambda: senders.email.send_email_batch(
        recipients=recipients,
        subject=first.subject,
        text_body=first.body,
        html_body=None,
        sender=settings.email_sender,
        sender_name=settings.email_sender_name,
    )


def _send_sms(senders: Senders, message: OutgoingMessage, sender: str) -> SendOutcome:
    try:
        provider_id = senders.sms.send_sms(
            to=message.recipient,
            body=message.body,
            sender=sender,
            reference=message.idempotency_key,
        )
    except DeliveryError as error:
        return SendOutcome(error=error)
    return SendOutcome(provider_id=provider_id)


def _email_recipient(message: OutgoingMessage) -> EmailRecipient:
    if message.user_id is None:
        return EmailRecipient(to=message.recipient, reference=message.idempotency_key)
    links = unsubscribe_links(message.user_id, message.campaign_id)
    return EmailRecipient(
        to=message.recipient,
        reference=message.idempotency_key,
        substitutions={UNSUBSCRIBE_URL_TAG: links.page_url},
        headers=links.headers,
    )


def _run(request: Callable[[], list[SendOutcome]], unit: SendUnit) -> list[SendOutcome]:
    """Run a request in a pool thread; an unexpected error leaves the outcomes unknown."""
    try:
        return request()
    except Exception:
        # The request may have reached the provider: the messages stay in sending, and
        # the lookup after the stale claim finds out whether they went out.
        logger.exception(
            "Send of %s messages from message %s failed unexpectedly",
            len(unit.messages),
            unit.messages[0].id,
            extra={"message_id": unit.messages[0].id},
        )
        return [SendOutcome() for _ in unit.messages]
