"""Accounts: checking credentials, session versions and password changes."""

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.db import utcnow
from webapp.models import User
from webapp.services.errors import ServiceError
from webapp.services.passwords import (
    hash_password,
    needs_rehash,
    spend_hashing_time,
    verify_password,
)
from webapp.services.recontact import lift_erasure_marks

logger = logging.getLogger(__name__)


class WrongPasswordError(ServiceError):
    """The current password given to confirm a change is not the account's."""


def find_user_by_email(session: Session, email: str) -> User | None:
    """Return the account of this address, compared in lower case, or None."""
    return session.scalars(select(User).where(User.email == email.strip().lower())).first()


def find_session_user(session: Session, user_id: int, session_version: int) -> User | None:
    """Return the enabled user whose sessions are still at `session_version`, else None."""
    user = session.get(User, user_id)
    if user is None or not user.is_enabled or user.session_version != session_version:
        return None
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """Return the enabled user with these credentials, upgrading an outdated hash.

    Every refusal costs one argon2 computation, whether the address is unknown, the
    account disabled or the password wrong, so the response time reveals nothing.
    """
    user = find_user_by_email(session, email)
    if user is None:
        spend_hashing_time(password)
        return None
    if not verify_password(user.password_hash, password) or not user.is_enabled:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.flush()
        logger.info("password hash of user %s upgraded", user.id, extra={"user_id": user.id})
    return user


def end_all_sessions(session: Session, user: User) -> int:
    """Bump the session version so that every session of the account ends; return it."""
    user.session_version = (user.session_version or 1) + 1
    session.flush()
    return user.session_version


def check_current_password(user: User, password: str) -> None:
    """Raise WrongPasswordError unless `password` is the account's."""
    if not verify_password(user.password_hash, password):
        raise WrongPasswordError()


def change_password(session: Session, user: User, current: str, new: str) -> int:
    """Replace the password after checking the current one; end other sessions.

    Return the new session version, which the caller stores in its own session so that
    only the other sessions end.
    """
    check_current_password(user, current)
    return set_password(session, user, new)


def set_password(session: Session, user: User, new: str) -> int:
    """Store a new password hash and end every session; return the new session version."""
    user.password_hash = hash_password(new)
    version = end_all_sessions(session, user)
    logger.info("password of user %s changed", user.id, extra={"user_id": user.id})
    return version


def mark_email_verified(session: Session, user: User, now: datetime | None = None) -> None:
    """Record that the owner of the account's address opened a link sent to it.

    A returning person's consents given at sign-up now count: the erasure marks of their
    contacts go.
    """
    if user.email_verified_at is None:
        user.email_verified_at = now or utcnow()
        session.flush()
    lift_erasure_marks(session, user)
