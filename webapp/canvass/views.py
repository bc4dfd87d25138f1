"""The volunteer's route, opened from a private link on a phone, printed or exported.

The token in the URL is the credential, so no login is required, and every response keeps
the link out of referrers, caches and search engines. A short code printed on the walk
sheet opens the same route. Neither is ever logged.
"""

import importlib
import logging

from flask import Blueprint, flash, jsonify, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_date, format_time, lazy_gettext
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from werkzeug.wrappers import Response

from webapp.accounts.blueprint import TOO_MANY_REQUESTS
from webapp.accounts.limits import limit_link_guesses
from webapp.canvass.door_confirmation import (
    DoorConfirmation,
    pop_door_confirmation,
    remember_door_confirmation,
)
from webapp.canvass.forms import DoorVisitForm
from webapp.canvass.survey_confirmation import pop_survey_recorded
from webapp.canvass.survey_form import SurveyForm
from webapp.canvass.tally_form import DwellingTallyForm, new_tally_key
from webapp.db import db_session, utcnow
from webapp.services.door_progress import OUTCOME_LABELS
from webapp.services.door_visits import (
    RECORDING_OPENS_BEFORE_START,
    DoorNotOnRouteError,
    RouteSessionCancelledError,
    VisitBeforeSessionError,
    record_door_visit,
    recording_opens_at,
)
from webapp.services.dwelling_tallies import TALLY_OUTCOMES
from webapp.services.planning import route_settings
from webapp.services.replanning import ReplanError, ReplanErrorCode
from webapp.services.route_gpx import route_gpx
from webapp.services.route_links import (
    find_route_by_short_code,
    load_shared_route_sheet,
    qr_svg,
)
from webapp.services.route_notices import notify_route_changes
from webapp.services.route_view import (
    RouteLinkExpiredError,
    RouteLinkNotFoundError,
    RouteLinkReplacedError,
    RouteSheet,
    load_route_sheet,
    route_geojson,
)
from webapp.services.team_changes import declare_team_present
from webapp.services.walk_sheet import LARGE_BUILDING_DWELLINGS, project_route
from webapp.services.walk_sheet_pdf import render_walk_sheet_pdf
from webapp.settings_access import get_settings
from webapp.urls import public_url

logger = logging.getLogger(__name__)

blueprint = Blueprint("canvass", __name__)

PRIVATE_LINK_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex",
}
# The printed plan's SVG box; CSS scales it to the page width.
PLAN_BOX = (1000, 640)
# Messages for a tap on "We are here" that changed nothing, by re-planning error code.
TEAM_PRESENT_ERRORS = {
    # A second tap, or the coordinator was quicker.
    ReplanErrorCode.TEAM_NOT_ABSENT: lazy_gettext(
        "Your team is no longer marked absent: here is its route."
    ),
    ReplanErrorCode.SESSION_OVER: lazy_gettext(
        "The session is over: your team can no longer be marked present."
    ),
    ReplanErrorCode.SESSION_NOT_PLANNED: lazy_gettext(
        "This session is cancelled or closed: your team cannot be marked present."
    ),
}
# The errors that leave a door unrecorded, for any of its forms.
DOOR_RECORDING_ERRORS = (DoorNotOnRouteError, RouteSessionCancelledError, VisitBeforeSessionError)
TEAM_PRESENT_FAILED = lazy_gettext(
    "Your team could not be marked present, so nothing changed. Tell your coordinator."
)


@blueprint.after_request
def _protect_private_link(response: Response) -> Response:
    response.headers.update(PRIVATE_LINK_HEADERS)
    return response


@blueprint.errorhandler(RouteLinkNotFoundError)
def _link_not_found(_error: RouteLinkNotFoundError) -> ResponseReturnValue:
    logger.info("Route link not found")
    return render_template("canvass/link_unknown.html"), 404


@blueprint.errorhandler(RouteLinkReplacedError)
def _link_replaced(error: RouteLinkReplacedError) -> ResponseReturnValue:
    link = error.link
    logger.info(
        "Replaced route link opened for team %s of session %s",
        link.team,
        link.session_id,
        extra={"session_id": link.session_id},
    )
    return render_template("canvass/link_replaced.html", link=link), 410


@blueprint.errorhandler(RouteLinkExpiredError)
def _link_expired(error: RouteLinkExpiredError) -> ResponseReturnValue:
    logger.info("Route link expired for route %s", error.route_id)
    return render_template("canvass/link_expired.html"), 410


@blueprint.errorhandler(RateLimitExceeded)
def _too_many_codes(_error: RateLimitExceeded) -> ResponseReturnValue:
    return render_template("canvass/too_many_codes.html"), TOO_MANY_REQUESTS


