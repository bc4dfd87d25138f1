"""Fixtures of the privacy tests: the seeded person, a bystander and logging in."""

import re

import pyotp
import pytest
from flask.testing import FlaskClient
from sqlalchemy import update
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from tests.conftest import TEST_SECRET_KEY
from tests.webapp.privacy.seed import (
    PASSWORD,
    SeededPerson,
    add_user,
    make_territory,
    seed_bystander,
    seed_person,
)
from webapp.db import SESSION_FACTORY_KEY
from webapp.models import Campaign, User
from webapp.models.users import Role
from webapp.services.totp import enable_with_secret

# Staff pages open only after a second factor: staff of these tests share this secret.
STAFF_TOTP_SECRET = pyotp.random_base32()


@pytest.fixture
def person(db_session: Session) -> SeededPerson:
    """The person written into every table, committed so that requests see them."""
    seeded = seed_person(db_session, make_territory(db_session))
    db_session.commit()
    return seeded


@pytest.fixture
def bystander(db_session: Session, person: SeededPerson) -> User:
    user = seed_bystander(db_session, person.campaign)
    db_session.commit()
    return user


def csrf_token(html: str) -> str:
    """Return the first CSRF token of a page."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match is not None, "no CSRF token on the page"
    return match.group(1)


def make_member(
    session: Session,
    campaign: Campaign,
    role: Role,
    email: str,
    *,
    first_name: str = "Sacha",
    last_name: str = "Membre",
    phone_e164: str | None = None,
) -> User:
    """Add a member of `campaign`; staff get a second factor, as their pages require."""
    user = add_user(
        session,
        email=email,
        first_name=first_name,
        last_name=last_name,
        phone_e164=phone_e164,
        campaign=campaign,
        role=role,
    )
    if role in (Role.COORDINATOR, Role.ADMINISTRATOR):
        enable_with_secret(session, user, STAFF_TOTP_SECRET, secret_key=TEST_SECRET_KEY)
    session.flush()
    return user


def log_in(client: FlaskClient, email: str, password: str = PASSWORD) -> TestResponse:
    """Log in through the login form, and type the second factor when it is asked for."""
    token = csrf_token(client.get("/connexion").get_data(as_text=True))
    response = client.post(
        "/connexion", data={"email": email, "password": password, "csrf_token": token}
    )
    assert response.status_code == 302, response.status_code
    if "/connexion/code" in response.headers["Location"]:
        _forget_used_code(client, email)
        token = csrf_token(client.get("/connexion/code").get_data(as_text=True))
        response = client.post(
            "/connexion/code",
            data={"code": pyotp.TOTP(STAFF_TOTP_SECRET).now(), "csrf_token": token},
        )
        assert response.status_code == 302, response.status_code
    return response


def _forget_used_code(client: FlaskClient, email: str) -> None:
    """Clear the account's last used TOTP step, so this login may reuse the current code.

    A code is refused once its step was used, and tests log the same person in several
    times within one 30-second step.
    """
    factory = client.application.extensions[SESSION_FACTORY_KEY]
    with factory() as session:
        session.execute(update(User).where(User.email == email).values(totp_last_step=None))
        session.commit()
