"""Two-factor authentication: TOTP codes (RFC 6238) and single-use recovery codes."""

import hmac
import logging
import re
import secrets
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

import pyotp
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from webapp.db import utcnow
from webapp.models import RecoveryCode, User
from webapp.services.errors import ServiceError
from webapp.services.totp_secrets import UnreadableSecretError, open_secret, seal_secret
from webapp.settings_access import get_settings

logger = logging.getLogger(__name__)

RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_LENGTH = 10
# No 0/o, 1/l/i: the codes are copied by hand from paper.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
TOTP_DIGITS = 6
# Accept the code of the previous and next 30-second step too, for clocks that drift.
# A step once accepted, and every earlier one, is rejected afterwards (RFC 6238, 5.2).
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
    # A right code whose time step was used already: the next one must be waited for.
    CODE_ALREADY_USED = "code_already_used"
    ALREADY_ENABLED = "already_enabled"
    NOT_ENABLED = "not_enabled"


class TwoFactorError(ServiceError):
    def __init__(self, problem: TwoFactorProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def is_enabled(user: User) -> bool:
    return user.totp_enabled_at is not None and bool(user.totp_secret)


def start_setup(session: Session, user: User, *, secret_key: str | None = None) -> str:
    """Return the secret to show as a QR code, keeping one already waiting for its code."""
    if is_enabled(user):
        raise TwoFactorError(TwoFactorProblem.ALREADY_ENABLED)
    key = secret_key or get_settings().secret_key
    secret = _read_secret(user, key)
    if secret is None:
        # None yet, or sealed under a key that changed since: the app shows a new one.
        secret = pyotp.random_base32()
        user.totp_secret = seal_secret(key, secret)
        session.flush()
    return secret


def provisioning_uri(user: User, secret: str, issuer: str) -> str:
    """Return the otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def confirm_setup(
    session: Session,
    user: User,
    code: str,
    now: datetime | None = None,
    *,
    secret_key: str | None = None,
) -> list[str]:
    """Turn TOTP on once the app's first code is right; return the new recovery codes."""
    if is_enabled(user):
        raise TwoFactorError(TwoFactorProblem.ALREADY_ENABLED)
    now = now or utcnow()
    secret = _read_secret(user, secret_key or get_settings().secret_key)
    steps = _matching_steps(secret, code, now) if secret else []
    if not steps:
        raise TwoFactorError(TwoFactorProblem.WRONG_CODE)
    user.totp_enabled_at = now
    # The code that turned TOTP on cannot log in a second time.
    user.totp_last_step = steps[-1]
    codes = _replace_recovery_codes(session, user, now)
    logger.info("two-factor login turned on for user %s", user.id, extra={"user_id": user.id})
    return codes


def enable_with_secret(
    session: Session,
    user: User,
    secret: str,
    now: datetime | None = None,
    *,
    secret_key: str | None = None,
) -> None:
    """Turn TOTP on with a secret chosen by the caller, without recovery codes.

    For accounts set up from the command line, such as the demo's coordinator.
    """
    user.totp_secret = seal_secret(secret_key or get_settings().secret_key, secret)
    user.totp_enabled_at = now or utcnow()
    user.totp_last_step = None
    session.flush()


def current_code(user: User, now: datetime | None = None, *, secret_key: str | None = None) -> str:
    """Return the code the account's authenticator app shows at `now`."""
    secret = _read_secret(user, secret_key or get_settings().secret_key)
    if secret is None or not is_enabled(user):
        raise TwoFactorError(TwoFactorProblem.NOT_ENABLED)
    return pyotp.TOTP(secret, digits=TOTP_DIGITS).at(now or utcnow())


def check_second_factor(
    session: Session,
    user: User,
    code: str,
    now: datetime | None = None,
    *,
    secret_key: str | None = None,
) -> SecondFactor:
    """Accept a TOTP code not used before, or an unused recovery code, which is then spent."""
    if not is_enabled(user):
        raise TwoFactorError(TwoFactorProblem.NOT_ENABLED)
    now = now or utcnow()
    secret = _read_secret(user, secret_key or get_settings().secret_key)
    steps = _matching_steps(secret, code, now) if secret else []
    if steps:
        if _claim_step(session, user, steps):
            return SecondFactor.TOTP
        logger.warning(
            "TOTP code of user %s rejected: its time step was already used",
            user.id,
            extra={"user_id": user.id},
        )
        raise TwoFactorError(TwoFactorProblem.CODE_ALREADY_USED)
    normalised = normalise_recovery_code(code)
    if len(normalised) == RECOVERY_CODE_LENGTH:
        # Locked, so two requests racing with one code cannot both spend it.
        for stored in _unused_codes(session, user.id, for_update=True):
            if _matches(stored.code_hash, normalised):
                stored.used_at = now
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
    user.totp_last_step = None
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


def _read_secret(user: User, secret_key: str) -> str | None:
    """Return the account's clear TOTP secret, or None when it has none or it cannot be read."""
    if not user.totp_secret:
        return None
    try:
        return open_secret(secret_key, user.totp_secret)
    except UnreadableSecretError:
        logger.error(
            "TOTP secret of user %s cannot be decrypted: was SECRET_KEY changed?",
            user.id,
            extra={"user_id": user.id},
        )
        return None


def _matching_steps(secret: str, code: str, now: datetime) -> list[int]:
    """Return the time steps, in increasing order, whose code within the window is `code`."""
    digits = _SEPARATORS_RE.sub("", code)
    if not _TOTP_RE.fullmatch(digits):
        return []
    totp = pyotp.TOTP(secret, digits=TOTP_DIGITS)
    current = totp.timecode(now)
    window = range(current - TOTP_VALID_WINDOW, current + TOTP_VALID_WINDOW + 1)
    return [step for step in window if hmac.compare_digest(totp.generate_otp(step), digits)]


def _claim_step(session: Session, user: User, steps: Sequence[int]) -> bool:
    """Record the first of `steps` later than the last one used; False if none is.

    One conditional UPDATE per step, so two requests racing with the same code cannot
    both succeed: the second one waits for the first one's row lock, then finds the step
    taken.
    """
    for step in steps:
        result = session.execute(
            update(User)
            .where(
                User.id == user.id,
                or_(User.totp_last_step.is_(None), User.totp_last_step < step),
            )
            .values(totp_last_step=step)
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0):
            set_committed_value(user, "totp_last_step", step)
            return True
    return False


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
