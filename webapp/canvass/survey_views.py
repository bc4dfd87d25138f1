"""The questionnaire's answers, sent from the route page after a conversation at a door.

The app-wide CSRF protection rejects a post without the page's token before the view
runs, and the route token in the URL is the credential, as for door visits.
"""

import logging

from flask import flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _

from webapp.canvass.survey_confirmation import remember_survey_recorded
from webapp.canvass.survey_form import SurveyForm
from webapp.canvass.views import blueprint, recording_opening, route_page
from webapp.db import db_session, utcnow
from webapp.services.door_visits import (
    RouteSessionCancelledError,
    VisitBeforeSessionError,
)
from webapp.services.survey_answers import record_survey_response

logger = logging.getLogger(__name__)

# Status of a questionnaire with errors: the route page is shown again with them.
INVALID_FORM_STATUS = 422
# Status of valid answers sent before recording opens: the page is shown again with them.
TOO_EARLY_STATUS = 409


@blueprint.post("/parcours/<token>/reponses", endpoint="record_survey_response")
def record_survey_response_view(token: str) -> ResponseReturnValue:
    form = SurveyForm()
    if not form.validate_on_submit():
        # The page comes back with the text as typed, so nothing is lost to a mistake.
        return route_page(token, survey_form=form), INVALID_FORM_STATUS
    session = db_session()
    try:
        record_survey_response(
            session, token, form.answers, language=str(get_locale() or "fr"), now=utcnow()
        )
    except RouteSessionCancelledError as error:
        logger.info("Survey answers not recorded on route %s: session cancelled", error.route_id)
        flash(_("This session has been cancelled: the answers were not recorded."), "error")
        return redirect(url_for("canvass.show_route", token=token))
    except VisitBeforeSessionError as error:
        logger.info("Survey answers not recorded on route %s: too early", error.route_id)
        # The page comes back with the text as typed, to send again once recording opens.
        page = route_page(token, survey_form=form, survey_error=_too_early_message(error))
        return page, TOO_EARLY_STATUS
    session.commit()
    # NOTE: a recorded answer is not logged, because the time of a log line next to the
    # door visits' lines would tie the answer back to a door.
    remember_survey_recorded()
    return redirect(url_for("canvass.show_route", token=token, _anchor="questionnaire"))


def _too_early_message(error: VisitBeforeSessionError) -> str:
    """Build the error giving the time from which answers can be recorded, in Europe/Paris time."""
    message = _(
        "Too early to record answers: recording opens on %(date)s at %(time)s, %(minutes)s "
        "minutes before the session starts. The answers were not recorded.",
        **recording_opening(error),
    )
    return str(message)
