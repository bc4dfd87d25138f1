"""The planning weights page: set the campaign's weights, or go back to the defaults."""

import logging

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from routing.assignment_weights import MAX_WEIGHT_POINTS
from webapp.db import db_session
from webapp.planning.blueprint import INVALID_FORM_STATUS, blueprint, site_campaign
from webapp.planning.forms import PlanningForm
from webapp.planning.weights_form import PlanningWeightsForm
from webapp.services import planning_weights
from webapp.services.errors import ValidationError

logger = logging.getLogger(__name__)


@blueprint.route("/ponderations", methods=["GET", "POST"])
def edit_weights() -> ResponseReturnValue:
    campaign_id = site_campaign().id
    session = db_session()
    form = PlanningWeightsForm()
    if form.validate_on_submit():
        try:
            planning_weights.save_planning_weights(session, campaign_id, form.weights_data())
        except ValidationError as error:
            session.rollback()
            logger.info(
                "Planning weights of campaign %s rejected: %s %s",
                campaign_id,
                error.field,
                error.message,
                extra={"campaign_id": campaign_id},
            )
            form.add_service_error(error)
        else:
            session.commit()
            logger.info(
                "User %s set the planning weights of campaign %s",
                current_user.id,
                campaign_id,
                extra={"campaign_id": campaign_id},
            )
            flash(_("The weights are saved: the next planning run uses them."), "success")
            return redirect(url_for("planning.edit_weights"))
    current = planning_weights.load_planning_weights(session, campaign_id)
    if not form.is_submitted():
        form.process(data=planning_weights.weights_as_dict(current))
    return render_template(
        "planning/weights.html",
        form=form,
        rows=planning_weights.weight_rows(current),
        max_points=MAX_WEIGHT_POINTS,
        planning_form=PlanningForm(),
    ), INVALID_FORM_STATUS if form.is_submitted() else 200


@blueprint.post("/ponderations/par-defaut")
def restore_default_weights() -> ResponseReturnValue:
    campaign_id = site_campaign().id
    if not PlanningForm().validate_on_submit():
        abort(400)
    session = db_session()
    planning_weights.restore_default_weights(session, campaign_id)
    session.commit()
    logger.info(
        "User %s restored the default planning weights of campaign %s",
        current_user.id,
        campaign_id,
        extra={"campaign_id": campaign_id},
    )
    flash(_("The default weights are back: the next planning run uses them."), "success")
    return redirect(url_for("planning.edit_weights"))
