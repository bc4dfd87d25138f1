from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from tests.factories import make_user
from tests.webapp.accounts.conftest import PASSWORD, Bondy, add_member
from tests.webapp.accounts.html_page import Page, csrf_token
from tests.webapp.accounts.two_factor import code_now, enable_two_factor
from tests.webapp.test_safe_redirect import HOSTILE
from webapp.models.users import Role

LogIn = Callable[..., TestResponse]
INCORRECT = "Adresse e-mail ou mot de passe incorrect."


def test_login_page_is_french(client: FlaskClient) -> None:
    response = client.get("/connexion")
    assert response.status_code == 200
    page = Page(response.get_data(as_text=True))
    assert page.by_id("email").attrs["autocomplete"] == "username"
    assert page.by_id("password").attrs["autocomplete"] == "current-password"
    assert "Mot de passe" in page.text()


def test_volunteer_lands_on_their_sessions(
    client: FlaskClient, db_session: Session, bondy: Bondy, log_in: LogIn
) -> None:
    add_member(db_session, bondy.campaign, Role.VOLUNTEER, "camille@example.org")

    response = log_in(" Camille@Example.org ")

    assert response.status_code == 302
    assert response.headers["Location"] == "/mon-espace"
    assert "Mes sessions" in Page(client.get("/mon-espace").get_data(as_text=True)).text()


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.ADMINISTRATOR])
def test_coordinator_lands_on_the_map_after_the_code(
    db_session: Session, bondy: Bondy, log_in: LogIn, enter_code: LogIn, role: Role
) -> None:
    member = add_member(db_session, bondy.campaign, role, "coord@example.org")
    secret = enable_two_factor(db_session, member)

    assert log_in("coord@example.org").headers["Location"] == "/connexion/code"
    assert enter_code(code_now(secret)).headers["Location"] == "/ciblage/"


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.ADMINISTRATOR])
def test_coordinator_without_second_factor_lands_on_its_setup(
    db_session: Session, bondy: Bondy, log_in: LogIn, role: Role
) -> None:
    add_member(db_session, bondy.campaign, role, "coord@example.org")

    assert log_in("coord@example.org").headers["Location"] == (
        "/mon-compte/double-authentification?next=/ciblage/"
    )


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("camille@example.org", "pas le bon mot de passe"),
        ("inconnu@example.org", PASSWORD),
        ("disabled@example.org", PASSWORD),
    ],
)
def test_refused_login_gives_one_french_message(
    db_session: Session, bondy: Bondy, log_in: LogIn, email: str, password: str
) -> None:
    add_member(db_session, bondy.campaign, Role.VOLUNTEER, "camille@example.org")
    make_user(db_session, email="disabled@example.org", password=PASSWORD, is_enabled=False)
    db_session.commit()

    response = log_in(email, password)

    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    assert (
        page.select("div", role="alert")[0].text
        == f"Veuillez corriger les points suivants {INCORRECT}"
    )
    assert page.by_id("email").attrs["value"] == email
    assert page.by_id("password").attrs.get("value", "") == ""
    assert password not in page.html


def test_empty_login_form_names_both_fields(client: FlaskClient, log_in: LogIn) -> None:
    response = log_in("", "")

    page = Page(response.get_data(as_text=True))
    assert page.by_id("email-error").text == "Erreur : Indiquez votre adresse e-mail."
    assert page.by_id("password-error").text == "Erreur : Indiquez votre mot de passe."


@pytest.mark.parametrize(
    ("next_url", "location"),
    [
        ("/planification/sessions", "/planification/sessions"),
        ("//evil.example", "/mon-espace"),
        ("https://evil.example/", "/mon-espace"),
        ("/\\evil.example", "/mon-espace"),
        ("javascript:alert(1)", "/mon-espace"),
    ],
)
def test_next_stays_on_site(
    db_session: Session, bondy: Bondy, log_in: LogIn, next_url: str, location: str
) -> None:
    add_member(db_session, bondy.campaign, Role.VOLUNTEER, "camille@example.org")

    response = log_in("camille@example.org", query="?" + urlencode({"next": next_url}))

    assert response.headers["Location"] == location


def test_form_keeps_only_a_safe_next(client: FlaskClient) -> None:
    safe = Page(client.get("/connexion?next=/mon-espace").get_data(as_text=True))
    unsafe = Page(client.get("/connexion?next=//evil.example").get_data(as_text=True))

    assert safe.select("form", method="post")[-1].attrs["action"] == "/connexion?next=/mon-espace"
    assert unsafe.select("form", method="post")[-1].attrs["action"] == "/connexion"


def test_logged_in_visitor_skips_the_form(
    client: FlaskClient, db_session: Session, bondy: Bondy, log_in: LogIn
) -> None:
    add_member(db_session, bondy.campaign, Role.VOLUNTEER, "camille@example.org")
    log_in("camille@example.org")

    response = client.get("/connexion")

    assert response.status_code == 302
    assert response.headers["Location"] == "/mon-espace"


def test_logout_needs_post_and_csrf(
    client: FlaskClient, db_session: Session, bondy: Bondy, log_in: LogIn
) -> None:
    add_member(db_session, bondy.campaign, Role.VOLUNTEER, "camille@example.org")
    log_in("camille@example.org")

    assert client.get("/deconnexion").status_code == 405
    assert client.post("/deconnexion").status_code == 400
    assert client.get("/mon-espace").status_code == 200

    token = csrf_token(client.get("/mon-espace").get_data(as_text=True))
    response = client.post("/deconnexion", data={"csrf_token": token})

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "Déconnexion effectuée. À bientôt !" in client.get("/").get_data(as_text=True)
    assert client.get("/mon-espace").headers["Location"] == "/connexion?next=%2Fmon-espace"


def test_login_without_csrf_is_rejected(client: FlaskClient) -> None:
    response = client.post(
        "/connexion", data={"email": "camille@example.org", "password": PASSWORD}
    )
    assert response.status_code == 400


@pytest.mark.parametrize("next_url", HOSTILE)
def test_hostile_next_never_leaves_site(
    db_session: Session, bondy: Bondy, log_in: LogIn, next_url: str
) -> None:
    add_member(db_session, bondy.campaign, Role.VOLUNTEER, "camille@example.org")

    response = log_in("camille@example.org", query="?" + urlencode({"next": next_url}))

    if "\x00" in next_url:
        # The app refuses any request holding a NUL before it reaches a view.
        assert response.status_code == 400
        return
    location = response.headers["Location"]
    assert location.startswith("/")
    assert not location.startswith("//")
    assert "\\" not in location
    assert urlsplit(location).netloc == ""


def test_no_limit_when_limits_are_off(
    app: Flask, db_session: Session, bondy: Bondy, log_in: LogIn
) -> None:
    assert app.config["RATELIMIT_ENABLED"] is False
    add_member(db_session, bondy.campaign, Role.VOLUNTEER, "camille@example.org")

    for _ in range(7):
        assert log_in("camille@example.org", "pas le bon mot de passe").status_code == 422
    assert log_in("camille@example.org").status_code == 302
