"""Logout and a password change end the account's other sessions."""

from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from tests.webapp.accounts.conftest import PASSWORD, Bondy, add_member, post_form
from tests.webapp.accounts.html_page import Page
from webapp.accounts.login_session import SESSION_VERSION_KEY
from webapp.models.users import Role

LogIn = Callable[..., TestResponse]
NEW_PASSWORD = "un tout nouveau mot de passe"
EMAIL = "camille@example.org"


def _logged_in_client(app_client: Callable[[], FlaskClient]) -> FlaskClient:
    other = app_client()
    response = post_form(other, "/connexion", "/connexion", {"email": EMAIL, "password": PASSWORD})
    assert response.headers["Location"] == "/mon-espace"
    return other


def _is_logged_in(client: FlaskClient) -> bool:
    return client.get("/mon-espace").status_code == 200


def _change_password(
    client: FlaskClient, current: str = PASSWORD, new: str = NEW_PASSWORD
) -> TestResponse:
    return post_form(
        client,
        "/mon-compte/mot-de-passe",
        "/mon-compte/mot-de-passe",
        {"current_password": current, "password": new, "password_confirmation": new},
    )


def test_login_stores_the_session_version(
    client: FlaskClient, db_session: Session, bondy: Bondy, log_in: LogIn
) -> None:
    user = add_member(db_session, bondy.campaign, Role.VOLUNTEER, EMAIL)
    user.session_version = 7
    db_session.commit()

    log_in(EMAIL)

    with client.session_transaction() as cookie:
        assert cookie[SESSION_VERSION_KEY] == 7


def test_logout_ends_the_other_sessions(
    client: FlaskClient,
    app_client: Callable[[], FlaskClient],
    db_session: Session,
    bondy: Bondy,
    log_in: LogIn,
) -> None:
    user = add_member(db_session, bondy.campaign, Role.VOLUNTEER, EMAIL)
    log_in(EMAIL)
    phone = _logged_in_client(app_client)

    post_form(client, "/mon-espace", "/deconnexion", {})

    assert not _is_logged_in(client)
    assert not _is_logged_in(phone)
    assert phone.get("/mon-espace").headers["Location"] == "/connexion?next=%2Fmon-espace"
    db_session.refresh(user)
    assert user.session_version == 2
    # Logging in again works, in either browser.
    assert _is_logged_in(_logged_in_client(app_client))


def test_password_change_ends_the_other_sessions_only(
    client: FlaskClient,
    app_client: Callable[[], FlaskClient],
    db_session: Session,
    bondy: Bondy,
    log_in: LogIn,
) -> None:
    add_member(db_session, bondy.campaign, Role.VOLUNTEER, EMAIL)
    log_in(EMAIL)
    phone = _logged_in_client(app_client)

    response = _change_password(client)

    assert response.headers["Location"] == "/mon-compte/securite"
    security_page = client.get("/mon-compte/securite").get_data(as_text=True)
    assert "Votre mot de passe est modifié. Vos autres appareils sont déconnectés." in (
        security_page
    )
    assert _is_logged_in(client)
    assert not _is_logged_in(phone)
    fresh = app_client()
    login = {"email": EMAIL, "password": NEW_PASSWORD}
    assert post_form(fresh, "/connexion", "/connexion", login).status_code == 302


def test_session_without_a_version_counts_as_the_first(
    client: FlaskClient,
    app_client: Callable[[], FlaskClient],
    db_session: Session,
    bondy: Bondy,
) -> None:
    user = add_member(db_session, bondy.campaign, Role.VOLUNTEER, EMAIL)
    with client.session_transaction() as cookie:
        cookie["_user_id"] = str(user.id)
    assert _is_logged_in(client)

    post_form(_logged_in_client(app_client), "/mon-espace", "/deconnexion", {})

    assert not _is_logged_in(client)


def test_tampered_versions_are_refused(
    client: FlaskClient, db_session: Session, bondy: Bondy
) -> None:
    user = add_member(db_session, bondy.campaign, Role.VOLUNTEER, EMAIL)
    for version in (0, 2, "1", None):
        with client.session_transaction() as cookie:
            cookie["_user_id"] = str(user.id)
            cookie[SESSION_VERSION_KEY] = version
        assert not _is_logged_in(client)


def test_wrong_current_password_changes_nothing(
    client: FlaskClient,
    app_client: Callable[[], FlaskClient],
    db_session: Session,
    bondy: Bondy,
    log_in: LogIn,
) -> None:
    add_member(db_session, bondy.campaign, Role.VOLUNTEER, EMAIL)
    log_in(EMAIL)
    phone = _logged_in_client(app_client)

    response = _change_password(client, current="pas le bon mot de passe")

    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    assert page.by_id("current_password-error").text == (
        "Erreur : Ce n’est pas votre mot de passe actuel."
    )
    assert _is_logged_in(phone)


def test_new_password_is_checked(
    client: FlaskClient, db_session: Session, bondy: Bondy, log_in: LogIn
) -> None:
    add_member(db_session, bondy.campaign, Role.VOLUNTEER, EMAIL)
    log_in(EMAIL)

    response = post_form(
        client,
        "/mon-compte/mot-de-passe",
        "/mon-compte/mot-de-passe",
        {
            "current_password": PASSWORD,
            "password": NEW_PASSWORD,
            "password_confirmation": NEW_PASSWORD + "!",
        },
    )

    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    assert page.by_id("password_confirmation-error").text == (
        "Erreur : Les deux mots de passe ne correspondent pas."
    )
    assert PASSWORD not in page.html


def test_password_pages_need_a_login(client: FlaskClient, bondy: Bondy) -> None:
    for path in ("/mon-compte/mot-de-passe", "/mon-compte/securite", "/mon-profil"):
        assert client.get(path).headers["Location"].startswith("/connexion?next=")
