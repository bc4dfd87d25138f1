"""Coordinator pages: the IRIS map, the ranked scores and the choice of targets."""

import logging

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext, ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from targeting.scoring import MIN_HOUSEHOLDS_SHOWN, UnknownCandidateError
from webapp.authz import open_to_coordinators
from webapp.db import db_session, utcnow
from webapp.number_formats import format_rate
from webapp.services.answer_themes import THEME_KEYWORDS, THEME_LABELS
from webapp.services.scoring import score_campaign, set_targets
from webapp.services.survey_answers import VOTE_LABELS
from webapp.services.survey_summary import MIN_ANSWERS_FOR_DETAILS, summarise_answers
from webapp.services.targets_view import (
    SCORE_CLASSES,
    SUPPRESSED_COLOUR,
    build_iris_geojson,
    load_targeting_table,
)
from webapp.targets.forms import ScoringForm, TargetsForm

logger = logging.getLogger(__name__)

blueprint = Blueprint("targets", __name__, url_prefix="/ciblage")

# Reference elections the scoring can use, by their code in the results table.
ELECTION_LABELS = {
    "pres2022_t1": lazy_gettext("presidential election 2022, first round"),
}


_campaign = open_to_coordinators(blueprint)


@blueprint.get("/")
def show_map() -> str:
    campaign = _campaign()
    return render_template(
        "targets/map.html",
        campaign=campaign,
        election=ELECTION_LABELS.get(campaign.reference_election, campaign.reference_election),
        table=load_targeting_table(db_session(), campaign.id),
        score_classes=SCORE_CLASSES,
        suppressed_colour=SUPPRESSED_COLOUR,
        min_households=MIN_HOUSEHOLDS_SHOWN,
        targets_form=TargetsForm(),
        scoring_form=ScoringForm(),
        format_rate=format_rate,
    )


@blueprint.get("/reponses")
def show_answers() -> str:
    campaign = _campaign()
    return render_template(
        "targets/answers.html",
        summaries=summarise_answers(db_session(), campaign.id, now=utcnow()),
        theme_labels=THEME_LABELS,
        theme_keywords=THEME_KEYWORDS,
        vote_labels=VOTE_LABELS,
        min_answers=MIN_ANSWERS_FOR_DETAILS,
    )


@blueprint.get("/iris.geojson")
def iris_geojson() -> Response:
    return jsonify(build_iris_geojson(db_session(), _campaign()))


@blueprint.post("/cibles")
def save_targets() -> ResponseReturnValue:
    campaign = _campaign()
    form = TargetsForm()
    if not form.validate_on_submit():
        abort(400)
    session = db_session()
    count = set_targets(session, campaign.id, set(form.targets.data or ()))
    session.commit()
    logger.info(
        "User %s saved %s target IRIS for campaign %s",
        current_user.id,
        count,
        campaign.id,
        extra={"campaign_id": campaign.id, "user_id": current_user.id},
    )
    flash(ngettext("%(num)d target IRIS saved.", "%(num)d target IRIS saved.", count), "success")
    return redirect(url_for("targets.show_map", _anchor="ranking"))


@blueprint.post("/recalcul")
def rescore_campaign() -> ResponseReturnValue:
    campaign = _campaign()
    if not ScoringForm().validate_on_submit():
        abort(400)
    if not campaign.our_candidates:
        flash(_("Choose the campaign's candidates before computing the scores."), "error")
        return redirect(url_for("targets.show_map"))
    session = db_session()
    try:
        rows = score_campaign(session, campaign.id)
    except UnknownCandidateError as error:
        session.rollback()
        logger.info(
            "Scoring of campaign %s failed: unknown candidates %s",
            campaign.id,
            error.names,
            extra={"campaign_id": campaign.id},
        )
        flash(
            _(
                "No candidate of the results is named %(names)s: check the campaign's candidates.",
                names=", ".join(error.names),
            ),
            "error",
        )
        return redirect(url_for("targets.show_map"))
    session.commit()
    if not rows:
        flash(_("No IRIS to score: import the territory and its election results first."), "error")
    else:
        flash(ngettext("%(num)d IRIS scored.", "%(num)d IRIS scored.", len(rows)), "success")
    return redirect(url_for("targets.show_map"))
