"""Coordinator pages: the IRIS map, the ranked scores and the choice of targets."""

from flask import Blueprint, render_template
from flask_login import login_required

blueprint = Blueprint("targets", __name__, url_prefix="/ciblage")


@blueprint.before_request
@login_required
def _require_login() -> None:
    return None


@blueprint.get("/")
def show_map() -> str:
    return render_template("targets/map.html")
