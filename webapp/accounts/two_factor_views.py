"""The second factor: the code after the password, setting it up, recovery codes."""

import logging

import segno
from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.accounts.blueprint import INVALID_FORM_STATUS, blueprint
from webapp.accounts.landing import landing_url
from webapp.accounts.limits import count_failure, limit_password_checks, limit_second_factor
from webapp.accounts.login_session import (
    forget_pending_login,
    has_second_factor,
    keep_session_version,
    mark_second_factor,
    pending_login,
    start_session,
)
from webapp.accounts.security_forms import CodeForm, ConfirmForm, PasswordCheckForm, SetupCodeForm
from webapp.authz import SECOND_FACTOR_ROLES, require_login
from webapp.db import db_session
from webapp.models import User
from webapp.safe_redirect import safe_next_url
from webapp.services.accounts import WrongPasswordError, check_current_password, end_all_sessions
from webapp.services.totp import (
    SecondFactor,
    TwoFactorError,
    TwoFactorProblem,
    check_second_factor,
    confirm_setup,
    count_unused_recovery_codes,
    is_enabled,
    provisioning_uri,
    regenerate_recovery_codes,
    start_setup,
    turn_off,
)

logger = logging.getLogger(__name__)

ISSUER = "Tournée"


@blueprint.route("/connexion/code", methods=["GET", "POST"])
@limit_second_factor
def enter_code() -> ResponseReturnValue:
    user, next_url = _user_awaiting_code()
    if user is None:
        return redirect(url_for("accounts.login"))
    form = CodeForm()
    if form.validate_on_submit():
        session = db_session()
        try:
            used = check_second_factor(session, user, form.code.data)
        except TwoFactorError as error:
            count_failure()
            form.code.errors.append(_code_error(error))
        else:
            if current_user.is_authenticated:
                mark_second_factor()
            else:
                start_session(user, has_second_factor=True)
            session.commit()
            logger.info("user %s gave a second factor", user.id, extra={"user_id": user.id})
            if used is SecondFactor.RECOVERY_CODE:
                _flash_codes_left(user)
            return redirect(next_url or landing_url())
    status = INVALID_FORM_STATUS if form.is_submitted() else 200
    return render_template("accounts/enter_code.html", form=form), status


def _code_error(error: TwoFactorError) -> str:
    if error.problem is TwoFactorProblem.CODE_ALREADY_USED:
        return str(
            _(
                "This code was used already: wait for the next one in your authenticator app, "
                "then enter it."
            )
        )
    return str(_("This code is not right. Check it and try again."))


@blueprint.route("/mon-compte/double-authentification", methods=["GET", "POST"])
@require_login
@limit_second_factor
def setup_two_factor() -> ResponseReturnValue:
    next_url = safe_next_url(request.args.get("next"))
    session = db_session()
    if is_enabled(current_user):
        return redirect(url_for("accounts.show_security"))
    secret = start_setup(session, current_user)
    session.commit()
    form = SetupCodeForm()
    if form.validate_on_submit():
        try:
            codes = confirm_setup(session, current_user, form.code.data)
        except TwoFactorError:
            count_failure()
            form.code.errors.append(_("This code is not right. Check it and try again."))
        else:
            # Sessions opened without the second factor end here.
            keep_session_version(end_all_sessions(session, current_user))
            session.commit()
            mark_second_factor()
            return render_template(
                "accounts/recovery_codes.html", codes=codes, next_url=next_url or landing_url()
            )
    status = INVALID_FORM_STATUS if form.is_submitted() else 200
    uri = provisioning_uri(current_user, secret, ISSUER)
    return render_template(
        "accounts/setup_two_factor.html",
        form=form,
        secret=_group(secret),
        qr_data_uri=segno.make(uri, error="m").svg_data_uri(scale=5, border=2),
        is_required=_is_required(current_user),
        next_url=next_url,
    ), status


@blueprint.get("/mon-compte/securite")
@require_login
def show_security() -> str:
    return render_template(
        "accounts/security.html",
        has_two_factor=is_enabled(current_user),
        is_required=_is_required(current_user),
        codes_left=count_unused_recovery_codes(db_session(), current_user.id),
        password_form=PasswordCheckForm(),
    )


@blueprint.post("/mon-compte/codes-de-secours")
@require_login
@limit_password_checks
def regenerate_codes() -> ResponseReturnValue:
    form = PasswordCheckForm()
    session = db_session()
    if not form.validate_on_submit() or not is_enabled(current_user):
        return _security_page(form)
    if not _is_current_password(form):
        return _security_page(form)
    codes = regenerate_recovery_codes(session, current_user)
    session.commit()
    return render_template(
        "accounts/recovery_codes.html", codes=codes, next_url=url_for("accounts.show_security")
    )


@blueprint.post("/mon-compte/double-authentification/desactiver")
@require_login
@limit_password_checks
def disable_two_factor() -> ResponseReturnValue:
    form = PasswordCheckForm()
    if _is_required(current_user):
        flash(_("Coordinators and administrators must keep two-step login."), "error")
        return redirect(url_for("accounts.show_security"))
    if not form.validate_on_submit() or not _is_current_password(form):
        return _security_page(form)
    session = db_session()
    turn_off(session, current_user)
    session.commit()
    flash(_("Two-step login is turned off."), "info")
    return redirect(url_for("accounts.show_security"))


@blueprint.post("/connexion/code/annuler")
def cancel_code() -> Response:
    ConfirmForm().validate_on_submit()
    forget_pending_login()
    return redirect(url_for("accounts.login"))


def _user_awaiting_code() -> tuple[User | None, str | None]:
    """Return the account that must give a code now, and where to go afterwards."""
    if current_user.is_authenticated:
        if not is_enabled(current_user) or has_second_factor():
            return None, None
        return current_user._get_current_object(), safe_next_url(request.args.get("next"))
    pending = pending_login()
    if pending is None:
        return None, None
    user = db_session().get(User, pending[0])
    if user is None or not user.is_enabled or not is_enabled(user):
        forget_pending_login()
        return None, None
    return user, safe_next_url(pending[1])


def _is_current_password(form: PasswordCheckForm) -> bool:
    """Check the typed password, counting a wrong one and showing it on the form."""
    try:
        check_current_password(current_user, form.current_password.data)
    except WrongPasswordError:
        count_failure()
        form.current_password.errors.append(_("This is not your current password."))
        return False
    return True


def _security_page(form: PasswordCheckForm) -> tuple[str, int]:
    return render_template(
        "accounts/security.html",
        has_two_factor=is_enabled(current_user),
        is_required=_is_required(current_user),
        codes_left=count_unused_recovery_codes(db_session(), current_user.id),
        password_form=form,
    ), INVALID_FORM_STATUS


def _is_required(user: User) -> bool:
    return any(m.role in SECOND_FACTOR_ROLES for m in user.memberships)


def _flash_codes_left(user: User) -> None:
    left = count_unused_recovery_codes(db_session(), user.id)
    flash(
        ngettext(
            "You used a recovery code; %(num)d is left. Make new ones from your security page.",
            "You used a recovery code; %(num)d are left. Make new ones from your security page.",
            left,
        ),
        "info",
    )


def _group(secret: str) -> str:
    """Split the secret in groups of four, as people type it into an app by hand."""
    return " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))
