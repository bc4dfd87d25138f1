"""Coordinator pages: canvassing sessions, planning runs and assignments.

The other view modules of the area add their routes to the same blueprint; importing
this module registers them all.
"""

import importlib
import logging
import math

from flask import abort, flash, jsonify, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_percent
from flask_babel import gettext as _
from flask_login import current_user

from webapp.db import db_session, utcnow
from webapp.models.jobs import JobStatus
from webapp.number_formats import format_rate
from webapp.planning.blueprint import INVALID_FORM_STATUS, blueprint, site_campaign
from webapp.planning.forms import (
    PlanningForm,
    StreetClosureForm,
    StreetReopenForm,
    TeamActionForm,
)
from webapp.planning.lock_forms import VolunteerForm
from webapp.planning.progress_labels import (
    RUN_STATUSES,
    planning_error_label,
    solve_status_label,
)
from webapp.planning.session_form import SessionForm
from webapp.services import planning
from webapp.services.current_campaign import load_territory
from webapp.services.door_progress import OUTCOME_LABELS
from webapp.services.errors import ValidationErrors
from webapp.services.feedback import summarise_feedback
from webapp.services.localtime import to_local_naive
from webapp.services.planning_reads import read_planning_summary, read_session_detail
from webapp.services.planning_view import (
    PlanningRunView,
    find_territory_centre,
    list_iris_choices,
    list_session_rows,
    load_planning_run,
)
from webapp.services.planning_warnings import list_planning_warnings
from webapp.services.sessions import create_session as create_canvass_session
from webapp.settings_access import get_settings

__all__ = ["blueprint"]

logger = logging.getLogger(__name__)


@blueprint.get("/")
def planning_home() -> ResponseReturnValue:
    """Open the planning area on its list of sessions."""
    return redirect(url_for("planning.list_sessions"))


@blueprint.get("/sessions")
def list_sessions() -> str:
    campaign = site_campaign()
    return render_template(
        "planning/sessions.html",
        sessions=list_session_rows(db_session(), campaign.id),
        active_run=planning.find_active_planning_run(db_session(), campaign.id, utcnow()),
        planning_form=PlanningForm(),
    )


@blueprint.get("/sessions/<int:session_id>")
def show_session(session_id: int) -> str:
    session = db_session()
    detail = read_session_detail(session, site_campaign().id, session_id, current_user.id)
    if detail is None:
        abort(404)
    # Commits the audit event of this read.
    session.commit()
    return render_template(
        "planning/session.html",
        detail=detail,
        team_form=TeamActionForm(),
        closure_form=StreetClosureForm(streets=detail.closable_streets),
        reopen_form=StreetReopenForm(),
        volunteer_form=VolunteerForm(),
        planning_form=PlanningForm(),
        feedback=summarise_feedback(db_session(), session_id),
        outcome_labels=OUTCOME_LABELS,
    )


