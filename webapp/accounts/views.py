"""Sign-up, log in, log out and the volunteer's own page.

The other pages of the area live beside this module and register on the same
blueprint; importing this module registers them all.
"""

import importlib
import logging

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.accounts import account_links
from webapp.accounts.availability_grid import build_availability_grid
from webapp.accounts.blueprint import INVALID_FORM_STATUS, blueprint
from webapp.accounts.forms import LoginForm, SignupForm
from webapp.accounts.landing import landing_url
from webapp.accounts.limits import count_acceptance, count_failure, limit_logins, limit_signups
from webapp.accounts.login_session import begin_pending_login, end_session, start_session
from webapp.authz import require_login
from webapp.db import db_session, utcnow
from webapp.models.planning import SessionStatus
from webapp.planning.labels import session_status_label
from webapp.safe_redirect import safe_next_url
from webapp.services.accounts import authenticate, end_all_sessions
from webapp.services.current_campaign import find_current_campaign, load_territory
from webapp.services.reply_links import make_reply_token
from webapp.services.signup import register_volunteer
from webapp.services.totp import is_enabled as has_two_factor
from webapp.services.volunteer_sessions import list_upcoming_assignments

logger = logging.getLogger(__name__)

__all__ = ["blueprint"]


@blueprint.route("/inscription", methods=["GET", "POST"])
@limit_signups
def signup() -> ResponseReturnValue:
    session = db_session()
    campaign = find_current_campaign(session)
    if campaign is None:
        return render_template("accounts/signup_closed.html")
    form = SignupForm(territory=load_territory(session, campaign))
    if form.validate_on_submit():
        # A known address leads to the same page, so the form does not reveal who is registered.
        created = register_volunteer(
            session, campaign.id, form.to_request(locale=str(get_locale()))
        )
        account_links.send_signup_email(session, form.normalised_email, created)
        session.commit()
        count_acceptance()
        return redirect(url_for("accounts.show_signup_done"))
    status = INVALID_FORM_STATUS if form.is_submitted() else 200
    return render_template(
        "accounts/signup.html", form=form, grid=build_availability_grid()
    ), status


@blueprint.get("/inscription/merci")
def show_signup_done() -> str:
    return render_template("accounts/signup_done.html")


@blueprint.route("/connexion", methods=["GET", "POST"])
@limit_logins
def login() -> ResponseReturnValue:
    next_url = safe_next_url(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or landing_url())
    form = LoginForm()
    if form.validate_on_submit():
        session = db_session()
        user = authenticate(session, form.email.data, form.password.data)
        if user is not None and has_two_factor(user):
            session.commit()
            begin_pending_login(user, next_url)
            return redirect(url_for("accounts.enter_code"))
        if user is not None:
            start_session(user, has_second_factor=False)
            session.commit()
            logger.info("user %s logged in", user.id, extra={"user_id": user.id})
            return redirect(next_url or landing_url())
        logger.info("login failed: wrong e-mail address or password")
        count_failure()
        form.form_errors.append(_("Incorrect e-mail address or password."))
    status = INVALID_FORM_STATUS if form.is_submitted() else 200
    return render_template("accounts/login.html", form=form, next_url=next_url), status


@blueprint.post("/deconnexion")
def logout() -> Response:
    if current_user.is_authenticated:
        # Logging out ends the account's sessions in every browser, not only this one.
        session = db_session()
        end_all_sessions(session, current_user)
        session.commit()
        logger.info("user %s logged out", current_user.id, extra={"user_id": current_user.id})
    end_session()
    flash(_("You are logged out."), "info")
    return redirect(url_for("public.show_home"))


@blueprint.get("/mon-espace")
@require_login
def show_my_space() -> str:
    now = utcnow()
    assignments = list_upcoming_assignments(db_session(), current_user.id, now=now)
    # The pages where the volunteer confirms or cancels, as the e-mails' links open them.
    reply_tokens = {
        a.assignment_id: make_reply_token(a.assignment_id, a.starts_at) for a in assignments
    }
    # A session that has started takes no reply any more: its card shows the session's
    # status instead, named as on the coordinators' pages.
    started_labels = {
        a.assignment_id: session_status_label(SessionStatus.PLANNED, a.starts_at, a.ends_at, now)
        for a in assignments
        if a.has_started
    }
    return render_template(
        "accounts/my_space.html",
        assignments=assignments,
        reply_tokens=reply_tokens,
        started_labels=started_labels,
    )


# Registered last: these modules add their routes to `blueprint`.
for _module in (
    "email_views",
    "invitation_views",
    "password_views",
    "profile_views",
    "two_factor_views",
):
    importlib.import_module(f"webapp.accounts.{_module}")