@blueprint.get("/parcours/<token>")
def show_route(token: str) -> ResponseReturnValue:
    return route_page(token, survey_form=SurveyForm(formdata=None))


def route_page(
    token: str,
    *,
    survey_form: SurveyForm,
    survey_error: str | None = None,
    tally_form: DwellingTallyForm | None = None,
    tally_address_id: int | None = None,
) -> str:
    """Render the route page, its questionnaire filled in from `survey_form`.

    `survey_error` is the reason the answers in `survey_form` were not recorded, shown
    above the questionnaire. `tally_form` is a dwelling count not recorded at the door of
    `tally_address_id`, shown there with its errors.
    """
    now = utcnow()
    sheet = load_shared_route_sheet(db_session(), token, now=now)
    db_session().commit()
    short_url = _short_url(sheet)
    opens_at = recording_opens_at(sheet.starts_at)
    return render_template(
        "canvass/route.html",
        sheet=sheet,
        # Said before a tap, so that nobody learns it only from a refusal.
        recording_opens_at=opens_at if now < opens_at else None,
        door_confirmation=_door_confirmation_on(sheet),
        # The page offers the button only while marking the team present can succeed.
        can_declare_present=sheet.is_team_absent and now < sheet.ends_at,
        # Asked for once the walk is done, while the session runs, by a team present.
        can_ask_more_doors=sheet.is_done
        and not (sheet.is_cancelled or sheet.is_team_absent or sheet.is_team_empty)
        and now < sheet.ends_at,
        token=token,
        short_url=short_url,
        short_url_text=short_url.split("://", 1)[-1],
        qr_svg=qr_svg(short_url),
        plan=project_route(sheet, width=PLAN_BOX[0], height=PLAN_BOX[1], margin=40, is_y_down=True),
        large_building_dwellings=LARGE_BUILDING_DWELLINGS,
        outcome_labels=OUTCOME_LABELS,
        survey_form=survey_form,
        survey_error=survey_error,
        is_survey_recorded=pop_survey_recorded(),
        tally_form=tally_form,
        tally_address_id=tally_address_id,
        tally_outcomes=TALLY_OUTCOMES,
        new_tally_key=new_tally_key,
    )


@blueprint.post("/parcours/<token>/portes/<int:address_id>", endpoint="record_door_visit")
def record_door_visit_view(token: str, address_id: int) -> ResponseReturnValue:
    session = db_session()
    form = DoorVisitForm()
    back = url_for("canvass.show_route", token=token, _anchor=f"porte-{address_id}")
    if not form.validate_on_submit():
        logger.info("Door visit not recorded at address %s: invalid outcome", address_id)
        flash(_("Tap one of the outcome buttons under the door."), "error")
        # The top of the page, where the message shows, rather than the door.
        return redirect(url_for("canvass.show_route", token=token))
    try:
        visit = record_door_visit(session, token, address_id, form.chosen_outcome, now=utcnow())
    except DOOR_RECORDING_ERRORS as error:
        return door_not_recorded(token, address_id, error)
    session.commit()
    labels = {"door": visit.door_label, "outcome": OUTCOME_LABELS[visit.outcome]}
    if visit.is_correction:
        message = _("Outcome changed: %(door)s, %(outcome)s.", **labels)
    else:
        message = _("Door recorded: %(door)s, %(outcome)s.", **labels)
    remember_door_confirmation(DoorConfirmation(address_id, message))
    return redirect(back)


@blueprint.post("/parcours/<token>/presente", endpoint="declare_team_present")
def declare_team_present_view(token: str) -> ResponseReturnValue:
    """Mark the link's team present again, as the coordinator's button does.

    The app-wide CSRF protection rejects a post without the page's token before this runs.
    """
    session = db_session()
    now = utcnow()
    try:
        report = declare_team_present(
            session, token, settings=route_settings(get_settings()), now=now
        )
        notify_route_changes(session, report, now=now)
    except ReplanError as error:
        # `declare_team_present` logged the error with the session and team.
        session.rollback()
        category = "info" if error.code == ReplanErrorCode.TEAM_NOT_ABSENT else "error"
        flash(str(TEAM_PRESENT_ERRORS.get(error.code, TEAM_PRESENT_FAILED)), category)
    else:
        session.commit()
        flash(_("Your team is marked present again: here is its route."), "success")
    return redirect(url_for("canvass.show_route", token=token))


