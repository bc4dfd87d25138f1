"""Coordinator pages: canvassing sessions, planning runs and assignments."""

from flask import Blueprint, render_template
from flask_login import login_required

blueprint = Blueprint("planning", __name__, url_prefix="/planification")


@blueprint.before_request
@login_required
def _require_login() -> None:
    return None


@blueprint.get("/sessions")
def list_sessions() -> str:
    return render_template("planning/sessions.html")
