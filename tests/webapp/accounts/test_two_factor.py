"""Two-step login: setting it up, codes after the password, recovery codes, staff pages."""

import re
import time
from collections.abc import Callable

import pyotp
import pytest
import segno
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from tests.webapp.accounts.conftest import PASSWORD, Bondy, add_member, post_form
from tests.webapp.accounts.html_page import Page, csrf_token
from tests.webapp.accounts.two_factor import (
    code_now,
    enable_two_factor,
    stored_secret,
    wrong_code,
)
from webapp.accounts.login_session import PENDING_SINCE_KEY, SECOND_FACTOR_KEY
from webapp.models import RecoveryCode, User
from webapp.models.users import Role

LogIn = Callable[..., TestResponse]
WRONG = "Erreur : Ce code n’est pas le bon. Vérifiez-le et réessayez."
SETUP = "/mon-compte/double-authentification"


def _log_out(client: FlaskClient) -> None:
    client.post(
        "/deconnexion", data={"csrf_token": csrf_token(client.get("/").get_data(as_text=True))}
    )


def _set_up(client: FlaskClient, db_session: Session, user: User, path: str = SETUP) -> list[str]:
    """Go through the setup page with a right code; return the recovery codes shown."""
    client.get(path)
    db_session.refresh(user)
    response = post_form(client, path, path, {"code": code_now(stored_secret(user))})
    assert response.status_code == 200
    return Page(response.get_data(as_text=True)).by_id("recovery-codes").text.split()


def test_volunteer_sets_up_two_step_login(
    client: FlaskClient, db_session: Session, bondy: Bondy, log_in: LogIn
) -> None:
    user = add_member(db_session, bondy.campaign, Role.VOLUNTEER, "camille@example.org")
    log_in("camille@example.org")

    response = client.get(SETUP)

    assert response.status_code == 200
    page = Page(response.get_data(as_text=True))
    db_session.refresh(user)
    secret = stored_secret(user)
    assert user.totp_enabled_at is None
    # Encrypted at rest: the stored value does not contain the secret.
    assert user.totp_secret is not None
    assert secret not in user.totp_secret
    assert page.by_id("totp-secret").text == " ".join(re.findall(".{1,4}", secret))
    uri = pyotp.TOTP(secret).provisioning_uri(name="camille@example.org", issuer_name="Tournée")
    [image] = page.select("img", alt="Code QR à scanner avec votre application d’authentification")
    assert image.attrs["src"] == segno.make(uri, error="m").svg_data_uri(scale=5, border=2)
    # Reloading keeps the secret the app may have scanned already.
    client.get(SETUP)
    db_session.refresh(user)
    assert stored_secret(user) == secret

    refused = post_form(client, SETUP, SETUP, {"code": wrong_code(secret)})
    assert refused.status_code == 422
    assert Page(refused.get_data(as_text=True)).by_id("code-error").text == WRONG

    done = post_form(client, SETUP, SETUP, {"code": code_now(secret)})

    assert done.status_code == 200
    codes = Page(done.get_data(as_text=True)).by_id("recovery-codes").text.split()
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", code) for code in codes)
    db_session.refresh(user)
    assert user.totp_enabled_at is not None
    hashes = db_session.scalars(
        select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)
    ).all()
    assert len(hashes) == 10
    assert all(h.startswith("$argon2id$") for h in hashes)
    assert not any(code.replace("-", "") in h for code in codes for h in hashes)
    assert client.get(SETUP).headers["Location"] == "/mon-compte/securite"


def test_login_asks_for_the_code(
    client: FlaskClient, db_session: Session, bondy: Bondy, log_in: LogIn, enter_code: LogIn
) -> None:
    user = add_member(db_session, bondy.campaign, Role.VOLUNTEER, "camille@example.org")
    secret = enable_two_factor(db_session, user)

    assert log_in("camille@example.org").headers["Location"] == "/connexion/code"
    # The password alone opens nothing.
    assert client.get("/mon-espace").headers["Location"].startswith("/connexion")
    page = Page(client.get("/connexion/code").get_data(as_text=True))
    assert page.by_id("code").attrs["autocomplete"] == "one-time-code"

    refused = enter_code(wrong_code(secret))
    assert refused.status_code == 422
    assert Page(refused.get_data(as_text=True)).by_id("code-error").text == WRONG
    assert client.get("/mon-espace").status_code == 302

    accepted = enter_code(" ".join([code_now(secret)[:3], code_now(secret)[3:]]))

    assert accepted.headers["Location"] == "/mon-espace"
    assert client.get("/mon-espace").status_code == 200


