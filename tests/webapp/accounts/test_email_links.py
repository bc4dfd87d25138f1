"""Links sent by e-mail, end to end through the outbox: verify, reset, change of address."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from flask.testing import FlaskClient
from itsdangerous.timed import TimestampSigner
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from tests.factories import make_user
from tests.webapp.accounts.conftest import PASSWORD, Bondy, add_member, post_form
from tests.webapp.accounts.html_page import Page, csrf_token
from tests.webapp.accounts.outbox import emails_to, link_path, read_outbox
from webapp.models import User
from webapp.models.users import Role
from webapp.settings import Settings

LogIn = Callable[..., TestResponse]
PostSignup = Callable[..., TestResponse]
NEW_PASSWORD = "un tout nouveau mot de passe"
EXPIRED = "Ce lien a expiré."
USED = "Ce lien a déjà servi, ou un lien plus récent ou une modification ultérieure l’a remplacé."


def _open_and_confirm(
    client: FlaskClient, path: str, data: dict[str, str] | None = None
) -> TestResponse:
    page = client.get(path)
    assert page.status_code == 200, page.get_data(as_text=True)
    token = csrf_token(page.get_data(as_text=True))
    return client.post(path, data={**(data or {}), "csrf_token": token})


def _refusal(response: TestResponse) -> str:
    assert response.status_code == 400
    return Page(response.get_data(as_text=True)).text()


@contextmanager
def issued_days_ago(days: float) -> Iterator[None]:
    """Sign the links issued inside the block `days` in the past."""
    real = TimestampSigner.get_timestamp
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: int(real(self) - days * 86400))
        yield


# Verification of the address given at sign-up.


def test_signup_sends_a_verification_link(
    client: FlaskClient,
    db_session: Session,
    settings: Settings,
    bondy: Bondy,
    post_signup: PostSignup,
) -> None:
    post_signup()

    [message] = read_outbox(settings.outbox_path)
    assert (message["to"], message["subject"]) == (
        "camille.martin@example.org",
        "Confirmez votre adresse e-mail",
    )
    assert message["body"].startswith("Bonjour Camille,")
    path = link_path(message, "/verification-adresse/")
    assert path not in message["reference"]
    page = Page(client.get(path).get_data(as_text=True))
    assert "Confirmez que camille.martin@example.org est bien votre adresse." in page.text()

    response = _open_and_confirm(client, path)

    assert response.headers["Location"] == "/connexion"
    user = db_session.scalars(select(User)).one()
    db_session.refresh(user)
    assert user.email_verified_at is not None
    assert "Merci : votre adresse e-mail est confirmée." in client.get("/connexion").get_data(
        as_text=True
    )
    assert USED in _refusal(client.get(path))


def test_opening_the_link_does_not_use_it(
    client: FlaskClient,
    db_session: Session,
    settings: Settings,
    bondy: Bondy,
    post_signup: PostSignup,
) -> None:
    post_signup()
    path = link_path(read_outbox(settings.outbox_path)[0], "/verification-adresse/")

    client.get(path)
    client.get(path)

    assert db_session.scalars(select(User.email_verified_at)).one() is None


def test_duplicate_signup_tells_the_owner_without_a_link(
    settings: Settings, bondy: Bondy, post_signup: PostSignup
) -> None:
    post_signup()
    post_signup(first_name="Autre")

    first, second = read_outbox(settings.outbox_path)
    assert second["to"] == first["to"] == "camille.martin@example.org"
    assert second["subject"] == "Vous avez déjà un compte"
    assert "/verification-adresse/" not in second["body"]
    assert "/mot-de-passe-oublie" in second["body"]


def test_expired_verification_link_is_refused(
    client: FlaskClient,
    settings: Settings,
    bondy: Bondy,
    post_signup: PostSignup,
) -> None:
    with issued_days_ago(3.1):
        post_signup()
    path = link_path(read_outbox(settings.outbox_path)[0], "/verification-adresse/")

    assert EXPIRED in _refusal(client.get(path))


@pytest.mark.parametrize(
    "token",
    ["pas-un-jeton", "eyJ1IjoxLCJmIjoiYWJjIn0.Z2b0Pw.abcdefabcdefabcdefabcdefabc", "x" * 500],
)
def test_forged_links_are_refused(client: FlaskClient, bondy: Bondy, token: str) -> None:
    for prefix in ("/verification-adresse/", "/mot-de-passe-oublie/", "/changement-adresse/"):
        text = _refusal(client.get(prefix + token))
        assert "Ce lien n’est pas valide." in text


def test_link_of_one_purpose_does_not_open_another(
    client: FlaskClient, settings: Settings, bondy: Bondy, post_signup: PostSignup
) -> None:
    post_signup()
    token = link_path(read_outbox(settings.outbox_path)[0], "/verification-adresse/").rsplit(
        "/", 1
    )[1]

    assert "Ce lien n’est pas valide." in _refusal(client.get(f"/mot-de-passe-oublie/{token}"))


# Password reset.


def _request_reset(client: FlaskClient, email: str) -> TestResponse:
    return post_form(client, "/mot-de-passe-oublie", "/mot-de-passe-oublie", {"email": email})


def test_reset_by_link(
    client: FlaskClient,
    db_session: Session,
    settings: Settings,
    bondy: Bondy,
    log_in: LogIn,
) -> None:
    add_member(db_session, bondy.campaign, Role.VOLUNTEER, "camille@example.org")

    response = _request_reset(client, " Camille@Example.org ")

    assert response.headers["Location"] == "/mot-de-passe-oublie/envoye"
    [message] = emails_to(settings.outbox_path, "camille@example.org")
    assert message["subject"] == "Choisissez un nouveau mot de passe"
    path = link_path(message, "/mot-de-passe-oublie/")
    done = _open_and_confirm(
        client, path, {"password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD}
    )
    assert done.headers["Location"] == "/connexion"
    assert log_in("camille@example.org", PASSWORD).status_code == 422
    assert log_in("camille@example.org", NEW_PASSWORD).headers["Location"] == "/mon-espace"
    # Resetting proved the address too.
    assert db_session.scalars(select(User.email_verified_at)).one() is not None


def test_reset_link_works_once(
    client: FlaskClient, db_session: Session, settings: Settings, bondy: Bondy
) -> None:
    add_member(db_session, bondy.campaign, Role.VOLUNTEER, "camille@example.org")
    _request_reset(client, "camille@example.org")
    path = link_path(read_outbox(settings.outbox_path)[0], "/mot-de-passe-oublie/")
    data = {"password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD}
    _open_and_confirm(client, path, data)

    assert USED in _refusal(client.get(path))
    token = csrf_token(client.get("/").get_data(as_text=True))
    assert USED in _refusal(client.post(path, data={**data, "csrf_token": token}))


def test_reset_link_superseded_by_newer(
    client: FlaskClient, db_session: Session, settings: Settings, bondy: Bondy
) -> None:
    add_member(db_session, bondy.campaign, Role.VOLUNTEER, "camille@example.org")
    with issued_days_ago(10 / (24 * 60)):
        _request_reset(client, "camille@example.org")
    _request_reset(client, "camille@example.org")
    first, second = (
        link_path(m, "/mot-de-passe-oublie/") for m in read_outbox(settings.outbox_path)
    )
    assert first != second

    _open_and_confirm(
        client, second, {"password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD}
    )

    assert USED in _refusal(client.get(first))


def test_expired_reset_link_is_refused(
    client: FlaskClient,
    db_session: Session,
    settings: Settings,
    bondy: Bondy,
) -> None:
    add_member(db_session, bondy.campaign, Role.VOLUNTEER, "camille@example.org")
    with issued_days_ago(61 / (24 * 60)):
        _request_reset(client, "camille@example.org")
    path = link_path(read_outbox(settings.outbox_path)[0], "/mot-de-passe-oublie/")

    assert EXPIRED in _refusal(client.get(path))


def test_reset_logs_out_every_session(
    *,
    client: FlaskClient,
    app_client: Callable[[], FlaskClient],
    db_session: Session,
    settings: Settings,
    bondy: Bondy,
    log_in: LogIn,
) -> None:
    add_member(db_session, bondy.campaign, Role.VOLUNTEER, "camille@example.org")
    log_in("camille@example.org")
    other = app_client()
    _request_reset(other, "camille@example.org")
    path = link_path(read_outbox(settings.outbox_path)[0], "/mot-de-passe-oublie/")

    _open_and_confirm(
        other, path, {"password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD}
    )

    assert client.get("/mon-espace").status_code == 302


def test_reset_for_unknown_or_disabled_sends_nothing(
    client: FlaskClient, db_session: Session, settings: Settings, bondy: Bondy
) -> None:
    make_user(db_session, email="off@example.org", is_enabled=False)
    db_session.commit()

    for email in ("personne@example.org", "off@example.org"):
        assert _request_reset(client, email).headers["Location"] == "/mot-de-passe-oublie/envoye"

    assert read_outbox(settings.outbox_path) == []


def test_reset_form_rejects_bad_passwords(
    client: FlaskClient, db_session: Session, settings: Settings, bondy: Bondy
) -> None:
    add_member(db_session, bondy.campaign, Role.VOLUNTEER, "camille@example.org")
    _request_reset(client, "camille@example.org")
    path = link_path(read_outbox(settings.outbox_path)[0], "/mot-de-passe-oublie/")

    response = _open_and_confirm(
        client, path, {"password": "court", "password_confirmation": "court"}
    )

    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    assert page.by_id("password-error").text == (
        "Erreur : Votre mot de passe doit comporter au moins 12 caractères."
    )


# Change of address.


def _ask_change(client: FlaskClient, new_email: str, password: str = PASSWORD) -> TestResponse:
    return post_form(
        client,
        "/mon-profil",
        "/mon-profil/adresse-e-mail",
        {"new_email": new_email, "current_password": password},
    )


def test_change_of_address_waits_for_the_link(
    client: FlaskClient,
    db_session: Session,
    settings: Settings,
    bondy: Bondy,
    log_in: LogIn,
) -> None:
    user = add_member(db_session, bondy.campaign, Role.VOLUNTEER, "camille@example.org")
    log_in("camille@example.org")

    response = _ask_change(client, "Camille.Nouvelle@Example.org")

    assert response.headers["Location"] == "/mon-profil#email"
    db_session.refresh(user)
    assert (user.email, user.pending_email) == (
        "camille@example.org",
        "camille.nouvelle@example.org",
    )
    [message] = emails_to(settings.outbox_path, "camille.nouvelle@example.org")
    assert message["subject"] == "Confirmez votre nouvelle adresse e-mail"
    page = Page(client.get("/mon-profil").get_data(as_text=True))
    assert page.by_id("pending-email").text == (
        "En attente de l’ouverture du lien envoyé à camille.nouvelle@example.org."
    )

    path = link_path(message, "/changement-adresse/")
    assert _open_and_confirm(client, path).headers["Location"] == "/mon-profil"

    db_session.refresh(user)
    assert (user.email, user.pending_email) == ("camille.nouvelle@example.org", None)
    assert user.email_verified_at is not None
    [notice] = emails_to(settings.outbox_path, "camille@example.org")
    assert notice["subject"] == "Votre adresse e-mail a été modifiée"
    assert USED in _refusal(client.get(path))


def test_newer_change_supersedes_the_older_link(
    client: FlaskClient,
    db_session: Session,
    settings: Settings,
    bondy: Bondy,
    log_in: LogIn,
) -> None:
    user = add_member(db_session, bondy.campaign, Role.VOLUNTEER, "camille@example.org")
    log_in("camille@example.org")
    _ask_change(client, "premiere@example.org")
    _ask_change(client, "seconde@example.org")
    first = link_path(
        emails_to(settings.outbox_path, "premiere@example.org")[0], "/changement-adresse/"
    )
    second = link_path(
        emails_to(settings.outbox_path, "seconde@example.org")[0], "/changement-adresse/"
    )

    assert USED in _refusal(client.get(first))
    _open_and_confirm(client, second)

    db_session.refresh(user)
    assert user.email == "seconde@example.org"


def test_verification_link_superseded_by_change(
    client: FlaskClient, db_session: Session, settings: Settings, bondy: Bondy, log_in: LogIn
) -> None:
    add_member(db_session, bondy.campaign, Role.VOLUNTEER, "camille@example.org")
    log_in("camille@example.org")
    client.post(
        "/verification-adresse/renvoyer",
        data={"csrf_token": csrf_token(client.get("/mon-profil").get_data(as_text=True))},
    )
    verify = link_path(
        emails_to(settings.outbox_path, "camille@example.org")[0], "/verification-adresse/"
    )
    _ask_change(client, "nouvelle@example.org")
    _open_and_confirm(
        client,
        link_path(
            emails_to(settings.outbox_path, "nouvelle@example.org")[0], "/changement-adresse/"
        ),
    )

    assert USED in _refusal(client.get(verify))


def test_change_needs_the_current_password(
    client: FlaskClient, db_session: Session, settings: Settings, bondy: Bondy, log_in: LogIn
) -> None:
    add_member(db_session, bondy.campaign, Role.VOLUNTEER, "camille@example.org")
    log_in("camille@example.org")

    response = _ask_change(client, "nouvelle@example.org", password="pas le bon mot de passe")

    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    assert page.by_id("current_password-error").text == (
        "Erreur : Ce n’est pas votre mot de passe actuel."
    )
    assert page.by_id("new_email").attrs["value"] == "nouvelle@example.org"
    assert read_outbox(settings.outbox_path) == []


def test_address_taken_meanwhile_is_refused(
    client: FlaskClient, db_session: Session, settings: Settings, bondy: Bondy, log_in: LogIn
) -> None:
    user = add_member(db_session, bondy.campaign, Role.VOLUNTEER, "camille@example.org")
    log_in("camille@example.org")
    _ask_change(client, "prise@example.org")
    make_user(db_session, email="prise@example.org")
    db_session.commit()
    path = link_path(
        emails_to(settings.outbox_path, "prise@example.org")[0], "/changement-adresse/"
    )

    response = _open_and_confirm(client, path)

    assert "Un autre compte utilise déjà cette adresse e-mail" in _refusal(response)
    db_session.refresh(user)
    assert user.email == "camille@example.org"


def test_link_is_not_in_any_log_line(
    client: FlaskClient,
    db_session: Session,
    settings: Settings,
    bondy: Bondy,
    caplog: pytest.LogCaptureFixture,
) -> None:
    add_member(db_session, bondy.campaign, Role.VOLUNTEER, "camille@example.org")
    caplog.set_level("DEBUG")

    _request_reset(client, "camille@example.org")

    token = link_path(read_outbox(settings.outbox_path)[0], "/mot-de-passe-oublie/").rsplit("/", 1)[
        1
    ]
    assert caplog.records
    assert not any(token in record.getMessage() for record in caplog.records)


def test_nothing_is_sent_when_the_request_rolls_back(
    client: FlaskClient,
    db_session: Session,
    settings: Settings,
    bondy: Bondy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    add_member(db_session, bondy.campaign, Role.VOLUNTEER, "camille@example.org")

    def fail(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the commit fails")

    monkeypatch.setattr("sqlalchemy.orm.Session.commit", fail)
    response = _request_reset(client, "camille@example.org")

    assert response.status_code == 500
    assert read_outbox(settings.outbox_path) == []


def test_cancelled_change_spends_the_link(
    client: FlaskClient, db_session: Session, settings: Settings, bondy: Bondy, log_in: LogIn
) -> None:
    user = add_member(db_session, bondy.campaign, Role.VOLUNTEER, "camille@example.org")
    log_in("camille@example.org")
    _ask_change(client, "nouvelle@example.org")
    path = link_path(
        emails_to(settings.outbox_path, "nouvelle@example.org")[0], "/changement-adresse/"
    )

    post_form(client, "/mon-profil", "/mon-profil/adresse-e-mail/annuler", {})

    db_session.refresh(user)
    assert user.pending_email is None
    assert USED in _refusal(client.get(path))


def test_email_is_in_the_account_language(
    client: FlaskClient, db_session: Session, settings: Settings, bondy: Bondy
) -> None:
    user = add_member(db_session, bondy.campaign, Role.VOLUNTEER, "camille@example.org")
    user.locale = "en"
    db_session.commit()

    _request_reset(client, "camille@example.org")

    [message] = read_outbox(settings.outbox_path)
    assert message["subject"] == "Choose a new password"
    assert message["body"].startswith("Hello Camille,")
