"""Forgotten password, reset by e-mailed link, and change of password."""

import logging

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from webapp.accounts import account_links
from webapp.accounts.blueprint import INVALID_FORM_STATUS, blueprint, render_link_refused
from webapp.accounts.limits import count_failure, limit_password_checks, limit_reset_requests
from webapp.accounts.login_session import end_session, keep_session_version
from webapp.accounts.security_forms import ChangePasswordForm, ForgotPasswordForm, NewPasswordForm
from webapp.authz import require_login
from webapp.db import db_session
from webapp.services.account_tokens import TokenError, TokenPurpose, read_token
from webapp.services.accounts import (
    WrongPasswordError,
    change_password,
    find_user_by_email,
    mark_email_verified,
    set_password,
)

logger = logging.getLogger(__name__)


@blueprint.route("/mot-de-passe-oublie", methods=["GET", "POST"])
@limit_reset_requests
def request_password_reset() -> ResponseReturnValue:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        session = db_session()
        user = find_user_by_email(session, form.email.data)
        # Known or not, the next page is the same: the form reveals no account.
        if user is not None and user.is_enabled:
            account_links.send_password_reset(session, user)
            session.commit()
            logger.info("password reset link sent to user %s", user.id, extra={"user_id": user.id})
        return redirect(url_for("accounts.show_reset_sent"))
    status = INVALID_FORM_STATUS if form.is_submitted() else 200
    return render_template("accounts/forgot_password.html", form=form), status


@blueprint.get("/mot-de-passe-oublie/envoye")
def show_reset_sent() -> str:
    return render_template("accounts/reset_sent.html")


@blueprint.route("/mot-de-passe-oublie/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> ResponseReturnValue:
    session = db_session()
    try:
        user = read_token(session, account_links.token_keys(), TokenPurpose.RESET_PASSWORD, token)
    except TokenError as error:
        return render_link_refused(error.problem.value)
    form = NewPasswordForm()
    if form.validate_on_submit():
        set_password(session, user, form.password.data)
        # The link reached the mailbox, which proves the address too.
        mark_email_verified(session, user)
        session.commit()
        end_session()
        flash(_("Your password is changed. Log in with the new one."), "info")
        return redirect(url_for("accounts.login"))
    status = INVALID_FORM_STATUS if form.is_submitted() else 200
    return render_template("accounts/reset_password.html", form=form, token=token), status


@blueprint.route("/mon-compte/mot-de-passe", methods=["GET", "POST"])
@require_login
@limit_password_checks
def change_own_password() -> ResponseReturnValue:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        session = db_session()
        try:
            version = change_password(
                session, current_user, form.current_password.data, form.password.data
            )
        except WrongPasswordError:
            count_failure()
            form.current_password.errors.append(_("This is not your current password."))
        else:
            session.commit()
            keep_session_version(version)
            flash(_("Your password is changed. Your other devices are logged out."), "info")
            return redirect(url_for("accounts.show_security"))
    status = INVALID_FORM_STATUS if form.is_submitted() else 200
    return render_template("accounts/change_password.html", form=form), status