def _too_early_message(error: VisitBeforeSessionError) -> str:
    """Build the error that says from when doors can be recorded, in Europe/Paris time."""
    message = _(
        "Too early to record doors: recording opens on %(date)s at %(time)s, %(minutes)s "
        "minutes before the session starts. Nothing was recorded.",
        **recording_opening(error),
    )
    return str(message)


def recording_opening(error: VisitBeforeSessionError) -> dict[str, str | int]:
    """Return the date, time and lead minutes of the recording window's opening, in the
    current locale, for the messages that reject a record sent too early."""
    return {
        "date": format_date(error.opens_at, "full"),
        "time": format_time(error.opens_at, "short"),
        "minutes": int(RECORDING_OPENS_BEFORE_START.total_seconds() // 60),
    }


def _door_confirmation_on(sheet: RouteSheet) -> DoorConfirmation | None:
    """Return the confirmation to show under its door, None when none waits.

    A confirmation whose door is no longer on the sheet is flashed at the top instead.
    """
    confirmation = pop_door_confirmation()
    if confirmation is None:
        return None
    if confirmation.address_id not in {stop.address_id for stop in sheet.stops}:
        flash(confirmation.message, "success")
        return None
    return confirmation


def door_not_recorded(
    token: str,
    address_id: int,
    error: DoorNotOnRouteError | RouteSessionCancelledError | VisitBeforeSessionError,
) -> ResponseReturnValue:
    """Flash why nothing was recorded at the door and go back to the top of the route page."""
    if isinstance(error, DoorNotOnRouteError):
        reason = "not on the route"
        # Most often a re-planning moved the door while the page was open.
        message = _(
            "This door is not on your route any more: nothing was recorded. The page now "
            "shows your route as it is."
        )
    elif isinstance(error, RouteSessionCancelledError):
        reason = "session cancelled"
        message = _("This session has been cancelled: nothing was recorded.")
    else:
        reason = "too early"
        message = _too_early_message(error)
    logger.info(
        "Door visit not recorded on route %s at address %s: %s",
        error.route_id,
        address_id,
        reason,
    )
    flash(message, "error")
    return redirect(url_for("canvass.show_route", token=token))


@blueprint.get("/parcours/<token>.pdf", endpoint="route_pdf")
def show_route_pdf(token: str) -> ResponseReturnValue:
    sheet = load_shared_route_sheet(db_session(), token, now=utcnow())
    db_session().commit()
    response = Response(
        render_walk_sheet_pdf(sheet, short_url=_short_url(sheet)), mimetype="application/pdf"
    )
    response.headers["Content-Disposition"] = f'inline; filename="{_file_name(sheet, "pdf")}"'
    return response


@blueprint.get("/parcours/<token>.gpx", endpoint="route_gpx")
def show_route_gpx(token: str) -> ResponseReturnValue:
    sheet = load_route_sheet(db_session(), token, now=utcnow())
    response = Response(route_gpx(sheet), mimetype="application/gpx+xml")
    response.headers["Content-Disposition"] = f'attachment; filename="{_file_name(sheet, "gpx")}"'
    return response


@blueprint.get("/parcours/<token>.geojson", endpoint="route_geojson")
def show_route_geojson(token: str) -> ResponseReturnValue:
    try:
        sheet = load_route_sheet(db_session(), token, now=utcnow())
    except RouteLinkReplacedError as error:
        logger.info("Replaced route data link opened for session %s", error.link.session_id)
        return jsonify(error="replaced"), 410
    except RouteLinkNotFoundError:
        logger.info("Route data link not found")
        return jsonify(error="not_found"), 404
    except RouteLinkExpiredError as error:
        logger.info("Route data link expired for route %s", error.route_id)
        return jsonify(error="expired"), 410
    response = jsonify(route_geojson(sheet))
    response.mimetype = "application/geo+json"
    return response


@blueprint.get("/p/<code>", endpoint="open_short_link")
@limit_link_guesses
def open_short_link(code: str) -> ResponseReturnValue:
    route = find_route_by_short_code(db_session(), code, now=utcnow())
    return redirect(url_for("canvass.show_route", token=route.access_token), 302)


def _short_url(sheet: RouteSheet) -> str:
    return public_url("canvass.open_short_link", code=sheet.short_code)


def _file_name(sheet: RouteSheet, extension: str) -> str:
    # Kept ASCII and untranslated, so every browser and phone saves it under the same name.
    return f"parcours-equipe-{sheet.team}.{extension}"


# Registered last: this module adds its route to `blueprint`.
importlib.import_module("webapp.canvass.survey_views")
importlib.import_module("webapp.canvass.more_doors_views")
importlib.import_module("webapp.canvass.tally_views")
