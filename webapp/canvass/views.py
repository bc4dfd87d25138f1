"""The volunteer's route, opened from a private link on a phone."""

from flask import Blueprint, abort

blueprint = Blueprint("canvass", __name__, url_prefix="/parcours")


@blueprint.get("/<token>")
def show_route(token: str) -> str:
    abort(404)
