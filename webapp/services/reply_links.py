"""Signed links a volunteer opens without logging in: reply to an assignment, rate a session.

A reply link names the assignment and the session start it was written for, so a link
from a message sent before the session moved is refused instead of confirming the old
time. A feedback link names the assignment only, and the feedback service decides when
its form is open. Each kind has its own salt, so one cannot stand for the other.
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
FEEDBACK_SALT = "tournee.session-feedback"
# The feedback link is signed with the thank-you message, when the reminders are
# written. The feedback service closes the form 30 days after the thank-you, so this
# bound only rejects a link far older than any session could be.
FEEDBACK_LINK_MAX_AGE = timedelta(days=400)


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


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().secret_key, salt=salt)


def make_reply_token(assignment_id: int, starts_at: datetime) -> str:
    """Sign a link token for one assignment and its current session start."""
    return str(_serializer(REPLY_SALT).dumps({"a": assignment_id, "s": start_stamp(starts_at)}))


def read_reply_token(token: str, *, now: datetime | None = None) -> ReplyClaim:
    """Return the claim of a token, or raise ReplyLinkInvalidError / ReplyLinkExpiredError."""
    payload, signed_at = _load(token, REPLY_SALT)
    claim = _claim(payload)
    if (now or utcnow()) - signed_at > REPLY_LINK_MAX_AGE:
        raise ReplyLinkExpiredError(f"reply link of assignment {claim.assignment_id} expired")
    return claim


def make_feedback_token(assignment_id: int) -> str:
    """Sign a link token to the feedback form of one assignment's session."""
    return str(_serializer(FEEDBACK_SALT).dumps({"a": assignment_id}))


def read_feedback_token(token: str, *, now: datetime | None = None) -> int:
    """Return the assignment id of a feedback token.

    Raises ReplyLinkInvalidError or ReplyLinkExpiredError.
    """
    payload, signed_at = _load(token, FEEDBACK_SALT)
    assignment_id = payload.get("a") if isinstance(payload, dict) else None
    if not isinstance(assignment_id, int):
        raise ReplyLinkInvalidError("feedback token payload has the wrong fields")
    if (now or utcnow()) - signed_at > FEEDBACK_LINK_MAX_AGE:
        raise ReplyLinkExpiredError(f"feedback link of assignment {assignment_id} expired")
    return assignment_id


def feedback_url(assignment_id: int) -> str:
    """Return the absolute link of the feedback form of one assignment's session."""
    return public_url("replies.show_feedback", token=make_feedback_token(assignment_id))


def _load(token: str, salt: str) -> tuple[Any, datetime]:
    """Check a token's length and signature, then return its payload and signing time."""
    if len(token) > MAX_REPLY_TOKEN_LENGTH:
        raise ReplyLinkInvalidError("link token too long")
    try:
        payload, signed_at = _serializer(salt).loads(token, return_timestamp=True)
    except BadSignature:
        raise ReplyLinkInvalidError("link token not signed by this site") from None
    return payload, signed_at


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
