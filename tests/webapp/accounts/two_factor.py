"""Turning two-step login on for a test account and computing its current code."""

import time

import pyotp
from sqlalchemy.orm import Session

from webapp.db import utcnow
from webapp.models import User


def enable_two_factor(session: Session, user: User) -> str:
    """Give `user` a TOTP secret, turned on, and commit; return the secret."""
    secret = pyotp.random_base32()
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
    session.commit()
    return secret


def code_now(secret: str) -> str:
    return pyotp.TOTP(secret).now()


def wrong_code(secret: str) -> str:
    """Return six digits that are not valid in the current window of `secret`."""
    totp = pyotp.TOTP(secret)
    now = time.time()
    # Two steps either side, in case the clock ticks between here and the check.
    valid = {totp.at(now + shift * totp.interval) for shift in (-2, -1, 0, 1, 2)}
    candidate = 0
    while f"{candidate:06d}" in valid:
        candidate += 1
    return f"{candidate:06d}"
