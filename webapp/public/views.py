"""Public pages: home, information notice and language choice."""

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from webapp.db import db_session
from webapp.safe_redirect import safe_next_url
from webapp.services.current_campaign import find_current_campaign
from webapp.settings_access import get_settings

blueprint = Blueprint("public", __name__)


@blueprint.get("/")
def show_home() -> str:
    return render_template("public/home.html")


@blueprint.get("/confidentialite")
def show_privacy_notice() -> str:
    """Show the information notice in the page's language; legal text reads best whole."""
    campaign = find_current_campaign(db_session())
    template = "public/privacy_en.html" if str(get_locale()) == "en" else "public/privacy_fr.html"
    return render_template(
        template,
        campaign_name=campaign.name if campaign else _("this campaign"),
        retention_until=campaign.retention_until if campaign else None,
        contact_email=get_settings().email_sender,
    )


@blueprint.post("/langue")
def set_language() -> Response:
    locale = request.form.get("locale", "")
    if locale in get_settings().supported_locales:
        session["locale"] = locale
    return redirect(safe_next_url(request.form.get("next")) or url_for("public.show_home"))
