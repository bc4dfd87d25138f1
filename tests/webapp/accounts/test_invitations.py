"""Staff invitations: who may invite whom, and the link that creates or joins an account."""

import hashlib
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from tests.factories import make_campaign, make_user
from tests.webapp.accounts.conftest import PASSWORD, Bondy, add_member, post_form
from tests.webapp.accounts.html_page import Page
from tests.webapp.accounts.outbox import emails_to, link_path, read_outbox
from tests.webapp.accounts.two_factor import code_now, enable_two_factor
from webapp.db import utcnow
from webapp.models import Invitation, Membership, User
from webapp.models.users import Role
from webapp.settings import Settings

LogIn = Callable[..., TestResponse]
INVITE = "/equipe/invitations"
GUEST = "invite@example.org"


@pytest.fixture
def coordinator(
    client: FlaskClient, db_session: Session, bondy: Bondy, log_in: LogIn, enter_code: LogIn
) -> User:
    """A coordinator of the campaign, logged in with both factors."""
    user = add_member(db_session, bondy.campaign, Role.COORDINATOR, "coord@example.org", "Nadia")
    secret = enable_two_factor(db_session, user)
    log_in("coord@example.org")
    enter_code(code_now(secret))
    return user


def _invite(client: FlaskClient, email: str, role: str) -> TestResponse:
    return post_form(client, INVITE, INVITE, {"email": email, "role": role})


def _link(settings: Settings, email: str = GUEST) -> str:
    return link_path(emails_to(settings.outbox_path, email)[-1], "/invitation/")


def _log_out(client: FlaskClient) -> None:
    post_form(client, "/", "/deconnexion", {})


def test_coordinator_invites_a_team_lead(
    client: FlaskClient, db_session: Session, settings: Settings, bondy: Bondy, coordinator: User
) -> None:
    page = Page(client.get(INVITE).get_data(as_text=True))
    assert page.checked_values("role") == set()
    assert {e.attrs["value"] for e in page.select("input", name="role")} == {
        "volunteer",
        "team_lead",
        "coordinator",
    }

    response = _invite(client, " Invite@Example.org ", "team_lead")

    assert response.headers["Location"] == INVITE
    invitation = db_session.scalars(select(Invitation)).one()
    assert (invitation.email, invitation.role, invitation.invited_by_user_id) == (
        GUEST,
        Role.TEAM_LEAD,
        coordinator.id,
    )
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    [message] = read_outbox(settings.outbox_path)
    assert message["subject"] == "Invitation à rejoindre Municipales Bondy 2026"
    assert (
        "Nadia vous invite à rejoindre Municipales Bondy 2026 sur Tournée comme chef d’équipe."
        in message["body"]
    )
    token = _link(settings).rsplit("/", 1)[1]
    # Only the hash of the token is stored.
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in invitation.token_hash
    listed = Page(client.get(INVITE).get_data(as_text=True)).by_id("pending-invitations").text
    assert GUEST in listed
    assert "Chef d’équipe" in listed


def test_coordinator_cannot_make_an_administrator(
    client: FlaskClient, db_session: Session, bondy: Bondy, coordinator: User
) -> None:
    response = _invite(client, GUEST, "administrator")

    assert response.status_code == 422
    assert (
        Page(response.get_data(as_text=True)).by_id("role-error").text
        == "Erreur : Choisissez un rôle."
    )
    assert db_session.scalars(select(Invitation)).all() == []


@pytest.mark.parametrize(
    ("email", "role", "field", "message"),
    [
        ("", "volunteer", "email", "Indiquez l’adresse e-mail à inviter."),
        (
            "pas une adresse",
            "volunteer",
            "email",
            "Indiquez une adresse e-mail valide, par exemple nom@exemple.fr.",
        ),
        (GUEST, "", "role", "Choisissez un rôle."),
        (GUEST, "chef", "role", "Choisissez un rôle."),
    ],
)
def test_bad_invitations_are_explained(
    *,
    client: FlaskClient,
    bondy: Bondy,
    coordinator: User,
    email: str,
    role: str,
    field: str,
    message: str,
) -> None:
    response = _invite(client, email, role)

    assert response.status_code == 422
    assert (
        Page(response.get_data(as_text=True)).by_id(f"{field}-error").text == f"Erreur : {message}"
    )


def test_volunteers_cannot_invite(
    client: FlaskClient, db_session: Session, bondy: Bondy, log_in: LogIn
) -> None:
    add_member(db_session, bondy.campaign, Role.VOLUNTEER, "camille@example.org")
    log_in("camille@example.org")

    assert client.get(INVITE).status_code == 403


