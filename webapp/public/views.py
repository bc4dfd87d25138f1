"""Public pages: home and language choice."""

from flask import Blueprint, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from webapp.safe_redirect import safe_next_url
from webapp.settings_access import get_settings

blueprint = Blueprint("public", __name__)


@blueprint.get("/")
def show_home() -> str:
    return render_template("public/home.html")


@blueprint.post("/langue")
def set_language() -> Response:
    locale = request.form.get("locale", "")
    if locale in get_settings().supported_locales:
        session["locale"] = locale
    return redirect(safe_next_url(request.form.get("next")) or url_for("public.show_home"))
