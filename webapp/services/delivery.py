"""Deliver Message rows: claim them in batches, apply the send-time rules, call the providers.

A row goes queued → sending → sent → delivered or failed, or queued → suppressed. Rows
are handled in chunks of at most `CHUNK_UNITS` provider requests. For each chunk the
worker takes the addresses' sending locks, claims the rows (queued → sending, with
`claimed_at`) and commits before any provider call. On PostgreSQL a worker skips rows
another one has locked, so a message is handed to the provider once however many jobs
run for it. The providers' responses are written back in bulk and committed once per
chunk. A row left in sending (a worker killed mid-chunk, a request without a response)
is reconciled against the provider: it becomes sent when the provider has it, queued
again when the provider never got it, and stays in sending while the provider cannot be
asked.

The rules apply when the message goes out, not when it was queued: consent, campaign
and global suppressions and, for push messages only, the campaign's window, public
holidays and electoral silence. A held message stays queued with `send_after` set to
the next opening; the caller schedules its job for then.
"""

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from messaging.providers.base import FailureReason
from messaging.providers.factory import Senders
from messaging.ratelimit import SendRateLimiter
from webapp.db import utcnow
from webapp.models.messaging import MessageStatus
from webapp.models.users import Channel
from webapp.services.address_locks import SendingLocks, sending_locks
from webapp.services.delivery_claims import (
    OutgoingMessage,
    claim_messages,
    current_statuses,
    expire_loaded,
    hold_messages,
    load_messages,
    mark_sending,
    mark_suppressed,
)
from webapp.services.delivery_outcomes import fail_message, record_outcomes
from webapp.services.delivery_reconcile import (
    LOOKUP_RETRY_DELAY,
    reconcile_message,
    reconcile_messages,
)
from webapp.services.delivery_results import (
    MAX_SEND_ATTEMPTS,
    STALE_CLAIM,
    UNREACHABLE_RETRIED,
    UNREACHABLE_RETRY_DELAY,
    DeliveryResult,
    FollowUp,
    follow_ups,
    log_ids,
)
from webapp.services.delivery_rules import blocking_reasons, push_openings, push_rules
from webapp.services.delivery_send import (
    SEND_THREADS,
    SendUnit,
    plan_units,
    rate_key,
    send_units,
    senders_for,
)
from webapp.settings import Settings
from webapp.settings_access import get_settings

# The delivery's public names, wherever they are defined.
__all__ = [
    "LOOKUP_RETRY_DELAY",
    "MAX_SEND_ATTEMPTS",
    "STALE_CLAIM",
    "UNREACHABLE_RETRIED",
    "UNREACHABLE_RETRY_DELAY",
    "DeliveryResult",
    "FollowUp",
    "deliver_message",
    "deliver_messages",
    "fail_message",
    "follow_ups",
    "push_rules",
    "rate_key",
    "reconcile_message",
    "reconcile_messages",
    "senders_for",
]

logger = logging.getLogger(__name__)

# A worker waits this long at most for a send slot, then the job is scheduled again.
RATE_LIMIT_MAX_WAIT_S = 2.0
# Provider requests claimed, sent and recorded together, and the rows they may hold. A
# worker killed mid-chunk leaves at most this many rows for the lookups.
CHUNK_UNITS = 100
CHUNK_ROWS = 1000


@dataclass(frozen=True)
class _Context:
    """Settings, senders, limiters, clock, thread pool and locks of one delivery's chunks."""

    settings: Settings
    senders: Senders
    limiters: Mapping[Channel, SendRateLimiter]
    now: datetime
    sleep: Callable[[float], None]
    pool: ThreadPoolExecutor
    locks: SendingLocks


