"""The volunteer's route, opened from a private link on a phone.

The token in the URL is the credential, so no login is required, and every response keeps
the link out of referrers, caches and search engines.
"""

import logging

from flask import Blueprint, jsonify, render_template
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from webapp.db import db_session, utcnow
from webapp.services.route_view import (
    RouteLinkExpiredError,
    RouteLinkNotFoundError,
    load_route_sheet,
    route_geojson,
)

logger = logging.getLogger(__name__)

blueprint = Blueprint("canvass", __name__, url_prefix="/parcours")

PRIVATE_LINK_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex",
}


@blueprint.after_request
def _protect_private_link(response: Response) -> Response:
    response.headers.update(PRIVATE_LINK_HEADERS)
    return response


@blueprint.get("/<token>")
def show_route(token: str) -> ResponseReturnValue:
    try:
        sheet = load_route_sheet(db_session(), token, now=utcnow())
    except RouteLinkNotFoundError:
        logger.info("Route link not found")
        return render_template("canvass/link_unknown.html"), 404
    except RouteLinkExpiredError as error:
        logger.info("Route link expired for route %s", error.route_id)
        return render_template("canvass/link_expired.html"), 410
    return render_template("canvass/route.html", sheet=sheet, token=token)


@blueprint.get("/<token>.geojson", endpoint="route_geojson")
def show_route_geojson(token: str) -> ResponseReturnValue:
    try:
        sheet = load_route_sheet(db_session(), token, now=utcnow())
    except RouteLinkNotFoundError:
        logger.info("Route data link not found")
        return jsonify(error="not_found"), 404
    except RouteLinkExpiredError as error:
        logger.info("Route data link expired for route %s", error.route_id)
        return jsonify(error="expired"), 410
    response = jsonify(route_geojson(sheet))
    response.mimetype = "application/geo+json"
    return response
