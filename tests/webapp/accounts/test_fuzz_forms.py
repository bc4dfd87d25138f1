"""Property tests: a thousand odd or hostile submissions per form, never a 500.

The CSRF check is off and passwords are hashed cheaply here, so that each example costs
one request; both are tested for real elsewhere.
"""

import time
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from sqlalchemy.orm import Session

from tests.factories import make_user
from tests.webapp.accounts.conftest import PASSWORD, Bondy, signup_data
from tests.webapp.accounts.fuzzing import assert_handled, form_of
from webapp.accounts.login_session import (
    PENDING_SINCE_KEY,
    PENDING_USER_KEY,
    SECOND_FACTOR_KEY,
    SESSION_VERSION_KEY,
)
from webapp.accounts.profile_forms import GRANT
from webapp.models import User
from webapp.models.users import Role
from webapp.services import passwords

FUZZ = settings(
    max_examples=1000,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
EMAIL = "camille@example.org"


@pytest.fixture
def fuzz_app(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Flask:
    app.config["WTF_CSRF_ENABLED"] = False
    monkeypatch.setattr(
        passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    return app


@pytest.fixture
def member(fuzz_app: Flask, db_session: Session, bondy: Bondy) -> User:
    user = make_user(db_session, email=EMAIL, password=PASSWORD, campaign=bondy.campaign)
    make_user(db_session, email="lea@example.org", campaign=bondy.campaign)
    db_session.commit()
    return user


@pytest.fixture
def member_client(fuzz_app: Flask, member: User) -> FlaskClient:
    client = fuzz_app.test_client()
    with client.session_transaction() as cookie:
        cookie["_user_id"] = str(member.id)
        cookie[SESSION_VERSION_KEY] = member.session_version
    return client


def _post(client: FlaskClient, path: str, data: dict[str, Any]) -> None:
    response = client.post(path, data=data)
    assert_handled(response, data)


@FUZZ
@given(data=form_of(signup_data(), lists=frozenset({"availability"})))
def test_signup_form(fuzz_app: Flask, bondy: Bondy, data: dict[str, Any]) -> None:
    _post(fuzz_app.test_client(), "/inscription", data)


@FUZZ
@given(data=form_of({"email": EMAIL, "password": PASSWORD}))
def test_login_form(fuzz_app: Flask, member: User, data: dict[str, Any]) -> None:
    _post(fuzz_app.test_client(), "/connexion", data)


@FUZZ
@given(data=form_of({"email": EMAIL}))
def test_reset_request_form(fuzz_app: Flask, member: User, data: dict[str, Any]) -> None:
    _post(fuzz_app.test_client(), "/mot-de-passe-oublie", data)


@FUZZ
@given(data=form_of({"code": "123456"}))
def test_second_factor_form(fuzz_app: Flask, member: User, data: dict[str, Any]) -> None:
    client = fuzz_app.test_client()
    with client.session_transaction() as cookie:
        cookie[PENDING_USER_KEY] = member.id
        cookie[PENDING_SINCE_KEY] = int(time.time())
    _post(client, "/connexion/code", data)


PROFILE_FORMS: dict[str, tuple[dict[str, Any], frozenset[str]]] = {
    "/mon-profil/coordonnees": (
        {"first_name": "Camille", "last_name": "Martin", "phone": "06 12 34 56 78", "locale": "fr"},
        frozenset(),
    ),
    "/mon-profil/adresse-e-mail": (
        {"new_email": "nouvelle@example.org", "current_password": PASSWORD},
        frozenset(),
    ),
    "/mon-profil/disponibilites": (
        {"availability": ["0-morning", "5-evening"]},
        frozenset({"availability"}),
    ),
    "/mon-profil/exceptions": (
        {"on_date": "2099-01-01", "kind": "available", "start_time": "09:00", "end_time": "12:00"},
        frozenset(),
    ),
    "/mon-profil/preferences": (
        {
            "experience": "experienced",
            "partner_email": "lea@example.org",
            "languages": ["ar", "tr"],
            "other_languages": "wo, ln",
            "max_travel_minutes": "30",
            "travel_mode": "transit",
        },
        frozenset({"languages"}),
    ),
    "/mon-profil/consentements": (
        {"purpose": "canvass_messages", "channel": "sms", "decision": GRANT},
        frozenset(),
    ),
}


def _profile_test(path: str) -> Any:
    valid, lists = PROFILE_FORMS[path]

    @FUZZ
    @given(data=form_of(valid, lists=lists))
    def check(member_client: FlaskClient, data: dict[str, Any]) -> None:
        # A page with errors (422) or a redirect: never a login page or a server error.
        response = member_client.post(path, data=data)
        assert_handled(response, data)
        assert not response.headers.get("Location", "").startswith("/connexion")

    return check


test_profile_contact_form = _profile_test("/mon-profil/coordonnees")
test_profile_email_form = _profile_test("/mon-profil/adresse-e-mail")
test_profile_weekly_form = _profile_test("/mon-profil/disponibilites")
test_profile_exception_form = _profile_test("/mon-profil/exceptions")
test_profile_preferences_form = _profile_test("/mon-profil/preferences")
test_profile_consent_form = _profile_test("/mon-profil/consentements")


@pytest.fixture
def coordinator_client(fuzz_app: Flask, db_session: Session, bondy: Bondy) -> FlaskClient:
    user = make_user(
        db_session, email="coord@example.org", campaign=bondy.campaign, role=Role.COORDINATOR
    )
    db_session.commit()
    client = fuzz_app.test_client()
    with client.session_transaction() as cookie:
        cookie["_user_id"] = str(user.id)
        cookie[SECOND_FACTOR_KEY] = 1
    return client


@FUZZ
@given(data=form_of({"email": "invite@example.org", "role": "team_lead"}))
def test_invitation_form(coordinator_client: FlaskClient, data: dict[str, Any]) -> None:
    _post(coordinator_client, "/equipe/invitations", data)