def test_link_creates_the_account(
    *,
    client: FlaskClient,
    app_client: Callable[[], FlaskClient],
    db_session: Session,
    settings: Settings,
    bondy: Bondy,
    coordinator: User,
) -> None:
    _invite(client, GUEST, "coordinator")
    guest = app_client()
    path = _link(settings)
    page = Page(guest.get(path).get_data(as_text=True))
    assert (
        "Vous êtes invité ou invitée comme coordinateur, avec l’adresse invite@example.org."
        in page.text()
    )

    response = post_form(
        guest,
        path,
        path,
        {
            "first_name": "Inès",
            "last_name": "Roux",
            "password": PASSWORD,
            "password_confirmation": PASSWORD,
        },
    )

    # A new coordinator goes straight to setting up the second factor.
    assert response.headers["Location"] == "/mon-compte/double-authentification?next=/ciblage/"
    user = db_session.scalars(select(User).where(User.email == GUEST)).one()
    assert (user.first_name, user.role_in(bondy.campaign.id)) == ("Inès", Role.COORDINATOR)
    assert user.email_verified_at is not None
    assert guest.get("/ciblage/").status_code == 302
    assert "a déjà servi" in Page(app_client().get(path).get_data(as_text=True)).text()


def test_link_adds_the_role_to_an_existing_account(
    *,
    client: FlaskClient,
    app_client: Callable[[], FlaskClient],
    db_session: Session,
    settings: Settings,
    bondy: Bondy,
    coordinator: User,
) -> None:
    other = make_campaign(db_session, name="Législatives")
    existing = make_user(
        db_session, email=GUEST, password=PASSWORD, campaign=other, role=Role.ADMINISTRATOR
    )
    db_session.commit()
    _invite(client, GUEST, "team_lead")
    path = _link(settings)
    guest = app_client()

    page = Page(guest.get(path).get_data(as_text=True))
    assert page.select("a", href=f"/connexion?next={path}")
    post_form(
        guest, "/connexion", f"/connexion?next={path}", {"email": GUEST, "password": PASSWORD}
    )
    response = post_form(guest, path, path, {})

    assert response.status_code == 302
    memberships = db_session.scalars(
        select(Membership).where(Membership.user_id == existing.id)
    ).all()
    assert sorted((m.campaign_id, m.role) for m in memberships) == sorted(
        [(other.id, Role.ADMINISTRATOR), (bondy.campaign.id, Role.TEAM_LEAD)]
    )


def test_invitation_never_lowers_a_role(
    *,
    client: FlaskClient,
    app_client: Callable[[], FlaskClient],
    db_session: Session,
    settings: Settings,
    bondy: Bondy,
    coordinator: User,
) -> None:
    add_member(db_session, bondy.campaign, Role.ADMINISTRATOR, GUEST)
    _invite(client, GUEST, "volunteer")
    path = _link(settings)
    guest = app_client()
    post_form(guest, "/connexion", "/connexion", {"email": GUEST, "password": PASSWORD})

    post_form(guest, path, path, {})

    user = db_session.scalars(select(User).where(User.email == GUEST)).one()
    db_session.refresh(user)
    assert user.role_in(bondy.campaign.id) == Role.ADMINISTRATOR
    assert db_session.scalars(select(Invitation.accepted_at)).one() is not None


def test_other_account_cannot_accept(
    client: FlaskClient, db_session: Session, settings: Settings, bondy: Bondy, coordinator: User
) -> None:
    make_user(db_session, email=GUEST, password=PASSWORD)
    db_session.commit()
    _invite(client, GUEST, "coordinator")

    # The coordinator, logged in with another address, opens the link.
    page = Page(client.get(_link(settings)).get_data(as_text=True))

    assert (
        "Vous êtes connecté ou connectée avec une autre adresse : déconnectez-vous d’abord."
        in page.text()
    )
    assert db_session.scalars(select(Invitation.accepted_at)).one() is None


def test_newer_invitation_replaces_the_older(
    client: FlaskClient,
    app_client: Callable[[], FlaskClient],
    settings: Settings,
    bondy: Bondy,
    coordinator: User,
) -> None:
    _invite(client, GUEST, "volunteer")
    first = _link(settings)
    _invite(client, GUEST, "team_lead")
    second = _link(settings)

    assert "Ce lien a expiré." in Page(app_client().get(first).get_data(as_text=True)).text()
    assert app_client().get(second).status_code == 200


def test_expired_and_unknown_links_are_refused(
    *,
    client: FlaskClient,
    app_client: Callable[[], FlaskClient],
    db_session: Session,
    settings: Settings,
    bondy: Bondy,
    coordinator: User,
) -> None:
    _invite(client, GUEST, "volunteer")
    path = _link(settings)
    invitation = db_session.scalars(select(Invitation)).one()
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db_session.commit()

    expired = app_client().get(path)
    unknown = app_client().get("/invitation/" + "A" * 43)

    assert (expired.status_code, unknown.status_code) == (400, 400)
    assert "Ce lien a expiré." in Page(expired.get_data(as_text=True)).text()
    assert "Ce lien n’est pas valide." in Page(unknown.get_data(as_text=True)).text()
