"""More doors for a team that finished its walk, requested from its route page.

The app-wide CSRF protection rejects a post without the page's token before the view
runs, and the route token in the URL is the credential, as for door visits.
"""

import logging

from flask import flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_number, lazy_gettext, ngettext

from webapp.canvass.views import blueprint
from webapp.db import db_session, utcnow
from webapp.services.more_doors import give_more_doors
from webapp.services.planning import route_settings
from webapp.services.replanning import ReplanError, ReplanErrorCode
from webapp.services.route_notices import notify_route_changes
from webapp.settings_access import get_settings

logger = logging.getLogger(__name__)

# Messages for a tap that gave no door, by re-planning error code.
MORE_DOORS_ERRORS = {
    # A second tap, or a re-planning gave the team doors meanwhile.
    ReplanErrorCode.TEAM_NOT_DONE: lazy_gettext(
        "Your team still has doors to visit: here is its route."
    ),
    # The coordinator marked the team absent while its page was open.
    ReplanErrorCode.TEAM_ALREADY_ABSENT: lazy_gettext(
        'Your team is marked absent: if you are there, tap "We are here" first.'
    ),
    ReplanErrorCode.NO_DOOR_LEFT: lazy_gettext(
        "No door is left that your team has time for: the other teams have the rest in hand."
    ),
    ReplanErrorCode.SESSION_OVER: lazy_gettext(
        "The session is over: thank you for your canvassing!"
    ),
    ReplanErrorCode.SESSION_NOT_PLANNED: lazy_gettext(
        "This session is cancelled or closed: no door can be added."
    ),
}
MORE_DOORS_FAILED = lazy_gettext(
    "No door could be added, so nothing changed. Tell your coordinator."
)


@blueprint.post("/parcours/<token>/autres-portes", endpoint="give_more_doors")
def give_more_doors_view(token: str) -> ResponseReturnValue:
    session = db_session()
    now = utcnow()
    try:
        outcome = give_more_doors(session, token, settings=route_settings(get_settings()), now=now)
        notify_route_changes(session, outcome.report, now=now)
    except ReplanError as error:
        session.rollback()
        # The route link is a credential, so the log line names the error code only.
        logger.info("More doors not given from a route link: %s", error.code)
        category = "info" if error.code in MORE_DOORS_ERRORS else "error"
        flash(str(MORE_DOORS_ERRORS.get(error.code, MORE_DOORS_FAILED)), category)
        return redirect(url_for("canvass.show_route", token=token))
    session.commit()
    count = outcome.door_count
    flash(
        ngettext(
            "Your team has %(count)s more door: it follows in the list.",
            "Your team has %(count)s more doors: they follow in the list.",
            count,
            count=format_number(count),
        ),
        "success",
    )
    # The top of the page, where the message shows beside the link to the first new door.
    return redirect(url_for("canvass.show_route", token=token))
