"""The main menu: the pages of one's own account, in reading order, with the current one marked."""

import re
from collections.abc import Callable

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from tests.webapp.accounts.conftest import Bondy, add_member
from tests.webapp.accounts.html_page import Page
from tests.webapp.targets.members import log_in_as
from webapp.models.users import Role

LogIn = Callable[..., TestResponse]
_NAV_RE = re.compile(r"<nav aria-label=\"[^\"]+\">(.*?)</nav>", re.S)


def _menu(client: FlaskClient, path: str) -> list[tuple[str, str, str | None]]:
    """Return (tag, href or button text, aria-current) for each control of the menu, in order."""
    response = client.get(path)
    assert response.status_code == 200, path
    [nav] = _NAV_RE.findall(response.get_data(as_text=True))
    return [
        (element.tag, element.attrs.get("href") or element.text, element.attrs.get("aria-current"))
        for element in Page(nav).elements
        if element.tag in ("a", "button")
    ]


def test_account_pages_have_their_urls(app: Flask) -> None:
    with app.test_request_context():
        assert url_for("accounts.show_profile") == "/mon-profil"
        assert url_for("privacy.show_my_data") == "/mes-donnees"


def test_volunteer_menu_in_reading_order(
    client: FlaskClient, db_session: Session, bondy: Bondy, log_in: LogIn
) -> None:
    add_member(db_session, bondy.campaign, Role.VOLUNTEER, "camille@example.org")
    log_in("camille@example.org")

    menu = _menu(client, "/mon-profil")

    assert menu == [
        ("a", "/mon-espace", None),
        ("a", "/mon-profil", "page"),
        ("a", "/mes-donnees", None),
        ("button", "Se déconnecter", None),
        ("button", "English", None),
    ]


@pytest.mark.parametrize(
    ("path", "marked"),
    [
        ("/mon-espace", ("/mon-espace", "page")),
        ("/mes-donnees", ("/mes-donnees", "page")),
        ("/mes-donnees/effacement", ("/mes-donnees", "true")),
        ("/mon-compte/securite", ("/mon-profil", "true")),
        ("/mon-compte/mot-de-passe", ("/mon-profil", "true")),
    ],
)
def test_current_place_is_marked(
    client: FlaskClient, db_session: Session, bondy: Bondy, path: str, marked: tuple[str, str]
) -> None:
    log_in_as(client, add_member(db_session, bondy.campaign, Role.VOLUNTEER, "v@example.org"))

    current = [(href, state) for _, href, state in _menu(client, path) if state]

    assert current == [marked]


def test_coordinator_menu_keeps_own_pages(
    client: FlaskClient, db_session: Session, bondy: Bondy
) -> None:
    log_in_as(client, add_member(db_session, bondy.campaign, Role.COORDINATOR, "c@example.org"))

    links = [href for tag, href, _ in _menu(client, "/mes-donnees") if tag == "a"]

    assert links == [
        "/ciblage/",
        "/planification/sessions",
        "/diffusions/",
        "/messages/",
        "/mon-espace",
        "/mon-profil",
        "/mes-donnees",
    ]


def test_visitor_menu_has_no_account_pages(client: FlaskClient, bondy: Bondy) -> None:
    menu = _menu(client, "/connexion")

    assert menu == [
        ("a", "/inscription", None),
        ("a", "/connexion", "page"),
        ("button", "English", None),
    ]
