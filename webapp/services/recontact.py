"""Lifting the erasure mark of a contact whose owner came back and consented again.

Erasing a person leaves a keyed hash of each of their contacts, and delivery suppresses
every message to a marked address. A person who signs up again, or gives that address
to their account later, would stay unreachable. The mark goes only on fresh consent
from someone who owns the account:

- the account's e-mail address is verified: the owner opened a link sent to it;
- the contact is the account's current e-mail address or mobile number;
- for that channel, the latest decision on some purpose grants consent, and it was
  made after the mark was created.

A consent given before the erasure, or by an account whose address was never verified,
lifts nothing. Services call `lift_erasure_marks` after each change that can meet these
conditions: an address verified, an e-mail address changed, a phone number changed, a
consent given.
NOTE: no code checks that the account holder owns the mobile number; lifting the SMS
mark relies on their word, as every SMS consent does.
"""

import logging
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from webapp.models import Consent, ErasedContact, User
from webapp.models.users import Channel
from webapp.services.erasure import contact_hash
from webapp.settings_access import get_settings

logger = logging.getLogger(__name__)


def lift_erasure_marks(
    session: Session, user: User, *, secret_key: str | None = None
) -> list[Channel]:
    """Drop the marks of the account's contacts that its owner consented to anew.

    Return the channels whose mark went. Flushes only.
    """
    contacts = [
        (channel, address)
        for channel, address in ((Channel.EMAIL, user.email), (Channel.SMS, user.phone_e164))
        if address
    ]
    if user.email_verified_at is None or not contacts or not _has_any_mark(session):
        return []
    key = secret_key or get_settings().secret_key
    lifted: list[Channel] = []
    for channel, address in contacts:
        mark = session.scalars(
            select(ErasedContact).where(
                ErasedContact.channel == channel,
                ErasedContact.address_hash == contact_hash(key, channel, address),
            )
        ).first()
        if mark is None or not _has_consented_since(session, user.id, channel, mark.created_at):
            continue
        session.delete(mark)
        lifted.append(channel)
        logger.info(
            "erasure mark of the %s contact of user %s lifted after a new consent",
            channel.value,
            user.id,
            extra={"user_id": user.id},
        )
    session.flush()
    return lifted


def _has_any_mark(session: Session) -> bool:
    return bool(session.scalar(select(exists().where(ErasedContact.id.is_not(None)))))


def _has_consented_since(session: Session, user_id: int, channel: Channel, since: datetime) -> bool:
    """Tell whether the latest decision of some purpose on `channel` grants it, after `since`."""
    rows = session.execute(
        select(Consent.purpose, Consent.is_granted, Consent.created_at)
        .where(Consent.user_id == user_id, Consent.channel == channel)
        .order_by(Consent.id)
    ).all()
    latest = {purpose: (is_granted, created_at) for purpose, is_granted, created_at in rows}
    return any(is_granted and created_at > since for is_granted, created_at in latest.values())
