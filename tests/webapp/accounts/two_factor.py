"""Turning two-step login on for a test account and computing its codes."""

import time

import pyotp
from sqlalchemy.orm import Session

from tests.conftest import TEST_SECRET_KEY
from webapp.models import User
from webapp.services.totp import enable_with_secret
from webapp.services.totp_secrets import open_secret


def enable_two_factor(session: Session, user: User) -> str:
    """Give `user` a TOTP secret, turned on, and commit; return the clear secret."""
    secret = pyotp.random_base32()
    enable_with_secret(session, user, secret, secret_key=TEST_SECRET_KEY)
    session.commit()
    return secret


def stored_secret(user: User) -> str:
    """Return the clear secret the account stores encrypted."""
    assert user.totp_secret is not None
    return open_secret(TEST_SECRET_KEY, user.totp_secret)


def code_now(secret: str) -> str:
    return pyotp.TOTP(secret).now()


def next_code(secret: str) -> str:
    """Return the code of the next 30-second step, which the clock-drift window accepts.

    A test that uses two codes in a row gives this one second: the code of the current
    step was spent by the first.
    """
    totp = pyotp.TOTP(secret)
    return totp.at(time.time() + totp.interval)


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
