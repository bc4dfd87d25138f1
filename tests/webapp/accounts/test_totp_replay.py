"""TOTP codes work once, and secrets are encrypted at rest under the application key."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from tests.conftest import TEST_SECRET_KEY
from tests.webapp.accounts.conftest import Bondy, add_member, post_form
from tests.webapp.accounts.html_page import csrf_token
from tests.webapp.accounts.two_factor import code_now, enable_two_factor, next_code
from webapp.models import User
from webapp.models.users import Role
from webapp.services.totp import (
    SecondFactor,
    TwoFactorError,
    TwoFactorProblem,
    check_second_factor,
    confirm_setup,
    regenerate_recovery_codes,
    start_setup,
    turn_off,
)
from webapp.services.totp_secrets import (
    UnreadableSecretError,
    is_clear_secret,
    open_secret,
    seal_secret,
)

LogIn = Callable[..., TestResponse]
# 09:00:15 UTC: the middle of a 30-second step, so one step either side is unambiguous.
AT = datetime(2027, 3, 13, 9, 0, 15, tzinfo=UTC)
STEP = int(AT.timestamp()) // 30
OTHER_KEY = "another-secret-key-that-is-long-enough-98765"


def _volunteer(db_session: Session, bondy: Bondy) -> tuple[User, str]:
    user = add_member(db_session, bondy.campaign, Role.VOLUNTEER, "camille@example.org")
    return user, enable_two_factor(db_session, user)


def _check(db_session: Session, user: User, code: str, at: datetime) -> SecondFactor:
    return check_second_factor(db_session, user, code, at, secret_key=TEST_SECRET_KEY)


def _code_at(secret: str, at: datetime) -> str:
    return pyotp.TOTP(secret).at(at)


def test_code_accepted_only_once(db_session: Session, bondy: Bondy) -> None:
    user, secret = _volunteer(db_session, bondy)
    code = _code_at(secret, AT)

    assert _check(db_session, user, code, AT) is SecondFactor.TOTP
    assert user.totp_last_step == STEP
    with pytest.raises(TwoFactorError) as refused:
        _check(db_session, user, code, AT + timedelta(seconds=10))

    assert refused.value.problem is TwoFactorProblem.CODE_ALREADY_USED
    assert user.totp_last_step == STEP


def test_older_step_refused_after_newer(db_session: Session, bondy: Bondy) -> None:
    user, secret = _volunteer(db_session, bondy)
    # A phone clock 30 s ahead gives the next step's code; the window accepts it.
    ahead = _code_at(secret, AT + timedelta(seconds=30))
    assert _check(db_session, user, ahead, AT) is SecondFactor.TOTP
    assert user.totp_last_step == STEP + 1

    with pytest.raises(TwoFactorError):
        _check(db_session, user, _code_at(secret, AT), AT)
    with pytest.raises(TwoFactorError):
        _check(db_session, user, _code_at(secret, AT - timedelta(seconds=30)), AT)


def test_next_step_accepted_after_current(db_session: Session, bondy: Bondy) -> None:
    user, secret = _volunteer(db_session, bondy)
    assert _check(db_session, user, _code_at(secret, AT), AT) is SecondFactor.TOTP

    later = AT + timedelta(seconds=30)
    assert _check(db_session, user, _code_at(secret, later), later) is SecondFactor.TOTP
    assert user.totp_last_step == STEP + 1


def test_code_outside_window_refused(db_session: Session, bondy: Bondy) -> None:
    user, secret = _volunteer(db_session, bondy)

    with pytest.raises(TwoFactorError):
        _check(db_session, user, _code_at(secret, AT - timedelta(seconds=60)), AT)
    with pytest.raises(TwoFactorError):
        _check(db_session, user, _code_at(secret, AT + timedelta(seconds=60)), AT)
    assert user.totp_last_step is None


def test_setup_code_cannot_log_in(db_session: Session, bondy: Bondy) -> None:
    user = add_member(db_session, bondy.campaign, Role.VOLUNTEER, "camille@example.org")
    secret = start_setup(db_session, user, secret_key=TEST_SECRET_KEY)
    code = _code_at(secret, AT)

    confirm_setup(db_session, user, code, AT, secret_key=TEST_SECRET_KEY)

    assert user.totp_last_step == STEP
    with pytest.raises(TwoFactorError):
        _check(db_session, user, code, AT + timedelta(seconds=5))


def test_turning_off_forgets_the_step(db_session: Session, bondy: Bondy) -> None:
    user, secret = _volunteer(db_session, bondy)
    _check(db_session, user, _code_at(secret, AT), AT)

    turn_off(db_session, user)

    assert (user.totp_secret, user.totp_enabled_at, user.totp_last_step) == (None, None, None)


def test_replayed_code_refused_at_login(
    client: FlaskClient, db_session: Session, bondy: Bondy, log_in: LogIn, enter_code: LogIn
) -> None:
    _, secret = _volunteer(db_session, bondy)
    code = code_now(secret)
    log_in("camille@example.org")
    assert enter_code(code).headers["Location"] == "/mon-espace"
    client.post(
        "/deconnexion", data={"csrf_token": csrf_token(client.get("/").get_data(as_text=True))}
    )

    log_in("camille@example.org")
    replayed = enter_code(code)

    assert replayed.status_code == 422
    assert (
        "Ce code a déjà servi : attendez le suivant dans votre application "
        "d’authentification, puis saisissez-le."
    ) in replayed.get_data(as_text=True)
    assert client.get("/mon-espace").status_code == 302
    assert enter_code(next_code(secret)).headers["Location"] == "/mon-espace"


def test_secret_stored_encrypted(db_session: Session, bondy: Bondy) -> None:
    user = add_member(db_session, bondy.campaign, Role.VOLUNTEER, "camille@example.org")

    secret = start_setup(db_session, user, secret_key=TEST_SECRET_KEY)

    stored = user.totp_secret
    assert stored is not None
    assert secret not in stored
    assert not is_clear_secret(stored)
    assert open_secret(TEST_SECRET_KEY, stored) == secret
    with pytest.raises(UnreadableSecretError):
        open_secret(OTHER_KEY, stored)


def test_setup_replaces_an_unreadable_secret(db_session: Session, bondy: Bondy) -> None:
    user = add_member(db_session, bondy.campaign, Role.VOLUNTEER, "camille@example.org")
    old = start_setup(db_session, user, secret_key=OTHER_KEY)

    new = start_setup(db_session, user, secret_key=TEST_SECRET_KEY)

    assert new != old
    assert user.totp_secret is not None
    assert open_secret(TEST_SECRET_KEY, user.totp_secret) == new


def test_changed_key_leaves_recovery_codes(
    db_session: Session, bondy: Bondy, caplog: pytest.LogCaptureFixture
) -> None:
    user, secret = _volunteer(db_session, bondy)
    codes = regenerate_recovery_codes(db_session, user, AT)

    with pytest.raises(TwoFactorError):
        check_second_factor(db_session, user, _code_at(secret, AT), AT, secret_key=OTHER_KEY)
    used = check_second_factor(db_session, user, codes[0], AT, secret_key=OTHER_KEY)

    assert used is SecondFactor.RECOVERY_CODE
    assert f"TOTP secret of user {user.id} cannot be decrypted" in caplog.text
    assert secret not in caplog.text


def test_clear_and_sealed_told_apart() -> None:
    sealed = seal_secret(TEST_SECRET_KEY, "JBSWY3DPEHPK3PXP")

    assert is_clear_secret("JBSWY3DPEHPK3PXP")
    assert is_clear_secret("JBSWY3DPEHPK3PXP====")
    assert not is_clear_secret(sealed)
    assert not is_clear_secret("")
    assert sealed != seal_secret(TEST_SECRET_KEY, "JBSWY3DPEHPK3PXP")
    assert len(seal_secret(TEST_SECRET_KEY, pyotp.random_base32())) <= 255


def test_setup_page_code_then_login_code(
    client: FlaskClient, db_session: Session, bondy: Bondy, log_in: LogIn, enter_code: LogIn
) -> None:
    user = add_member(db_session, bondy.campaign, Role.VOLUNTEER, "camille@example.org")
    log_in("camille@example.org")
    path = "/mon-compte/double-authentification"
    client.get(path)
    db_session.refresh(user)
    assert user.totp_secret is not None
    secret = open_secret(TEST_SECRET_KEY, user.totp_secret)
    code = code_now(secret)
    assert post_form(client, path, path, {"code": code}).status_code == 200
    client.post(
        "/deconnexion", data={"csrf_token": csrf_token(client.get("/").get_data(as_text=True))}
    )

    log_in("camille@example.org")

    assert enter_code(code).status_code == 422
    assert enter_code(next_code(secret)).headers["Location"] == "/mon-espace"
