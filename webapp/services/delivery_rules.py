"""The rules checked when messages go out, for a whole batch in a few queries.

Consent, campaign and global suppressions and erasures apply to every message; the
campaign's push window, public holidays and electoral silence to push messages only.
"""

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from messaging.providers.base import FailureReason
from messaging.push_window import PushRules, next_push_time
from webapp.models import Campaign, Consent, ErasedContact, Suppression
from webapp.models.messaging import CONSENT_EXEMPT_PURPOSES, MessagePurpose
from webapp.models.users import Channel, ConsentPurpose
from webapp.services.delivery_claims import OutgoingMessage
from webapp.services.erasure import normalise_address, normalised_contact_hash
from webapp.settings_access import get_settings

logger = logging.getLogger(__name__)

PUSH_PURPOSES = frozenset({MessagePurpose.BROADCAST})
# Every purpose needs the consent to canvassing messages on its channel.
# NOTE: push campaigns rely on the same consent as confirmations and reminders; a
# separate purpose for them needs a new ConsentPurpose and a signup wording.
CONSENT_FOR_PURPOSE = {purpose: ConsentPurpose.CANVASS_MESSAGES for purpose in MessagePurpose}


def blocking_reasons(
    session: Session, messages: Sequence[OutgoingMessage]
) -> dict[int, FailureReason]:
    """Return why each message that must not go out now is blocked; reads committed rows.

    An erased or suppressed address is an opt-out. A recipient without an account, or
    whose latest decision for the channel and purpose refuses, lacks consent, except for
    the service notices to staff in CONSENT_EXEMPT_PURPOSES.
    """
    checked = [m for m in messages if m.purpose != MessagePurpose.STOP_CONFIRMATION]
    if not checked:
        return {}
    erased = _erased(session, checked)
    suppressed = _suppressed(session, checked)
    granted = _granted_consents(session, checked)
    reasons: dict[int, FailureReason] = {}
    for message in checked:
        address = (message.channel, message.recipient)
        consent = (message.user_id, message.channel, CONSENT_FOR_PURPOSE[message.purpose])
        if address in erased or _is_suppressed(suppressed, message):
            reasons[message.id] = FailureReason.OPTED_OUT
        elif message.purpose not in CONSENT_EXEMPT_PURPOSES and consent not in granted:
            reasons[message.id] = FailureReason.NO_CONSENT
    return reasons


def _erased(session: Session, messages: Iterable[OutgoingMessage]) -> set[tuple[Channel, str]]:
    """Return the (channel, address) of these messages that belong to erased people."""
    secret_key = get_settings().secret_key
    by_hash: dict[tuple[Channel, str], tuple[Channel, str]] = {}
    for message in messages:
        # Parsing a phone number is the costly step: it is done once per message.
        normalised = normalise_address(message.channel, message.recipient)
        if normalised:
            digest = normalised_contact_hash(secret_key, message.channel, normalised)
            by_hash[(message.channel, digest)] = (message.channel, message.recipient)
    if not by_hash:
        return set()
    rows = session.execute(
        select(ErasedContact.channel, ErasedContact.address_hash).where(
            ErasedContact.address_hash.in_([digest for _, digest in by_hash])
        )
    )
    found = {(channel, digest) for channel, digest in rows}
    return {address for key, address in by_hash.items() if key in found}


def _suppressed(
    session: Session, messages: Sequence[OutgoingMessage]
) -> set[tuple[int | None, Channel, str]]:
    """Return the (campaign or None, channel, address) suppressions these messages meet."""
    campaign_ids = {message.campaign_id for message in messages}
    rows = session.execute(
        select(Suppression.campaign_id, Suppression.channel, Suppression.address).where(
            Suppression.address.in_({message.recipient for message in messages}),
            or_(Suppression.campaign_id.in_(campaign_ids), Suppression.campaign_id.is_(None)),
        )
    )
    return {(campaign_id, channel, address) for campaign_id, channel, address in rows}


def _is_suppressed(
    suppressed: set[tuple[int | None, Channel, str]], message: OutgoingMessage
) -> bool:
    return (message.campaign_id, message.channel, message.recipient) in suppressed or (
        None,
        message.channel,
        message.recipient,
    ) in suppressed


def _granted_consents(
    session: Session, messages: Iterable[OutgoingMessage]
) -> set[tuple[int, Channel, ConsentPurpose]]:
    """Return the (user, channel, purpose) whose latest consent row grants it."""
    user_ids = {message.user_id for message in messages if message.user_id is not None}
    if not user_ids:
        return set()
    latest = (
        select(func.max(Consent.id))
        .where(Consent.user_id.in_(user_ids))
        .group_by(Consent.user_id, Consent.channel, Consent.purpose)
    )
    rows = session.execute(
        select(Consent.user_id, Consent.channel, Consent.purpose).where(
            Consent.id.in_(latest), Consent.is_granted.is_(True)
        )
    )
    return {(user_id, channel, purpose) for user_id, channel, purpose in rows}


def push_openings(
    session: Session, messages: Iterable[OutgoingMessage], at: datetime
) -> dict[int, datetime]:
    """Return when each push message that may not go out at `at` may go out."""
    rules_by_campaign: dict[int, PushRules | None] = {}
    openings: dict[int, datetime] = {}
    for message in messages:
        if message.purpose not in PUSH_PURPOSES:
            continue
        if message.campaign_id not in rules_by_campaign:
            campaign = session.get(Campaign, message.campaign_id)
            rules_by_campaign[message.campaign_id] = push_rules(campaign) if campaign else None
        rules = rules_by_campaign[message.campaign_id]
        opening = next_push_time(at, rules) if rules is not None else at
        if opening > at:
            openings[message.id] = opening
    return openings


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
