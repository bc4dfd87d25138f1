"""Fixtures of the accounts tests: the Bondy territory, a campaign and form helpers."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from tests.factories import make_bondy_addresses, make_campaign, make_user
from tests.webapp.accounts.html_page import csrf_token
from webapp.models import Address, Campaign, User
from webapp.models.users import Role

PASSWORD = "une phrase de passe assez longue"


@dataclass(frozen=True)
class Bondy:
    campaign: Campaign
    addresses: dict[str, Address]


@pytest.fixture
def bondy(db_session: Session) -> Bondy:
    """Bondy with a few real BAN addresses and a campaign on it, visible to requests."""
    addresses = make_bondy_addresses(db_session)
    campaign = make_campaign(db_session)
    db_session.commit()
    return Bondy(campaign=campaign, addresses=addresses)


def signup_data(**changes: object) -> dict[str, object]:
    """Return a complete, valid sign-up form as a browser posts it, with `changes` applied."""
    data: dict[str, object] = {
        "first_name": "Camille",
        "last_name": "Martin",
        "email": "Camille.Martin@Example.org",
        "phone": "06 12 34 56 78",
        "home": "152 bis avenue Galliéni",
        "availability": ["0-afternoon", "0-evening", "5-morning"],
        "experience": "experienced",
        "consent_email": "y",
        "consent_sms": "y",
        "password": PASSWORD,
        "password_confirmation": PASSWORD,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def post_signup(client: FlaskClient) -> Callable[..., TestResponse]:
    """Open the form, then post it with its CSRF token and the given fields."""

    def post(**changes: object) -> TestResponse:
        token = csrf_token(client.get("/inscription").get_data(as_text=True))
        return client.post("/inscription", data={**signup_data(**changes), "csrf_token": token})

    return post


@pytest.fixture
def log_in(client: FlaskClient) -> Callable[..., TestResponse]:
    """Post the login form with a fresh CSRF token."""

    def post(email: str, password: str = PASSWORD, query: str = "") -> TestResponse:
        token = csrf_token(client.get("/connexion").get_data(as_text=True))
        return client.post(
            f"/connexion{query}", data={"email": email, "password": password, "csrf_token": token}
        )

    return post


def add_member(
    session: Session, campaign: Campaign, role: Role, email: str, first_name: str = "Camille"
) -> User:
    user = make_user(
        session, email=email, password=PASSWORD, campaign=campaign, role=role, first_name=first_name
    )
    session.commit()
    return user


@pytest.fixture
def enter_code(client: FlaskClient) -> Callable[..., TestResponse]:
    """Post the second-factor form with a fresh CSRF token."""

    def post(code: str, query: str = "") -> TestResponse:
        page = client.get(f"/connexion/code{query}")
        assert page.status_code == 200, page.headers.get("Location")
        token = csrf_token(page.get_data(as_text=True))
        return client.post(f"/connexion/code{query}", data={"code": code, "csrf_token": token})

    return post


def post_form(
    client: FlaskClient, page_path: str, action: str, data: Mapping[str, object]
) -> TestResponse:
    """Open `page_path`, then post `data` with its CSRF token to `action`."""
    token = csrf_token(client.get(page_path).get_data(as_text=True))
    return client.post(action, data={**data, "csrf_token": token})


@pytest.fixture
def app_client(app: Flask) -> Callable[[], FlaskClient]:
    """Open another browser on the same app, with its own cookies."""
    return app.test_client