def deliver_message(
    session: Session,
    message_id: int,
    *,
    senders: Senders | None = None,
    limiters: Mapping[Channel, SendRateLimiter] | None = None,
    now: datetime | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> DeliveryResult:
    """Send one queued message if the rules allow it now; see `deliver_messages`."""
    results = deliver_messages(
        session, [message_id], senders=senders, limiters=limiters, now=now, sleep=sleep
    )
    return results[message_id]


def deliver_messages(
    session: Session,
    message_ids: Sequence[int],
    *,
    senders: Senders | None = None,
    limiters: Mapping[Channel, SendRateLimiter] | None = None,
    now: datetime | None = None,
    sleep: Callable[[float], None] = time.sleep,
    budget_s: float | None = None,
) -> dict[int, DeliveryResult]:
    """Send the queued messages the rules allow now, once each; commit each chunk.

    Return a result per id. A message not due, held by the push window, without a
    send slot within `RATE_LIMIT_MAX_WAIT_S`, or left when `budget_s` seconds have
    passed stays queued and comes back with the time to try again. `limiters` contains
    the rate of each channel's sender, and a channel without one is not held back. Each SMS
    segment and each e-mail takes one slot. `now` replaces the clock for the rules.
    Needs an app context.
    """
    settings = get_settings()
    now = now or utcnow()
    results: dict[int, DeliveryResult] = {}
    ready = _due_messages(session, message_ids, now, results)
    deadline = time.monotonic() + budget_s if budget_s is not None else None
    with ThreadPoolExecutor(max_workers=SEND_THREADS) as pool, sending_locks(session) as locks:
        context = _Context(
            settings, senders or senders_for(settings), limiters or {}, now, sleep, pool, locks
        )
        for channel in (Channel.SMS, Channel.EMAIL):
            units = plan_units([message for message in ready if message.channel == channel])
            results.update(_deliver_units(session, context, channel, units, deadline))
    expire_loaded(session, results)
    return results


def _due_messages(
    session: Session,
    message_ids: Sequence[int],
    now: datetime,
    results: dict[int, DeliveryResult],
) -> list[OutgoingMessage]:
    """Return the messages to send now; put the result of every other one in `results`."""
    messages = load_messages(session, set(message_ids))
    found = {message.id for message in messages}
    for message_id in set(message_ids) - found:
        logger.warning("Message %s not found", message_id, extra={"message_id": message_id})
        results[message_id] = DeliveryResult(None)
    ready = []
    for message in messages:
        if message.status != MessageStatus.QUEUED:
            results[message.id] = DeliveryResult(message.status)
        elif message.send_after is not None and message.send_after > now:
            results[message.id] = DeliveryResult(
                MessageStatus.QUEUED, FollowUp.SEND, message.send_after
            )
        else:
            ready.append(message)
    results.update(_hold(session, push_openings(session, ready, now), ready))
    # No transaction stays open between the chunks' units of work.
    session.commit()
    return [message for message in ready if message.id not in results]


def _hold(
    session: Session, openings: Mapping[int, datetime], messages: Sequence[OutgoingMessage]
) -> dict[int, DeliveryResult]:
    """Hold push messages until their window opens. Flushes."""
    if not openings:
        return {}
    hold_messages(session, openings, utcnow())
    for message in messages:
        if message.id in openings:
            logger.info(
                "Message %s held until %s",
                message.id,
                openings[message.id].isoformat(),
                extra=log_ids(message),
            )
    return {
        message_id: DeliveryResult(MessageStatus.QUEUED, FollowUp.SEND, opening)
        for message_id, opening in openings.items()
    }


def _deliver_units(
    session: Session,
    context: _Context,
    channel: Channel,
    units: Sequence[SendUnit],
    deadline: float | None,
) -> dict[int, DeliveryResult]:
    """Deliver the units of one channel chunk by chunk, until the deadline.

    Units the limiter had no slot for within `RATE_LIMIT_MAX_WAIT_S` go back to the front
    of the line: by the time the chunk's sends are done, their slots are near. When a
    chunk gets no slot at all, the rest waits for a later job.
    """
    results: dict[int, DeliveryResult] = {}
    pending = list(units)
    while pending:
        if deadline is not None and time.monotonic() > deadline:
            later = DeliveryResult(MessageStatus.QUEUED, FollowUp.SEND, utcnow())
            results.update(_for_units(pending, later))
            break
        chunk = _next_chunk(pending)
        outcome = _deliver_chunk(session, context, channel, chunk)
        results.update(outcome.results)
        pending = outcome.without_slot + pending[len(chunk) :]
        if outcome.next_slot_at is not None and not outcome.has_sent:
            waiting = DeliveryResult(MessageStatus.QUEUED, FollowUp.SEND, outcome.next_slot_at)
            results.update(_for_units(pending, waiting))
            break
    return results


def _next_chunk(units: Sequence[SendUnit]) -> list[SendUnit]:
    """Return the first units that fit in one chunk, at least one.

    A chunk ends before a unit with an address already in it: the units of a chunk go
    out in parallel, and messages to one address must go out in the order of their ids.
    """
    chunk = [units[0]]
    rows = len(units[0].messages)
    addresses = {message.recipient for message in units[0].messages}
    for unit in units[1:CHUNK_UNITS]:
        rows += len(unit.messages)
        unit_addresses = {message.recipient for message in unit.messages}
        if rows > CHUNK_ROWS or unit_addresses & addresses:
            break
        chunk.append(unit)
        addresses |= unit_addresses
    return chunk


def _for_units(units: Sequence[SendUnit], result: DeliveryResult) -> dict[int, DeliveryResult]:
    return {message.id: result for unit in units for message in unit.messages}


@dataclass(frozen=True)
class _ChunkOutcome:
    """The results of one chunk, and the units the limiter gave no slot to.

    `next_slot_at` is when the next free slot opens, set only when some unit got none;
    `has_sent` tells whether any unit got one.
    """

    results: dict[int, DeliveryResult]
    without_slot: list[SendUnit]
    next_slot_at: datetime | None
    has_sent: bool


def _deliver_chunk(
    session: Session, context: _Context, channel: Channel, chunk: Sequence[SendUnit]
) -> _ChunkOutcome:
    """Claim, check and send one chunk under its addresses' sending locks.

    The locks are held from the checks until the outcomes are committed, so a stop
    recorded before the checks is seen and one recorded after them waits. Rows whose
    unit gets no send slot stay queued and untouched.
    """
    messages = [message for unit in chunk for message in unit.messages]
    with context.locks.hold([(message.channel, message.recipient) for message in messages]):
        claimed = claim_messages(session, [message.id for message in messages], context.now)
        results = _unclaimed_results(session, messages, claimed)
        reasons = blocking_reasons(session, list(claimed.values()))
        results.update(_suppress(session, claimed, reasons))
        units = _claimed_units(chunk, claimed, reasons)
        starts, next_slot_at = _reserve_slots(context, channel, units)
        without_slot = units[len(starts) :]
        units, starts = _hold_late_units(session, context, units[: len(starts)], starts, results)
        claimed_at = utcnow()
        mark_sending(session, [m.id for unit in units for m in unit.messages], claimed_at)
        session.commit()
        outcomes = send_units(
            context.pool, context.senders, context.settings, units, starts, sleep=context.sleep
        )
        results.update(record_outcomes(session, units, outcomes, claimed_at))
        session.commit()
    return _ChunkOutcome(results, without_slot, next_slot_at, has_sent=bool(starts))


def _unclaimed_results(
    session: Session, messages: Sequence[OutgoingMessage], claimed: Mapping[int, OutgoingMessage]
) -> dict[int, DeliveryResult]:
    """Return the current status of rows another worker has locked or moved on."""
    statuses = current_statuses(session, [m.id for m in messages if m.id not in claimed])
    return {message_id: DeliveryResult(status) for message_id, status in statuses.items()}


def _suppress(
    session: Session,
    claimed: Mapping[int, OutgoingMessage],
    reasons: Mapping[int, FailureReason],
) -> dict[int, DeliveryResult]:
    """Suppress the claimed rows the rules block. Flushes."""
    mark_suppressed(session, {key: reason.value for key, reason in reasons.items()}, utcnow())
    for message_id, reason in reasons.items():
        logger.info(
            "Message %s suppressed at send time: %s",
            message_id,
            reason,
            extra=log_ids(claimed[message_id]),
        )
    return {message_id: DeliveryResult(MessageStatus.SUPPRESSED) for message_id in reasons}


def _claimed_units(
    chunk: Sequence[SendUnit],
    claimed: Mapping[int, OutgoingMessage],
    reasons: Mapping[int, FailureReason],
) -> list[SendUnit]:
    """Return the chunk's units with only the rows claimed and allowed, as claimed."""
    units = []
    for unit in chunk:
        kept = tuple(
            claimed[m.id] for m in unit.messages if m.id in claimed and m.id not in reasons
        )
        if kept:
            units.append(SendUnit(unit.channel, kept))
    return units


def _reserve_slots(
    context: _Context, channel: Channel, units: Sequence[SendUnit]
) -> tuple[list[float], datetime | None]:
    """Return the start times (`time.monotonic()`) of the units granted slots, in order.

    The second value is when the next free slot opens, if some units got none, else None.
    """
    base = time.monotonic()
    limiter = context.limiters.get(channel)
    if not units or limiter is None:
        return [base] * len(units), None
    slots = limiter.reserve_units(
        rate_key(context.settings, channel),
        [unit.rate_slots for unit in units],
        max_wait_s=RATE_LIMIT_MAX_WAIT_S,
    )
    starts = [base + slots.wait_s(index) for index in range(slots.count)]
    if slots.count == len(units):
        return starts, None
    return starts, utcnow() + timedelta(seconds=slots.wait_s(slots.count))


def _hold_late_units(
    session: Session,
    context: _Context,
    units: Sequence[SendUnit],
    starts: Sequence[float],
    results: dict[int, DeliveryResult],
) -> tuple[list[SendUnit], list[float]]:
    """Hold push messages whose window closes before the chunk's last slot. Flushes.

    Return the units and start times left to send; the held rows' results go in `results`.
    """
    wait_s = (starts[-1] - time.monotonic()) if starts else 0.0
    if wait_s <= 0:
        return list(units), list(starts)
    messages = [message for unit in units for message in unit.messages]
    openings = push_openings(session, messages, context.now + timedelta(seconds=wait_s))
    results.update(_hold(session, openings, messages))
    kept_units, kept_starts = [], []
    for unit, start in zip(units, starts, strict=True):
        kept = tuple(message for message in unit.messages if message.id not in openings)
        if kept:
            kept_units.append(SendUnit(unit.channel, kept))
            kept_starts.append(start)
    return kept_units, kept_starts