def test_login_keeps_next_through_the_code(
    client: FlaskClient, db_session: Session, bondy: Bondy, log_in: LogIn, enter_code: LogIn
) -> None:
    user = add_member(db_session, bondy.campaign, Role.VOLUNTEER, "camille@example.org")
    secret = enable_two_factor(db_session, user)

    log_in("camille@example.org", query="?next=/mon-profil")

    assert enter_code(code_now(secret)).headers["Location"] == "/mon-profil"


def test_recovery_code_works_once(
    client: FlaskClient, db_session: Session, bondy: Bondy, log_in: LogIn, enter_code: LogIn
) -> None:
    user = add_member(db_session, bondy.campaign, Role.VOLUNTEER, "camille@example.org")
    log_in("camille@example.org")
    codes = _set_up(client, db_session, user)
    _log_out(client)

    log_in("camille@example.org")
    response = enter_code(codes[3].upper().replace("-", " "))

    assert response.headers["Location"] == "/mon-espace"
    assert "Vous avez utilisé un code de secours ; il en reste 9." in client.get(
        "/mon-espace"
    ).get_data(as_text=True)
    _log_out(client)
    log_in("camille@example.org")
    assert enter_code(codes[3]).status_code == 422
    assert enter_code(codes[4]).headers["Location"] == "/mon-espace"


def test_pending_login_expires(
    client: FlaskClient, db_session: Session, bondy: Bondy, log_in: LogIn
) -> None:
    user = add_member(db_session, bondy.campaign, Role.VOLUNTEER, "camille@example.org")
    enable_two_factor(db_session, user)
    log_in("camille@example.org")
    with client.session_transaction() as cookie:
        cookie[PENDING_SINCE_KEY] = int(time.time()) - 6 * 60

    assert client.get("/connexion/code").headers["Location"] == "/connexion"


def test_cancel_forgets_the_pending_login(
    client: FlaskClient, db_session: Session, bondy: Bondy, log_in: LogIn
) -> None:
    user = add_member(db_session, bondy.campaign, Role.VOLUNTEER, "camille@example.org")
    enable_two_factor(db_session, user)
    log_in("camille@example.org")

    post_form(client, "/connexion/code", "/connexion/code/annuler", {})

    assert client.get("/connexion/code").headers["Location"] == "/connexion"


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.ADMINISTRATOR])
def test_coordinator_blocked_from_targeting_until_set_up(
    client: FlaskClient, db_session: Session, bondy: Bondy, log_in: LogIn, role: Role
) -> None:
    user = add_member(db_session, bondy.campaign, role, "coord@example.org")
    log_in("coord@example.org")

    blocked = client.get("/ciblage/")

    assert blocked.headers["Location"] == f"{SETUP}?next=/ciblage/"
    page = Page(client.get(blocked.headers["Location"]).get_data(as_text=True))
    assert "La coordination et l’administration voient des données personnelles" in page.text()
    response = post_form(
        client,
        f"{SETUP}?next=/ciblage/",
        f"{SETUP}?next=/ciblage/",
        {"code": _code_of(db_session, user)},
    )
    assert Page(response.get_data(as_text=True)).select("a", href="/ciblage/")
    assert client.get("/ciblage/").status_code == 200


def test_coordinator_waits_for_the_code(
    client: FlaskClient, db_session: Session, bondy: Bondy, log_in: LogIn, enter_code: LogIn
) -> None:
    user = add_member(db_session, bondy.campaign, Role.COORDINATOR, "coord@example.org")
    secret = enable_two_factor(db_session, user)

    log_in("coord@example.org", query="?next=/ciblage/")

    assert client.get("/ciblage/").headers["Location"] == "/connexion?next=%2Fciblage%2F"
    assert enter_code(code_now(secret)).headers["Location"] == "/ciblage/"
    assert client.get("/ciblage/").status_code == 200