@blueprint.route("/sessions/nouvelle", methods=["GET", "POST"])
def create_session() -> ResponseReturnValue:
    campaign = site_campaign()
    session = db_session()
    today = to_local_naive(utcnow()).date()
    form = SessionForm(
        territory=load_territory(session, campaign),
        iris_choices=list_iris_choices(session, campaign.id, campaign.commune_codes),
        today=today,
    )
    if form.validate_on_submit():
        try:
            created = create_canvass_session(session, campaign.id, form.to_draft(), today=today)
        except ValidationErrors as errors:
            session.rollback()
            logger.info(
                "Session of campaign %s rejected: %s",
                campaign.id,
                errors,
                extra={"campaign_id": campaign.id},
            )
            form.add_service_errors(errors)
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
    campaign = site_campaign()
    form = PlanningForm()
    if not form.validate_on_submit():
        abort(400)
    session = db_session()
    now = utcnow()
    # A run already under way is shown as it is: there is nothing to confirm.
    if not form.is_confirmed.data and not planning.find_active_planning_run(
        session, campaign.id, now
    ):
        warnings = list_planning_warnings(session, campaign.id, now)
        if warnings.to_reform:
            logger.info(
                "User %s asked for the planning of campaign %s: %s sessions to confirm",
                current_user.id,
                campaign.id,
                len(warnings.to_reform),
                extra={"campaign_id": campaign.id},
            )
            return render_template(
                "planning/confirm_planning.html", warnings=warnings, planning_form=PlanningForm()
            )
    planning_request = planning.request_planning(session, campaign.id, get_settings(), now)
    # The job is enqueued by an after-commit hook; in synchronous mode it runs right here.
    session.commit()
    logger.info(
        "User %s asked for the planning of campaign %s: run %s%s",
        current_user.id,
        campaign.id,
        planning_request.run.id,
        "" if planning_request.is_new else " (already under way)",
        extra={"campaign_id": campaign.id, "job_id": planning_request.run.id},
    )
    if not planning_request.is_new:
        flash(_("A planning is already under way: here is its progress."), "info")
    return redirect(url_for("planning.show_planning_run", run_id=planning_request.run.id))


@blueprint.get("/execution/<int:run_id>")
def show_planning_run(run_id: int) -> str:
    run = load_planning_run(db_session(), site_campaign().id, run_id)
    if run is None:
        abort(404)
    return render_template(
        "planning/run.html", run=run, payload=run_payload(run), planning_form=PlanningForm()
    )


@blueprint.get("/execution/<int:run_id>.json")
def show_planning_run_status(run_id: int) -> ResponseReturnValue:
    run = load_planning_run(db_session(), site_campaign().id, run_id)
    if run is None:
        return jsonify(error="not_found"), 404
    response = jsonify(run_payload(run))
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.get("/bilan")
def show_planning_summary() -> str:
    session = db_session()
    summary = read_planning_summary(session, site_campaign().id, current_user.id)
    # Commits the audit event of this read.
    session.commit()
    last_run = summary.last_run
    gap = None if last_run is None else last_run.gap_to_bound
    return render_template(
        "planning/summary.html",
        summary=summary,
        planning_form=PlanningForm(),
        volunteer_form=VolunteerForm(),
        bound_share=None if gap is None else format_rate(proven_share(gap)),
    )


def proven_share(gap: float) -> float:
    """Return the share of the best plan's points a plan is proven to reach, rounded down
    to the tenth of a percent that `format_rate` shows, so that "at least" stays true."""
    return math.floor((1 - gap) * 1000 + 1e-9) / 1000


def run_payload(run: PlanningRunView) -> dict[str, object]:
    """Describe a run for its page and its JSON endpoint, labels in the current locale."""
    error_code = run.counts.get("error_code")
    return {
        "id": run.id,
        "status": str(run.status),
        "status_label": str(RUN_STATUSES.get(run.status, run.status)),
        "progress": run.progress_pct,
        "progress_text": _progress_text(run),
        "is_finished": run.is_finished,
        "counts": run.counts,
        "solver_status_label": str(solve_status_label(run.counts.get("solver_status"))),
        "error": (
            str(planning_error_label(error_code, run.counts.get("solver_status")))
            if error_code
            else run.error
        ),
        "summary_url": url_for("planning.show_planning_summary"),
    }


def _progress_text(run: PlanningRunView) -> str:
    percent = format_percent(run.progress_pct / 100)
    if run.status == JobStatus.QUEUED:
        return str(_("Waiting for a worker to start the planning."))
    if run.status == JobStatus.RUNNING:
        return str(_("Planning in progress: %(percent)s", percent=percent))
    if run.status == JobStatus.SUCCEEDED:
        return str(_("Planning finished: %(percent)s", percent=percent))
    return str(_("The planning failed."))


# Registered last: these modules add their routes to `blueprint`.
for _module in ("lock_views", "replan_views", "weights_views"):
    importlib.import_module(f"webapp.planning.{_module}")
