"""Staff invitations: coordinators and administrators invite, the link creates or adds."""

import logging
from typing import Any

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from webapp.accounts import account_links
from webapp.accounts.blueprint import INVALID_FORM_STATUS, blueprint, render_link_refused
from webapp.accounts.invitation_forms import InvitationForm, InvitedAccountForm
from webapp.accounts.labels import ROLE_LABELS
from webapp.accounts.landing import landing_url
from webapp.accounts.limits import limit_invitations
from webapp.accounts.login_session import start_session
from webapp.accounts.security_forms import ConfirmForm
from webapp.authz import GRANTABLE_ROLES, current_role, require_role
from webapp.db import db_session
from webapp.models.users import COORDINATOR_ROLES, Role
from webapp.services.current_campaign import find_current_campaign
from webapp.services.invitations import (
    InvitationError,
    InvitationProblem,
    InvitationView,
    NewAccount,
    accept_as,
    accept_with_new_account,
    invite,
    list_pending_invitations,
    read_invitation,
)

logger = logging.getLogger(__name__)

# Problem shown on the link page for each invitation error.
LINK_PROBLEMS = {
    InvitationProblem.EXPIRED: "expired",
    InvitationProblem.USED: "used",
}


@blueprint.route("/equipe/invitations", methods=["GET", "POST"])
@require_role(*COORDINATOR_ROLES)
@limit_invitations
def invite_member() -> ResponseReturnValue:
    session = db_session()
    campaign = find_current_campaign(session)
    role = current_role()
    if campaign is None or role is None:
        return redirect(url_for("public.show_home"))
    form = InvitationForm(grantable=GRANTABLE_ROLES[role])
    if form.validate_on_submit():
        issued = invite(
            session,
            campaign_id=campaign.id,
            inviter=current_user,
            inviter_role=role,
            grantable=GRANTABLE_ROLES[role],
            email=form.normalised_email,
            role=Role(form.role.data),
        )
        account_links.send_invitation(
            session, issued, locale=str(get_locale()), inviter_name=current_user.first_name
        )
        session.commit()
        flash(_("Invitation sent to %(email)s.", email=issued.email), "info")
        return redirect(url_for("accounts.invite_member"))
    status = INVALID_FORM_STATUS if form.is_submitted() else 200
    return render_template(
        "accounts/invitations.html",
        form=form,
        pending=list_pending_invitations(session, campaign.id),
        role_labels=ROLE_LABELS,
    ), status


@blueprint.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str) -> ResponseReturnValue:
    try:
        invitation = read_invitation(db_session(), token)
    except InvitationError as error:
        return render_link_refused(LINK_PROBLEMS.get(error.problem, "invalid"))
    page = {"invitation": invitation, "role_label": ROLE_LABELS[invitation.role], "token": token}
    if invitation.has_account:
        return _join_with_account(token, invitation, page)
    if current_user.is_authenticated:
        return render_template("accounts/accept_invitation.html", mode="log_out", **page)
    return _create_account(token, invitation, page)


def _join_with_account(
    token: str, invitation: InvitationView, page: dict[str, Any]
) -> ResponseReturnValue:
    """Ask the owner of the invited address to log in, then to accept."""
    if not current_user.is_authenticated or current_user.email != invitation.email:
        return render_template("accounts/accept_invitation.html", mode="log_in", **page)
    form = ConfirmForm()
    if form.validate_on_submit():
        session = db_session()
        accept_as(session, token, current_user)
        session.commit()
        flash(_("Welcome to %(campaign)s!", campaign=invitation.campaign_name), "info")
        return redirect(landing_url())
    return render_template("accounts/accept_invitation.html", mode="join", form=form, **page)


def _create_account(
    token: str, invitation: InvitationView, page: dict[str, Any]
) -> ResponseReturnValue:
    form = InvitedAccountForm()
    if form.validate_on_submit():
        session = db_session()
        account = NewAccount(
            first_name=form.first_name.data,
            last_name=form.last_name.data,
            password=form.password.data,
            locale=str(get_locale()),
        )
        try:
            user = accept_with_new_account(session, token, account)
        except InvitationError:
            session.rollback()
            return render_link_refused("used")
        session.commit()
        start_session(user, has_second_factor=False)
        flash(_("Welcome to %(campaign)s!", campaign=invitation.campaign_name), "info")
        return redirect(landing_url())
    status = INVALID_FORM_STATUS if form.is_submitted() else 200
    return render_template(
        "accounts/accept_invitation.html", mode="create", form=form, **page
    ), status
