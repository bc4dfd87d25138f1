"""Links e-mailed to check an address: at sign-up, on request, and to change it.

Opening a link shows a button; only the POST uses the link, so a mail scanner that
follows links does not spend it.
"""

import logging

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.accounts import account_links
from webapp.accounts.blueprint import blueprint, render_link_refused
from webapp.accounts.security_forms import ConfirmForm
from webapp.authz import require_login
from webapp.db import db_session
from webapp.services.account_tokens import TokenError, TokenPurpose, read_token
from webapp.services.accounts import mark_email_verified
from webapp.services.profile import EmailTakenError, apply_email_change

logger = logging.getLogger(__name__)


@blueprint.route("/verification-adresse/<token>", methods=["GET", "POST"])
def verify_email(token: str) -> ResponseReturnValue:
    session = db_session()
    try:
        user = read_token(session, account_links.token_keys(), TokenPurpose.VERIFY_EMAIL, token)
    except TokenError as error:
        return render_link_refused(error.problem.value)
    form = ConfirmForm()
    if form.validate_on_submit():
        mark_email_verified(session, user)
        session.commit()
        logger.info("user %s verified their address", user.id, extra={"user_id": user.id})
        flash(_("Thank you: your e-mail address is confirmed."), "info")
        return redirect(_next_page("accounts.show_my_space"))
    return render_template(
        "accounts/confirm_link.html",
        form=form,
        title=_("Confirm your e-mail address"),
        lead=_("Confirm that %(email)s is your address.", email=user.email),
        button=_("Confirm my address"),
    )


@blueprint.post("/verification-adresse/renvoyer")
@require_login
def resend_verification() -> Response:
    form = ConfirmForm()
    if form.validate_on_submit() and current_user.email_verified_at is None:
        session = db_session()
        account_links.send_verification(session, current_user)
        session.commit()
        flash(_("We sent you a new link. It works for 3 days."), "info")
    return redirect(url_for("accounts.show_profile"))


@blueprint.route("/changement-adresse/<token>", methods=["GET", "POST"])
def confirm_email_change(token: str) -> ResponseReturnValue:
    session = db_session()
    try:
        user = read_token(session, account_links.token_keys(), TokenPurpose.CHANGE_EMAIL, token)
    except TokenError as error:
        return render_link_refused(error.problem.value)
    form = ConfirmForm()
    new_email = user.pending_email or ""
    if form.validate_on_submit():
        try:
            old_email = apply_email_change(session, user)
        except EmailTakenError:
            session.rollback()
            return render_link_refused("email_taken")
        account_links.send_email_changed_notice(session, user, old_email)
        session.commit()
        flash(_("Your e-mail address is now %(email)s.", email=user.email), "info")
        return redirect(_next_page("accounts.show_profile"))
    return render_template(
        "accounts/confirm_link.html",
        form=form,
        title=_("Change your e-mail address"),
        lead=_("Use %(email)s as the address of your account.", email=new_email),
        button=_("Use this address"),
    )


def _next_page(endpoint_when_logged_in: str) -> str:
    if current_user.is_authenticated:
        return url_for(endpoint_when_logged_in)
    return url_for("accounts.login")
