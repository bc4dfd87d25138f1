"""Signed links a volunteer opens to confirm or cancel an assignment without logging in.

A link names the assignment and the session start it was written for, so a link from a
message sent before the session moved is refused instead of confirming the old time.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

from webapp.db import utcnow
from webapp.services.errors import ServiceError
from webapp.settings_access import get_settings
from webapp.urls import public_url

REPLY_SALT = "tournee.assignment-reply"
# Links are signed when the reminder is written, which can be weeks before the session;
# the replies service also refuses them once the session is over.
REPLY_LINK_MAX_AGE = timedelta(days=120)
# Real tokens are about 90 characters; anything far longer is not one of ours.
MAX_REPLY_TOKEN_LENGTH = 300


class ReplyLinkInvalidError(ServiceError):
    """The link was not signed by this site, or was altered."""


class ReplyLinkExpiredError(ServiceError):
    """The link is genuine but older than `REPLY_LINK_MAX_AGE`."""


@dataclass(frozen=True)
class ReplyClaim:
    """What a valid link says: the assignment and the session start it was written for."""

    assignment_id: int
    start_stamp: str


def start_stamp(moment: datetime) -> str:
    """Return a compact UTC stamp of a session start, as used in links and message keys."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%MZ")


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().secret_key, salt=REPLY_SALT)


def make_reply_token(assignment_id: int, starts_at: datetime) -> str:
    """Sign a link token for one assignment and its current session start."""
    return str(_serializer().dumps({"a": assignment_id, "s": start_stamp(starts_at)}))


def read_reply_token(token: str, *, now: datetime | None = None) -> ReplyClaim:
    """Return the claim of a token, or raise ReplyLinkInvalidError / ReplyLinkExpiredError."""
    if len(token) > MAX_REPLY_TOKEN_LENGTH:
        raise ReplyLinkInvalidError("reply token too long")
    try:
        payload, signed_at = _serializer().loads(token, return_timestamp=True)
    except BadSignature:
        raise ReplyLinkInvalidError("reply token not signed by this site") from None
    claim = _claim(payload)
    if (now or utcnow()) - signed_at > REPLY_LINK_MAX_AGE:
        raise ReplyLinkExpiredError(f"reply link of assignment {claim.assignment_id} expired")
    return claim


def _claim(payload: Any) -> ReplyClaim:
    if not isinstance(payload, dict):
        raise ReplyLinkInvalidError("reply token payload is not an object")
    assignment_id, stamp = payload.get("a"), payload.get("s")
    if not isinstance(assignment_id, int) or not isinstance(stamp, str):
        raise ReplyLinkInvalidError("reply token payload has the wrong fields")
    return ReplyClaim(assignment_id=assignment_id, start_stamp=stamp)


def reply_urls(assignment_id: int, starts_at: datetime) -> dict[str, str]:
    """Return the absolute links of the reply pages: both choices, confirm, cancel."""
    token = make_reply_token(assignment_id, starts_at)
    return {
        "reply_url": public_url("replies.show_reply", token=token),
        "confirm_url": public_url("replies.show_confirmation", token=token),
        "cancel_url": public_url("replies.show_cancellation", token=token),
    }
