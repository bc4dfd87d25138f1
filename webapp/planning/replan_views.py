"""Re-planning one session from its page: a team absent or present again, a volunteer
left alone joined to another team, a street closed or reopened. Each action changes the
session's rows, re-cuts its routes and, on the day, queues a notice to the volunteers
whose route or team changed, in one transaction, or changes nothing.
"""

import logging
from collections.abc import Callable
from datetime import datetime

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import Session

from webapp.db import db_session, utcnow
from webapp.planning.blueprint import blueprint, site_campaign
from webapp.planning.forms import (
    StreetClosureForm,
    StreetReopenForm,
    TeamAbsentForm,
    TeamActionForm,
)
from webapp.planning.progress_labels import replan_error_label
from webapp.planning.replan_summary import flash_replan_summary
from webapp.services import more_doors, planning, replanning, route_notices, team_changes
from webapp.services.errors import NotFoundError
from webapp.services.planning_reads import read_session_detail
from webapp.services.replanning import ReplanError, ReplanErrorCode, ReplanReport
from webapp.settings_access import get_settings

logger = logging.getLogger(__name__)

# A re-planning service: (session, campaign id, session id, team or street, *, settings,
# now) -> ReplanReport.
ReplanService = Callable[..., ReplanReport]


@blueprint.get("/sessions/<int:session_id>/equipes/<int:team>/absente")
def confirm_team_absent(session_id: int, team: int) -> ResponseReturnValue:
    session = db_session()
    detail = read_session_detail(session, site_campaign().id, session_id, current_user.id)
    chosen = None if detail is None else detail.find_team(team)
    if detail is None or chosen is None:
        abort(404)
    # Commits the audit event of this read.
    session.commit()
    if chosen.is_absent or not detail.can_replan:
        code = (
            ReplanErrorCode.TEAM_ALREADY_ABSENT
            if chosen.is_absent
            else ReplanErrorCode.SESSION_NOT_PLANNED
        )
        flash(replan_error_label(code), "error")
        return redirect(url_for("planning.show_session", session_id=session_id))
    return render_template(
        "planning/team_absent.html",
        detail=detail,
        team=chosen,
        route=detail.find_route(team),
        form=TeamAbsentForm(),
    )


@blueprint.post("/sessions/<int:session_id>/equipes/<int:team>/absente")
def mark_team_absent(session_id: int, team: int) -> ResponseReturnValue:
    campaign_id = site_campaign().id
    form = TeamAbsentForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return redirect(url_for("planning.confirm_team_absent", session_id=session_id, team=team))
    done = _("Team %(num)s is marked absent.", num=team)
    return _apply(team_changes.mark_team_absent, campaign_id, session_id, team, done)


@blueprint.post("/sessions/<int:session_id>/equipes/<int:team>/presente")
def mark_team_present(session_id: int, team: int) -> ResponseReturnValue:
    campaign_id = site_campaign().id
    if not TeamActionForm().validate_on_submit():
        abort(400)
    done = _("Team %(num)s is marked present again.", num=team)
    return _apply(team_changes.mark_team_present, campaign_id, session_id, team, done)


@blueprint.post("/sessions/<int:session_id>/equipes/<int:team>/regrouper")
def join_other_team(session_id: int, team: int) -> ResponseReturnValue:
    campaign_id = site_campaign().id
    if not TeamActionForm().validate_on_submit():
        abort(400)
    now = utcnow()

    def action(session: Session) -> tuple[ReplanReport, str]:
        joined = team_changes.join_other_team(
            session,
            campaign_id,
            session_id,
            team,
            settings=planning.route_settings(get_settings()),
            now=now,
        )
        done = _(
            "The volunteer of team %(num)s joined team %(other)s.",
            num=team,
            other=joined.joined_team,
        )
        return joined.report, done

    return _replan(session_id, action, now)


@blueprint.post("/sessions/<int:session_id>/equipes/<int:team>/autres-portes")
def give_team_more_doors(session_id: int, team: int) -> ResponseReturnValue:
    campaign_id = site_campaign().id
    if not TeamActionForm().validate_on_submit():
        abort(400)
    done = _("Team %(num)s got a share of the doors left.", num=team)
    return _apply(more_doors.give_team_more_doors, campaign_id, session_id, team, done)


@blueprint.post("/sessions/<int:session_id>/rues-fermees")
def close_street(session_id: int) -> ResponseReturnValue:
    campaign_id = site_campaign().id
    form = StreetClosureForm()
    if not form.validate_on_submit():
        return _reject_form(session_id, form.csrf_token.errors, form.street.errors)
    street = form.street.data
    done = _("Street closed for this session: %(street)s.", street=street)
    return _apply(replanning.close_street, campaign_id, session_id, street, done)


@blueprint.post("/sessions/<int:session_id>/rues-fermees/rouvrir")
def reopen_street(session_id: int) -> ResponseReturnValue:
    campaign_id = site_campaign().id
    form = StreetReopenForm()
    if not form.validate_on_submit():
        return _reject_form(session_id, form.csrf_token.errors, form.street.errors)
    street = form.street.data
    done = _("Street reopened for this session: %(street)s.", street=street)
    return _apply(replanning.reopen_street, campaign_id, session_id, street, done)


def _reject_form(
    session_id: int, csrf_errors: list[str], field_errors: list[str]
) -> ResponseReturnValue:
    if csrf_errors:
        abort(400)
    for message in field_errors:
        flash(message, "error")
    return redirect(url_for("planning.show_session", session_id=session_id))


def _apply(
    service: ReplanService,
    campaign_id: int,
    session_id: int,
    target: int | str,
    done_message: str,
) -> ResponseReturnValue:
    now = utcnow()

    def action(session: Session) -> tuple[ReplanReport, str]:
        report = service(
            session,
            campaign_id,
            session_id,
            target,
            settings=planning.route_settings(get_settings()),
            now=now,
        )
        return report, done_message

    return _replan(session_id, action, now)


def _replan(
    session_id: int,
    action: Callable[[Session], tuple[ReplanReport, str]],
    now: datetime,
) -> ResponseReturnValue:
    """Run a re-planning and notify the volunteers whose route changed, in one transaction.

    `action` returns the re-planning's report and the message to flash once it is done.
    """
    session = db_session()
    try:
        report, done_message = action(session)
        notices = route_notices.notify_route_changes(session, report, now=now)
    except NotFoundError:
        session.rollback()
        abort(404)
    except ReplanError as error:
        session.rollback()
        logger.info(
            "Re-planning of session %s rejected: %s",
            session_id,
            error.code,
            extra={"session_id": session_id},
        )
        flash(replan_error_label(error.code, error.solve_status), "error")
    else:
        session.commit()
        logger.info(
            "User %s re-planned session %s",
            current_user.id,
            session_id,
            extra={"session_id": session_id},
        )
        flash_replan_summary(done_message, report, notices)
    return redirect(url_for("planning.show_session", session_id=session_id))