def test_session_without_code_asked_for_one(
    client: FlaskClient, db_session: Session, bondy: Bondy, enter_code: LogIn
) -> None:
    user = add_member(db_session, bondy.campaign, Role.COORDINATOR, "coord@example.org")
    secret = enable_two_factor(db_session, user)
    with client.session_transaction() as cookie:
        cookie["_user_id"] = str(user.id)

    assert client.get("/ciblage/").headers["Location"] == "/connexion/code?next=/ciblage/"
    assert enter_code(code_now(secret), query="?next=/ciblage/").headers["Location"] == "/ciblage/"
    with client.session_transaction() as cookie:
        assert cookie[SECOND_FACTOR_KEY]
    assert client.get("/ciblage/").status_code == 200


def test_turning_on_ends_other_sessions(
    client: FlaskClient,
    app_client: Callable[[], FlaskClient],
    db_session: Session,
    bondy: Bondy,
    log_in: LogIn,
) -> None:
    user = add_member(db_session, bondy.campaign, Role.VOLUNTEER, "camille@example.org")
    other = app_client()
    post_form(
        other, "/connexion", "/connexion", {"email": "camille@example.org", "password": PASSWORD}
    )
    log_in("camille@example.org")

    _set_up(client, db_session, user)

    assert client.get("/mon-espace").status_code == 200
    assert other.get("/mon-espace").status_code == 302


def test_volunteer_turns_it_off_with_the_password(
    client: FlaskClient, db_session: Session, bondy: Bondy, log_in: LogIn
) -> None:
    user = add_member(db_session, bondy.campaign, Role.VOLUNTEER, "camille@example.org")
    log_in("camille@example.org")
    _set_up(client, db_session, user)
    action = "/mon-compte/double-authentification/desactiver"

    wrong = post_form(client, "/mon-compte/securite", action, {"current_password": "pas le bon"})
    assert wrong.status_code == 422
    right = post_form(client, "/mon-compte/securite", action, {"current_password": PASSWORD})

    assert right.headers["Location"] == "/mon-compte/securite"
    db_session.refresh(user)
    assert (user.totp_secret, user.totp_enabled_at) == (None, None)
    assert (
        db_session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all() == []
    )


def test_coordinator_cannot_turn_it_off(
    client: FlaskClient, db_session: Session, bondy: Bondy, log_in: LogIn, enter_code: LogIn
) -> None:
    user = add_member(db_session, bondy.campaign, Role.COORDINATOR, "coord@example.org")
    secret = enable_two_factor(db_session, user)
    log_in("coord@example.org")
    enter_code(code_now(secret))
    page = Page(client.get("/mon-compte/securite").get_data(as_text=True))
    assert not page.select("button", formaction="/mon-compte/double-authentification/desactiver")

    post_form(
        client,
        "/mon-compte/securite",
        "/mon-compte/double-authentification/desactiver",
        {"current_password": PASSWORD},
    )

    db_session.refresh(user)
    assert user.totp_enabled_at is not None


def test_new_recovery_codes_replace_the_old(
    client: FlaskClient, db_session: Session, bondy: Bondy, log_in: LogIn, enter_code: LogIn
) -> None:
    user = add_member(db_session, bondy.campaign, Role.VOLUNTEER, "camille@example.org")
    log_in("camille@example.org")
    old = _set_up(client, db_session, user)

    response = post_form(
        client,
        "/mon-compte/securite",
        "/mon-compte/codes-de-secours",
        {"current_password": PASSWORD},
    )

    new = Page(response.get_data(as_text=True)).by_id("recovery-codes").text.split()
    assert len(new) == 10
    assert not set(new) & set(old)
    _log_out(client)
    log_in("camille@example.org")
    assert enter_code(old[0]).status_code == 422
    assert enter_code(new[0]).headers["Location"] == "/mon-espace"


def _code_of(db_session: Session, user: User) -> str:
    db_session.refresh(user)
    return code_now(stored_secret(user))
