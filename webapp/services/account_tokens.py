"""Signed, expiring links for e-mail verification, e-mail change and password reset.

Nothing is stored: each token carries the account id and a fingerprint of the state it
was issued for (the address to verify, the pending address, the password hash). Once
that state changes (the link was used, a newer change replaced it, the password was
changed), the fingerprint no longer matches and the link is refused.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from webapp.models import User
from webapp.services.errors import ServiceError


class TokenPurpose(StrEnum):
    VERIFY_EMAIL = "verify-email"
    CHANGE_EMAIL = "change-email"
    RESET_PASSWORD = "reset-password"  # noqa: S105 - a purpose name


MAX_AGES: dict[TokenPurpose, timedelta] = {
    TokenPurpose.VERIFY_EMAIL: timedelta(days=3),
    TokenPurpose.CHANGE_EMAIL: timedelta(days=1),
    TokenPurpose.RESET_PASSWORD: timedelta(hours=1),
}
# Longer than any token the serializer makes; a longer path is refused unread.
MAX_TOKEN_LENGTH = 400


class TokenProblem(StrEnum):
    INVALID = "invalid"
    EXPIRED = "expired"
    # Used already, or replaced by a newer link or a later change of the account.
    USED = "used"


class TokenError(ServiceError):
    """The link cannot be used, for the reason in `problem`."""

    def __init__(self, problem: TokenProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True)
class TokenKeys:
    """The application secret that signs every link."""

    secret_key: str


def issue_token(keys: TokenKeys, purpose: TokenPurpose, user: User) -> str:
    """Return a link token for `purpose` bound to the account's current state."""
    payload = {"u": user.id, "f": _fingerprint(keys, purpose, user)}
    return str(_serializer(keys, purpose).dumps(payload))


def read_token(session: Session, keys: TokenKeys, purpose: TokenPurpose, token: str) -> User:
    """Return the account a valid token was issued for, or raise TokenError."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise TokenError(TokenProblem.INVALID)
    max_age_s = int(MAX_AGES[purpose].total_seconds())
    try:
        payload: Any = _serializer(keys, purpose).loads(token, max_age=max_age_s)
    except SignatureExpired:
        raise TokenError(TokenProblem.EXPIRED) from None
    except BadSignature:
        raise TokenError(TokenProblem.INVALID) from None
    user_id = payload.get("u") if isinstance(payload, dict) else None
    if not isinstance(user_id, int):
        raise TokenError(TokenProblem.INVALID)
    user = session.get(User, user_id)
    if user is None or not user.is_enabled:
        raise TokenError(TokenProblem.USED)
    fingerprint = _fingerprint(keys, purpose, user)
    if not hmac.compare_digest(str(payload.get("f", "")), fingerprint):
        raise TokenError(TokenProblem.USED)
    return user


def _serializer(keys: TokenKeys, purpose: TokenPurpose) -> URLSafeTimedSerializer:
    # One salt per purpose: a reset link can never be replayed as a verification link.
    return URLSafeTimedSerializer(keys.secret_key, salt=f"tournee.account.{purpose.value}")


def _fingerprint(keys: TokenKeys, purpose: TokenPurpose, user: User) -> str:
    """Digest the part of the account the link is about; it changes once the link is used."""
    if purpose is TokenPurpose.VERIFY_EMAIL:
        # Verified already, or the address changed since: the link is spent.
        state = f"{user.email}|{'verified' if user.email_verified_at else 'waiting'}"
    elif purpose is TokenPurpose.CHANGE_EMAIL:
        state = f"{user.email}|{user.pending_email or ''}"
    else:
        # A new hash (this reset, a change, a rehash at login) spends every reset link.
        state = user.password_hash
    digest = hmac.new(
        keys.secret_key.encode(), f"{purpose.value}|{state}".encode(), hashlib.sha256
    ).hexdigest()
    return digest[:32]
