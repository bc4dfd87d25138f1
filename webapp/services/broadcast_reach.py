"""The recipients of a broadcast, as SQL conditions on `User` shared by count and fan-out.

A recipient is a volunteer of the segment whose latest consent for the channel grants
it, with an address on that channel, and not suppressed for the campaign or
everywhere. The estimate counts these users and the fan-out writes a row for each, so
the number shown to the coordinator before sending is the number of rows the
preparation writes, unless the data changes in between.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from webapp.models import Consent, Suppression, User
from webapp.models.users import Channel, ConsentPurpose
from webapp.services.broadcast_segments import Segment, segment_user_ids


def recipient_address(channel: Channel) -> Any:
    """Return the `User` column that contains a person's address on `channel`."""
    return User.email if channel == Channel.EMAIL else User.phone_e164


def reachable_conditions(
    campaign_id: int, channel: Channel, segment: Segment, now: datetime
) -> tuple[ColumnElement[bool], ...]:
    """Return the WHERE conditions on `User` that select the segment's reachable volunteers."""
    address = recipient_address(channel)
    return (
        User.id.in_(segment_user_ids(campaign_id, segment, now)),
        address.is_not(None),
        address != "",
        _consents(channel),
        ~_suppressed(campaign_id, channel, address),
    )


def count_recipients(
    session: Session, campaign_id: int, channel: Channel, segment: Segment, now: datetime
) -> int:
    """Count the segment's reachable volunteers with one `SELECT count(*)`."""
    conditions = reachable_conditions(campaign_id, channel, segment, now)
    return session.scalar(select(func.count()).select_from(User).where(*conditions)) or 0


def _consents(channel: Channel) -> ColumnElement[bool]:
    """Return whether the user's latest decision on canvassing messages by `channel` grants it.

    Written as "a granted row with no later row" so that the database joins the consents
    once, instead of looking up each user's latest row.
    """
    granted = aliased(Consent)
    later = aliased(Consent)
    return exists().where(
        granted.user_id == User.id,
        granted.channel == channel,
        granted.purpose == ConsentPurpose.CANVASS_MESSAGES,
        granted.is_granted.is_(True),
        ~exists().where(
            later.user_id == granted.user_id,
            later.channel == granted.channel,
            later.purpose == granted.purpose,
            later.id > granted.id,
        ),
    )


def _suppressed(campaign_id: int, channel: Channel, address: Any) -> ColumnElement[bool]:
    return exists().where(
        Suppression.channel == channel,
        Suppression.address == address,
        or_(Suppression.campaign_id == campaign_id, Suppression.campaign_id.is_(None)),
    )
