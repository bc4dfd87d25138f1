"""The dwellings of a building counted per outcome, sent from under its door on the route page.

The app-wide CSRF protection rejects a post without the page's token before the view
runs, and the route token in the URL is the credential, as for the outcome buttons.
"""

import logging

from flask import flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext

from webapp.canvass.door_confirmation import DoorConfirmation, remember_door_confirmation
from webapp.canvass.survey_form import SurveyForm
from webapp.canvass.tally_form import DwellingTallyForm, too_many_dwellings_message
from webapp.canvass.views import DOOR_RECORDING_ERRORS, blueprint, door_not_recorded, route_page
from webapp.db import db_session, utcnow
from webapp.services.door_progress import OUTCOME_LABELS
from webapp.services.door_visits import (
    RecordedVisit,
    SubmissionKeyReusedError,
    TallyNotOfferedError,
    record_dwelling_tally,
)
from webapp.services.dwelling_tallies import TallyTooLargeError

logger = logging.getLogger(__name__)

# Status of counts with errors: the route page is shown again with them under the door.
INVALID_FORM_STATUS = 422


@blueprint.post(
    "/parcours/<token>/portes/<int:address_id>/logements", endpoint="record_dwelling_tally"
)
def record_dwelling_tally_view(token: str, address_id: int) -> ResponseReturnValue:
    form = DwellingTallyForm()
    if not form.validate_on_submit():
        logger.info("Dwelling counts not recorded at address %s: invalid form", address_id)
        return _page_with_errors(token, address_id, form)
    session = db_session()
    try:
        visit = record_dwelling_tally(
            session,
            token,
            address_id,
            form.tally,
            submission_key=form.submission_key.data,
            now=utcnow(),
        )
    except DOOR_RECORDING_ERRORS as error:
        return door_not_recorded(token, address_id, error)
    except TallyTooLargeError as error:
        logger.info("Dwelling counts not recorded at address %s: too many", address_id)
        form.form_errors.append(too_many_dwellings_message(error.total, error.limit))
        return _page_with_errors(token, address_id, form)
    except TallyNotOfferedError as error:
        logger.info(
            "Dwelling counts not recorded on route %s at address %s: one dwelling",
            error.route_id,
            address_id,
        )
        flash(_("This door takes one outcome only: tap one of its buttons."), "error")
        return redirect(url_for("canvass.show_route", token=token))
    except SubmissionKeyReusedError as error:
        logger.info("Dwelling counts not recorded at address %s: %s", address_id, error)
        form.form_errors.append(_("This form was incomplete: send it again."))
        return _page_with_errors(token, address_id, form)
    session.commit()
    remember_door_confirmation(DoorConfirmation(address_id, _confirmation(visit, form)))
    return redirect(url_for("canvass.show_route", token=token, _anchor=f"porte-{address_id}"))


def _page_with_errors(token: str, address_id: int, form: DwellingTallyForm) -> ResponseReturnValue:
    # The page comes back with the counts as typed, under their door.
    page = route_page(
        token, survey_form=SurveyForm(formdata=None), tally_form=form, tally_address_id=address_id
    )
    return page, INVALID_FORM_STATUS


def _confirmation(visit: RecordedVisit, form: DwellingTallyForm) -> str:
    total = form.tally.total
    labels = {"door": visit.door_label, "outcome": OUTCOME_LABELS[visit.outcome]}
    if visit.is_correction:
        message = ngettext(
            "Count changed: %(door)s, %(num)s dwelling, %(outcome)s.",
            "Count changed: %(door)s, %(num)s dwellings, %(outcome)s.",
            total,
            **labels,
        )
    else:
        message = ngettext(
            "Dwellings recorded: %(door)s, %(num)s dwelling, %(outcome)s.",
            "Dwellings recorded: %(door)s, %(num)s dwellings, %(outcome)s.",
            total,
            **labels,
        )
    return str(message)
