"""Limits on logins, codes, sign-ups, resets and short links, and the keys they count by."""

import hashlib
import hmac

# Failed attempts only: a person who types the right password is never slowed down.
LOGIN_FAILURES_PER_ACCOUNT = "5 per 15 minutes"
LOGIN_FAILURES_PER_ADDRESS = "20 per minute"
SECOND_FACTOR_FAILURES_PER_ACCOUNT = "5 per 15 minutes"
PASSWORD_CHECK_FAILURES_PER_ACCOUNT = "5 per 15 minutes"  # noqa: S105 - a rate
# Accepted sign-ups only, so that someone fixing typos is not counted.
SIGNUPS_PER_ADDRESS = "10 per hour"
# Every request counts: each one may send an e-mail.
RESET_REQUESTS_PER_ACCOUNT = "5 per hour"
RESET_REQUESTS_PER_ADDRESS = "20 per hour"
INVITATIONS_PER_ACCOUNT = "50 per day"
# Unknown short route codes only, so a volunteer who mistypes a code from paper a few times
# still gets through.
LINK_GUESSES_PER_ADDRESS = "20 per 10 minutes"


def subject_key(secret_key: str, kind: str, value: str) -> str:
    """Return an opaque counter key for `value`, so Redis never stores an e-mail address.

    The value is lower-cased and stripped first, as logins are, so that "A@x.fr " and
    "a@x.fr" share one counter.
    """
    normalised = value.strip().lower()
    digest = hmac.new(
        secret_key.encode(), f"{kind}:{normalised}".encode(), hashlib.sha256
    ).hexdigest()
    return f"{kind}:{digest[:32]}"
