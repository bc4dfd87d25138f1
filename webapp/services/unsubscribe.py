"""One-click e-mail unsubscribe (RFC 8058): signed links, headers, and the withdrawal itself.

The link carries only the user and campaign ids, signed with the app secret. It does not
expire: a person may follow it from an old e-mail, and all it can do is stop e-mails.
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from webapp.db import utcnow
from webapp.models import Campaign, Consent, Message, Suppression, User
from webapp.models.users import Channel, ConsentPurpose
from webapp.services.errors import ServiceError
from webapp.settings_access import get_settings
from webapp.urls import public_url

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "tournee.unsubscribe"
UNSUBSCRIBE_SOURCE = "unsubscribe_link"
UNSUBSCRIBE_REASON = "unsubscribe_link"
# Wording the person saw: the confirmation page of the link, or their mail client's button.
UNSUBSCRIBE_WORDING_VERSION = "unsubscribe-link-v1"
MAX_UNSUBSCRIBE_TOKEN_LENGTH = 200


class UnsubscribeLinkInvalidError(ServiceError):
    """The link was not signed by this site, or was altered."""


@dataclass(frozen=True)
class UnsubscribeClaim:
    user_id: int
    campaign_id: int


@dataclass(frozen=True)
class UnsubscribeResult:
    """Whether following the link changed anything: a second click finds nothing to do."""

    was_subscribed: bool


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(get_settings().secret_key, salt=UNSUBSCRIBE_SALT)


def make_unsubscribe_token(user_id: int, campaign_id: int) -> str:
    """Sign the token of a person's unsubscribe link for one campaign."""
    return str(_serializer().dumps({"u": user_id, "c": campaign_id}))


def read_unsubscribe_token(token: str) -> UnsubscribeClaim:
    """Return the ids a token names, or raise UnsubscribeLinkInvalidError."""
    if len(token) > MAX_UNSUBSCRIBE_TOKEN_LENGTH:
        raise UnsubscribeLinkInvalidError("unsubscribe token too long")
    try:
        payload: Any = _serializer().loads(token)
    except BadSignature:
        raise UnsubscribeLinkInvalidError("unsubscribe token not signed by this site") from None
    if not isinstance(payload, dict):
        raise UnsubscribeLinkInvalidError("unsubscribe token payload is not an object")
    user_id, campaign_id = payload.get("u"), payload.get("c")
    if not isinstance(user_id, int) or not isinstance(campaign_id, int):
        raise UnsubscribeLinkInvalidError("unsubscribe token payload has the wrong fields")
    return UnsubscribeClaim(user_id=user_id, campaign_id=campaign_id)


def unsubscribe_url(user_id: int, campaign_id: int) -> str:
    """Return the absolute unsubscribe link of a person for one campaign."""
    token = make_unsubscribe_token(user_id, campaign_id)
    return public_url("replies.show_unsubscribe", token=token)


def unsubscribe_headers(message: Message) -> dict[str, str]:
    """Return the `List-Unsubscribe` headers of an e-mail row; none for SMS or no user.

    Needs an app context.
    """
    if message.channel != Channel.EMAIL or message.user_id is None:
        return {}
    return unsubscribe_links(message.user_id, message.campaign_id).headers


@dataclass(frozen=True)
class UnsubscribeLinks:
    """A person's unsubscribe page for one campaign, and the headers of their e-mails."""

    page_url: str
    headers: dict[str, str]


def unsubscribe_links(user_id: int, campaign_id: int) -> UnsubscribeLinks:
    """Return the unsubscribe page link and `List-Unsubscribe` headers, with one token.

    Needs an app context. Mail clients that honour `List-Unsubscribe-Post` send a POST
    to the link, which unsubscribes without showing a page.
    """
    token = make_unsubscribe_token(user_id, campaign_id)
    url = public_url("replies.unsubscribe_email", token=token)
    # NOTE: nothing reads the mailbox of the sender address yet, so a client that uses
    # the mailto form instead of the link unsubscribes nobody until inbound mail is handled.
    mailto = f"mailto:{get_settings().email_sender}?subject={quote('unsubscribe ' + token)}"
    return UnsubscribeLinks(
        page_url=public_url("replies.show_unsubscribe", token=token),
        headers={
            "List-Unsubscribe": f"<{url}>, <{mailto}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def unsubscribe(session: Session, token: str, *, now: datetime | None = None) -> UnsubscribeResult:
    """Withdraw the person's e-mail consent and suppress their address for the campaign.

    Withdrawal is a new consent row, never an update. Repeated requests (mail clients
    may post more than once) add nothing. Flushes only; the caller commits.
    """
    claim = read_unsubscribe_token(token)
    now = now or utcnow()
    user = session.scalars(
        select(User).where(User.id == claim.user_id).options(selectinload(User.consents))
    ).first()
    if user is None or session.get(Campaign, claim.campaign_id) is None:
        # The person or the campaign was erased: there is nobody left to write to.
        return UnsubscribeResult(was_subscribed=False)
    was_subscribed = user.has_consent(Channel.EMAIL)
    if was_subscribed:
        user.consents.append(
            Consent(
                purpose=ConsentPurpose.CANVASS_MESSAGES,
                channel=Channel.EMAIL,
                is_granted=False,
                wording_version=UNSUBSCRIBE_WORDING_VERSION,
                source=UNSUBSCRIBE_SOURCE,
                created_at=now,
            )
        )
    _suppress(session, claim.campaign_id, user.email, now)
    session.flush()
    logger.info(
        "User %s unsubscribed from e-mails of campaign %s",
        user.id,
        claim.campaign_id,
        extra={"user_id": user.id, "campaign_id": claim.campaign_id},
    )
    return UnsubscribeResult(was_subscribed=was_subscribed)


def _suppress(session: Session, campaign_id: int, address: str, now: datetime) -> None:
    exists = session.scalars(
        select(Suppression.id).where(
            Suppression.campaign_id == campaign_id,
            Suppression.channel == Channel.EMAIL,
            Suppression.address == address,
        )
    ).first()
    if exists is not None:
        return
    try:
        with session.begin_nested():
            session.add(
                Suppression(
                    campaign_id=campaign_id,
                    channel=Channel.EMAIL,
                    address=address,
                    reason=UNSUBSCRIBE_REASON,
                    created_at=now,
                )
            )
    except IntegrityError:
        # A second click committed the same suppression first.
        return
