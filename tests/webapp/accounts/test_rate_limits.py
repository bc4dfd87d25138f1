"""Limits on failed logins, wrong codes and sign-ups, counted in Redis (database 14)."""

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from tests.webapp.accounts import rate_limited
from tests.webapp.accounts.conftest import PASSWORD, Bondy, add_member, signup_data
from tests.webapp.accounts.html_page import Page, csrf_token
from tests.webapp.accounts.two_factor import enable_two_factor, wrong_code
from webapp.models import User
from webapp.models.users import Role

TOO_MANY = "Trop de tentatives"
WRONG_PASSWORD = "pas le bon mot de passe"

# The rate limits are on in this module, counted in an emptied Redis database.
settings = rate_limited.settings
limits_store = rate_limited.limits_store


def _browser(app: Flask, address: str = "198.51.100.1") -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _post(client: FlaskClient, path: str, data: dict[str, object]) -> TestResponse:
    token = csrf_token(client.get(path).get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token})


def _log_in(client: FlaskClient, email: str, password: str = WRONG_PASSWORD) -> TestResponse:
    return _post(client, "/connexion", {"email": email, "password": password})


def _assert_too_many(response: TestResponse) -> None:
    assert response.status_code == 429
    page = Page(response.get_data(as_text=True))
    assert page.select("h1")[0].text == TOO_MANY
    assert "Patientez quelques minutes, puis réessayez." in page.text()


@pytest.mark.parametrize("email", ["camille@example.org", "inconnu@example.org"])
def test_sixth_failed_login_for_an_account_is_refused(
    app: Flask, db_session: Session, bondy: Bondy, email: str
) -> None:
    add_member(db_session, bondy.campaign, Role.VOLUNTEER, "camille@example.org")
    client = _browser(app)
    for _ in range(5):
        assert _log_in(client, email).status_code == 422

    # Even the right password waits, and the response is the same for an unknown address.
    _assert_too_many(_log_in(client, email.upper(), PASSWORD))
    _assert_too_many(_log_in(_browser(app, "198.51.100.2"), email, PASSWORD))


def test_other_accounts_still_log_in(app: Flask, db_session: Session, bondy: Bondy) -> None:
    add_member(db_session, bondy.campaign, Role.VOLUNTEER, "camille@example.org")
    add_member(db_session, bondy.campaign, Role.VOLUNTEER, "lea@example.org")
    client = _browser(app)
    for _ in range(5):
        _log_in(client, "camille@example.org")

    assert _log_in(client, "lea@example.org", PASSWORD).headers["Location"] == "/mon-espace"


def test_successful_logins_are_not_counted(app: Flask, db_session: Session, bondy: Bondy) -> None:
    add_member(db_session, bondy.campaign, Role.VOLUNTEER, "camille@example.org")
    for _ in range(6):
        assert _log_in(_browser(app), "camille@example.org", PASSWORD).status_code == 302


def test_twenty_first_failure_per_address(app: Flask, db_session: Session, bondy: Bondy) -> None:
    client = _browser(app, "203.0.113.7")
    for index in range(20):
        assert _log_in(client, f"personne{index}@example.org").status_code == 422

    _assert_too_many(_log_in(client, "personne20@example.org"))
    assert _log_in(_browser(app, "203.0.113.8"), "personne20@example.org").status_code == 422


def test_counters_hold_no_address(app: Flask, bondy: Bondy, limits_store: redis.Redis) -> None:
    _log_in(_browser(app), "camille@example.org")

    keys = [key.decode() for key in limits_store.scan_iter("*")]
    assert keys
    assert not any("camille" in key or "example.org" in key for key in keys)


def test_eleventh_signup_from_an_address_is_refused(
    app: Flask, db_session: Session, bondy: Bondy
) -> None:
    client = _browser(app, "192.0.2.10")
    # Forms with errors are not counted.
    for _ in range(3):
        assert _post(client, "/inscription", signup_data(phone="")).status_code == 422
    for index in range(10):
        response = _post(client, "/inscription", signup_data(email=f"benevole{index}@example.org"))
        assert response.headers["Location"] == "/inscription/merci"

    _assert_too_many(_post(client, "/inscription", signup_data(email="benevole10@example.org")))
    count = db_session.scalar(select(func.count()).select_from(User))
    assert count == 10


def test_sixth_wrong_code_is_refused(app: Flask, db_session: Session, bondy: Bondy) -> None:
    user = add_member(db_session, bondy.campaign, Role.VOLUNTEER, "camille@example.org")
    secret = enable_two_factor(db_session, user)
    client = _browser(app)
    _log_in(client, "camille@example.org", PASSWORD)
    for _ in range(5):
        assert _post(client, "/connexion/code", {"code": wrong_code(secret)}).status_code == 422

    _assert_too_many(_post(client, "/connexion/code", {"code": wrong_code(secret)}))


def test_sixth_reset_request_for_an_address_is_refused(app: Flask, bondy: Bondy) -> None:
    client = _browser(app)
    for _ in range(5):
        response = _post(client, "/mot-de-passe-oublie", {"email": "inconnu@example.org"})
        assert response.headers["Location"] == "/mot-de-passe-oublie/envoye"

    _assert_too_many(_post(client, "/mot-de-passe-oublie", {"email": "Inconnu@example.org"}))
