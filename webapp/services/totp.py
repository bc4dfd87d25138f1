"""Two-factor authentication: TOTP codes (RFC 6238) and single-use recovery codes."""

import logging
import re
import secrets
from datetime import datetime
from enum import StrEnum

import pyotp
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from webapp.db import utcnow
from webapp.models import RecoveryCode, User
from webapp.services.errors import ServiceError

logger = logging.getLogger(__name__)

RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_LENGTH = 10
# No 0/o, 1/l/i: the codes are copied by hand from paper.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
TOTP_DIGITS = 6
# Accept the code of the previous and next 30-second step too, for clocks that drift.
TOTP_VALID_WINDOW = 1
_TOTP_RE = re.compile(r"\d{6}")
_SEPARATORS_RE = re.compile(r"[\s\-_.]+")
# Recovery codes are random (about 49 bits), so OWASP's argon2id floor is enough and
# checking ten of them stays well under a second.
_recovery_hasher = PasswordHasher(
    time_cost=2, memory_cost=19 * 1024, parallelism=1, hash_len=32, salt_len=16, type=Type.ID
)


class SecondFactor(StrEnum):
    TOTP = "totp"
    RECOVERY_CODE = "recovery_code"


class TwoFactorProblem(StrEnum):
    WRONG_CODE = "wrong_code"
    ALREADY_ENABLED = "already_enabled"
    NOT_ENABLED = "not_enabled"


class TwoFactorError(ServiceError):
    def __init__(self, problem: TwoFactorProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def is_enabled(user: User) -> bool:
    return user.totp_enabled_at is not None and bool(user.totp_secret)


def start_setup(session: Session, user: User) -> str:
    """Return the secret to show as a QR code, keeping one already waiting for its code."""
    if is_enabled(user):
        raise TwoFactorError(TwoFactorProblem.ALREADY_ENABLED)
    if not user.totp_secret:
        # NOTE: the secret is stored in clear because the server computes codes from it,
        # so a database dump gives away the second factor of every account.
        user.totp_secret = pyotp.random_base32()
        session.flush()
    return user.totp_secret


def provisioning_uri(user: User, secret: str, issuer: str) -> str:
    """Return the otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def confirm_setup(
    session: Session, user: User, code: str, now: datetime | None = None
) -> list[str]:
    """Turn TOTP on once the app's first code is right; return the new recovery codes."""
    if is_enabled(user):
        raise TwoFactorError(TwoFactorProblem.ALREADY_ENABLED)
    if not user.totp_secret or not _is_valid_totp(user.totp_secret, code):
        raise TwoFactorError(TwoFactorProblem.WRONG_CODE)
    now = now or utcnow()
    user.totp_enabled_at = now
    codes = _replace_recovery_codes(session, user, now)
    logger.info("two-factor login turned on for user %s", user.id, extra={"user_id": user.id})
    return codes


def check_second_factor(
    session: Session, user: User, code: str, now: datetime | None = None
) -> SecondFactor:
    """Accept a current TOTP code or an unused recovery code, which is then spent."""
    if not is_enabled(user) or user.totp_secret is None:
        raise TwoFactorError(TwoFactorProblem.NOT_ENABLED)
    if _is_valid_totp(user.totp_secret, code):
        # NOTE: a code stays valid for its whole window (up to 90 s), so it can be replayed
        # within it. Rejecting replays needs the last used time step stored on the account.
        return SecondFactor.TOTP
    normalised = normalise_recovery_code(code)
    if len(normalised) == RECOVERY_CODE_LENGTH:
        # Locked, so two requests racing with one code cannot both spend it.
        for stored in _unused_codes(session, user.id, for_update=True):
            if _matches(stored.code_hash, normalised):
                stored.used_at = now or utcnow()
                session.flush()
                logger.info("recovery code used by user %s", user.id, extra={"user_id": user.id})
                return SecondFactor.RECOVERY_CODE
    raise TwoFactorError(TwoFactorProblem.WRONG_CODE)


def regenerate_recovery_codes(
    session: Session, user: User, now: datetime | None = None
) -> list[str]:
    """Replace every recovery code with ten new ones and return them."""
    if not is_enabled(user):
        raise TwoFactorError(TwoFactorProblem.NOT_ENABLED)
    return _replace_recovery_codes(session, user, now or utcnow())


def turn_off(session: Session, user: User) -> None:
    """Forget the secret and the recovery codes."""
    user.totp_secret = None
    user.totp_enabled_at = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.flush()
    logger.info("two-factor login turned off for user %s", user.id, extra={"user_id": user.id})


def count_unused_recovery_codes(session: Session, user_id: int) -> int:
    return len(_unused_codes(session, user_id))


def normalise_recovery_code(text: str) -> str:
    """Lower-case the code and drop the spaces and dashes people type between groups."""
    return _SEPARATORS_RE.sub("", text).lower()


def format_recovery_code(code: str) -> str:
    """Split a code in two groups of five for reading."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def _is_valid_totp(secret: str, code: str) -> bool:
    digits = _SEPARATORS_RE.sub("", code)
    if not _TOTP_RE.fullmatch(digits):
        return False
    return pyotp.TOTP(secret, digits=TOTP_DIGITS).verify(digits, valid_window=TOTP_VALID_WINDOW)


def _replace_recovery_codes(session: Session, user: User, now: datetime) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    session.add_all(
        RecoveryCode(user_id=user.id, code_hash=_recovery_hasher.hash(code), created_at=now)
        for code in codes
    )
    session.flush()
    return [format_recovery_code(code) for code in codes]


def _unused_codes(
    session: Session, user_id: int, *, for_update: bool = False
) -> list[RecoveryCode]:
    query = (
        select(RecoveryCode)
        .where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
        .order_by(RecoveryCode.id)
    )
    if for_update:
        query = query.with_for_update()
    return list(session.scalars(query))


def _matches(code_hash: str, code: str) -> bool:
    try:
        return _recovery_hasher.verify(code_hash, code)
    except (VerificationError, InvalidHashError):
        return False
