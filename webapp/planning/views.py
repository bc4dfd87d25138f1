"""Coordinator pages: canvassing sessions, planning runs and assignments."""

import logging

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from webapp.authz import COORDINATOR_ROLES, require_role
from webapp.db import db_session
from webapp.models import Campaign
from webapp.planning.forms import PlanningForm, SessionForm
from webapp.planning.labels import SESSION_STATUSES, SOLVE_STATUSES, left_out_reason_label
from webapp.services import planning
from webapp.services.current_campaign import find_current_campaign, load_territory
from webapp.services.errors import ValidationError
from webapp.services.planning_view import (
    find_territory_centre,
    list_iris_choices,
    list_session_rows,
    load_planning_summary,
    load_session_detail,
)
from webapp.services.sessions import create_session as create_canvass_session
from webapp.settings_access import get_settings

logger = logging.getLogger(__name__)

blueprint = Blueprint("planning", __name__, url_prefix="/planification")

# Status of a submitted form that has errors: the page is shown again with them.
INVALID_FORM_STATUS = 422


@blueprint.before_request
@require_role(*COORDINATOR_ROLES)
def _check_role() -> None:
    return None


@blueprint.context_processor
def _labels() -> dict[str, object]:
    return {
        "session_statuses": SESSION_STATUSES,
        "left_out_reason_label": left_out_reason_label,
    }


def _campaign() -> Campaign:
    campaign = find_current_campaign(db_session())
    if campaign is None:
        abort(404)
    return campaign


@blueprint.get("/sessions")
def list_sessions() -> str:
    campaign = _campaign()
    return render_template(
        "planning/sessions.html",
        sessions=list_session_rows(db_session(), campaign.id),
        planning_form=PlanningForm(),
    )


@blueprint.get("/sessions/<int:session_id>")
def show_session(session_id: int) -> str:
    detail = load_session_detail(db_session(), _campaign().id, session_id)
    if detail is None:
        abort(404)
    return render_template("planning/session.html", detail=detail)


@blueprint.route("/sessions/nouvelle", methods=["GET", "POST"])
def create_session() -> ResponseReturnValue:
    campaign = _campaign()
    session = db_session()
    form = SessionForm(
        territory=load_territory(session, campaign),
        iris_choices=list_iris_choices(session, campaign.id, campaign.commune_codes),
    )
    if form.validate_on_submit():
        try:
            created = create_canvass_session(session, campaign.id, form.to_draft())
        except ValidationError as error:
            session.rollback()
            logger.info(
                "Session of campaign %s rejected: %s %s",
                campaign.id,
                error.field,
                error.message,
                extra={"campaign_id": campaign.id},
            )
            form.add_service_error(error)
        else:
            session.commit()
            logger.info(
                "User %s created session %s",
                current_user.id,
                created.id,
                extra={"campaign_id": campaign.id, "session_id": created.id},
            )
            flash(_("The session is created."), "success")
            return redirect(url_for("planning.show_session", session_id=created.id))
    status = INVALID_FORM_STATUS if form.is_submitted() else 200
    centre = find_territory_centre(session, campaign.commune_codes)
    return render_template("planning/new_session.html", form=form, centre=centre), status


@blueprint.post("/lancer")
def launch_planning() -> ResponseReturnValue:
    campaign = _campaign()
    if not PlanningForm().validate_on_submit():
        abort(400)
    session = db_session()
    report = planning.run_planning(session, campaign.id, get_settings())
    # Messages are dispatched by an after-commit hook, so only now are they sent.
    session.commit()
    plan = report.assignment
    logger.info(
        "User %s ran the planning of campaign %s: %s",
        current_user.id,
        campaign.id,
        plan.status,
        extra={"campaign_id": campaign.id},
    )
    status = SOLVE_STATUSES.get(plan.status, plan.status)
    if not plan.status.has_solution:
        flash(
            _(
                "The assignment found no solution (%(status)s): the previous assignments are kept.",
                status=status,
            ),
            "error",
        )
        return redirect(url_for("planning.show_planning_summary"))
    flash(_("Planning done. Solver result: %(status)s.", status=status), "success")
    flash(
        ngettext(
            "%(num)d new message for the volunteers (confirmations and reminders).",
            "%(num)d new messages for the volunteers (confirmations and reminders).",
            len(report.messages),
        ),
        "success",
    )
    return redirect(url_for("planning.show_planning_summary"))


@blueprint.get("/bilan")
def show_planning_summary() -> str:
    campaign = _campaign()
    return render_template(
        "planning/summary.html",
        summary=load_planning_summary(db_session(), campaign.id),
        planning_form=PlanningForm(),
    )
