"""Build the signed links of the accounts area and e-mail them after the commit."""

from sqlalchemy.orm import Session

from webapp.accounts.labels import ROLE_LABELS
from webapp.accounts.mail import render_account_email, send_after_commit
from webapp.models import User
from webapp.services.account_tokens import TokenKeys, TokenPurpose, issue_token
from webapp.services.accounts import find_user_by_email
from webapp.services.invitations import IssuedInvitation
from webapp.settings_access import get_settings
from webapp.urls import public_url

# The e-mail template and the page of each kind of signed link.
_LINKS = {
    TokenPurpose.VERIFY_EMAIL: ("verify_email", "accounts.verify_email"),
    TokenPurpose.CHANGE_EMAIL: ("change_email", "accounts.confirm_email_change"),
    TokenPurpose.RESET_PASSWORD: ("reset_password", "accounts.reset_password"),
}


def token_keys() -> TokenKeys:
    return TokenKeys(secret_key=get_settings().secret_key)


def send_signup_email(session: Session, email: str, created: User | None) -> None:
    """Ask a new volunteer to confirm their address, or tell an existing one of the attempt.

    Both cases send one e-mail to the typed address after the commit, so the sign-up response is the
    same and takes about the same time.
    """
    if created is not None:
        send_verification(session, created)
        return
    existing = find_user_by_email(session, email)
    if existing is None:
        return
    message = render_account_email(
        "already_registered",
        existing.email,
        existing.locale,
        first_name=existing.first_name,
        login_url=public_url("accounts.login"),
        reset_url=public_url("accounts.request_password_reset"),
    )
    send_after_commit(session, message, existing.id)


def send_verification(session: Session, user: User) -> None:
    """E-mail a link that confirms the account's current address."""
    _send_link(session, user, TokenPurpose.VERIFY_EMAIL, user.email)


def send_email_change(session: Session, user: User) -> None:
    """E-mail the pending address a link that makes it the account's address."""
    if user.pending_email is None:
        return
    _send_link(session, user, TokenPurpose.CHANGE_EMAIL, user.pending_email)


def send_email_changed_notice(session: Session, user: User, old_email: str) -> None:
    """Tell the previous address that the account now uses another one."""
    message = render_account_email(
        "email_changed",
        old_email,
        user.locale,
        first_name=user.first_name,
        reset_url=public_url("accounts.request_password_reset"),
    )
    send_after_commit(session, message, user.id)


def send_password_reset(session: Session, user: User) -> None:
    """E-mail a link that lets the owner of the address choose a new password."""
    _send_link(session, user, TokenPurpose.RESET_PASSWORD, user.email)


def send_invitation(
    session: Session, issued: IssuedInvitation, *, locale: str, inviter_name: str
) -> None:
    """E-mail an invitation link to the invited address."""
    message = render_account_email(
        "invitation",
        issued.email,
        locale,
        campaign_name=issued.campaign_name,
        role_label=ROLE_LABELS[issued.role],
        inviter_name=inviter_name,
        expires_at=issued.expires_at,
        link=public_url("accounts.accept_invitation", token=issued.token),
    )
    send_after_commit(session, message)


def _send_link(session: Session, user: User, purpose: TokenPurpose, to: str) -> None:
    """E-mail `to` the signed link of `purpose` for the account, after the commit."""
    kind, endpoint = _LINKS[purpose]
    token = issue_token(token_keys(), purpose, user)
    message = render_account_email(
        kind,
        to,
        user.locale,
        first_name=user.first_name,
        link=public_url(endpoint, token=token),
    )
    send_after_commit(session, message, user.id)
