"""Sign-up, log in, log out and the volunteer's own page."""

import logging

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from webapp.accounts.availability_grid import build_availability_grid
from webapp.accounts.forms import LoginForm, SignupForm
from webapp.authz import COORDINATOR_ROLES, current_role, require_login
from webapp.db import db_session, utcnow
from webapp.safe_redirect import safe_next_url
from webapp.services.accounts import authenticate
from webapp.services.current_campaign import find_current_campaign, load_territory
from webapp.services.signup import register_volunteer
from webapp.services.volunteer_sessions import list_upcoming_assignments

logger = logging.getLogger(__name__)

blueprint = Blueprint("accounts", __name__)

# Status of a submitted form that has errors: the page is shown again with them.
INVALID_FORM_STATUS = 422


@blueprint.route("/inscription", methods=["GET", "POST"])
def signup() -> ResponseReturnValue:
    session = db_session()
    campaign = find_current_campaign(session)
    if campaign is None:
        return render_template("accounts/signup_closed.html")
    form = SignupForm(territory=load_territory(session, campaign))
    if form.validate_on_submit():
        # A known address leads to the same page, so the form does not reveal who is registered.
        register_volunteer(session, campaign.id, form.to_request(locale=str(get_locale())))
        session.commit()
        return redirect(url_for("accounts.show_signup_done"))
    status = INVALID_FORM_STATUS if form.is_submitted() else 200
    return render_template(
        "accounts/signup.html", form=form, grid=build_availability_grid()
    ), status


@blueprint.get("/inscription/merci")
def show_signup_done() -> str:
    return render_template("accounts/signup_done.html")


@blueprint.route("/connexion", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    next_url = safe_next_url(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or _landing_url())
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(db_session(), form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            db_session().commit()
            logger.info("user %s logged in", user.id, extra={"user_id": user.id})
            return redirect(next_url or _landing_url())
        logger.info("login refused")
        form.form_errors.append(_("Incorrect e-mail address or password."))
    status = INVALID_FORM_STATUS if form.is_submitted() else 200
    return render_template("accounts/login.html", form=form, next_url=next_url), status


@blueprint.post("/deconnexion")
def logout() -> Response:
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("public.show_home"))


@blueprint.get("/mon-espace")
@require_login
def show_my_space() -> str:
    assignments = list_upcoming_assignments(db_session(), current_user.id, now=utcnow())
    return render_template("accounts/my_space.html", assignments=assignments)


def _landing_url() -> str:
    if current_role() in COORDINATOR_ROLES:
        return url_for("targets.show_map")
    return url_for("accounts.show_my_space")
