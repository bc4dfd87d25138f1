"""Coordinator pages: compose a broadcast, see who it reaches, follow its sending."""

import logging

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_percent, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from webapp.authz import open_to_coordinators
from webapp.broadcasts.forms import BroadcastForm
from webapp.broadcasts.labels import STATES, segment_label
from webapp.broadcasts.timing_labels import (
    duration_label,
    moment_label,
    rate_label,
    timing_problem_label,
)
from webapp.db import db_session, utcnow
from webapp.message_labels import CHANNELS, failure_reason_label, message_status_label
from webapp.models import Broadcast, Campaign
from webapp.models.users import Channel
from webapp.services import broadcast_drafts, broadcasts
from webapp.services.broadcast_drafts import (
    SMS_SEGMENT_PRICE_EUR,
    BroadcastDraft,
    BroadcastEstimate,
    SendTimingError,
    check_mentions,
    sender_names,
)
from webapp.services.broadcast_segments import list_segment_choices
from webapp.services.errors import NotFoundError, ValidationError
from webapp.services.message_batch import MessageContent, render_message

logger = logging.getLogger(__name__)

blueprint = Blueprint("broadcasts", __name__, url_prefix="/diffusions")

# Status of a submitted form that has errors: the page is shown again with them.
INVALID_FORM_STATUS = 422


_campaign = open_to_coordinators(blueprint)


@blueprint.context_processor
def _labels() -> dict[str, object]:
    return {
        "broadcast_states": STATES,
        "channel_labels": CHANNELS,
        "failure_reason_label": failure_reason_label,
        "message_status_label": message_status_label,
        "segment_price": SMS_SEGMENT_PRICE_EUR,
        "duration_label": duration_label,
        "moment_label": moment_label,
        "rate_label": rate_label,
        "timing_problem_label": timing_problem_label,
    }


@blueprint.get("/")
def list_broadcasts() -> str:
    campaign = _campaign()
    session = db_session()
    choices = list_segment_choices(session, campaign.id)
    rows = [
        (
            broadcast,
            broadcasts.broadcast_progress(session, broadcast),
            segment_label(broadcast.segment, choices),
        )
        for broadcast in broadcasts.list_broadcasts(session, campaign.id)
    ]
    return render_template("broadcasts/list.html", rows=rows)


@blueprint.route("/nouvelle", methods=["GET", "POST"])
def create_broadcast() -> ResponseReturnValue:
    campaign = _campaign()
    session = db_session()
    form = BroadcastForm(choices=list_segment_choices(session, campaign.id))
    estimate, preview = None, None
    if form.validate_on_submit():
        draft = form.to_draft()
        is_send = request.form.get("intent") == "send"
        if is_send:
            created = _send(form, campaign, draft)
            if created is not None:
                return redirect(url_for("broadcasts.show_broadcast", broadcast_id=created.id))
        estimate = _estimate(campaign, draft)
        if not is_send:
            preview = _preview(form, campaign, draft, estimate)
    elif not form.is_submitted():
        estimate = broadcast_drafts.estimate_broadcast(session, campaign.id, form.to_draft())
    status = INVALID_FORM_STATUS if form.errors else 200
    return render_template(
        "broadcasts/new.html", form=form, estimate=estimate, preview=preview
    ), status


def _send(form: BroadcastForm, campaign: Campaign, draft: BroadcastDraft) -> Broadcast | None:
    session = db_session()
    try:
        creation = broadcasts.create_broadcast(
            session,
            campaign.id,
            draft,
            submission_key=form.submission_key.data or "",
            created_by_user_id=current_user.id,
        )
    except ValidationError as error:
        session.rollback()
        form.add_service_error(error, campaign.sms_sender_name)
        return None
    # The send jobs are enqueued by an after-commit hook, so only now do they start.
    session.commit()
    broadcast = creation.broadcast
    if creation.is_new:
        logger.info(
            "User %s sent broadcast %s",
            current_user.id,
            broadcast.id,
            extra={"campaign_id": campaign.id, "broadcast_id": broadcast.id},
        )
        flash(_("The broadcast is on its way."), "success")
    else:
        flash(_("This form was already sent: here is its broadcast."), "info")
    return broadcast


def _estimate(campaign: Campaign, draft: BroadcastDraft) -> BroadcastEstimate | None:
    try:
        return broadcast_drafts.estimate_broadcast(db_session(), campaign.id, draft)
    except ValidationError:
        return None


def _preview(
    form: BroadcastForm,
    campaign: Campaign,
    draft: BroadcastDraft,
    estimate: BroadcastEstimate | None,
) -> MessageContent | None:
    """Check the draft, show what it breaks, and render its text unless it is unusable."""
    try:
        broadcast_drafts.validate_draft(db_session(), campaign, draft, now=utcnow())
        if estimate is not None:
            broadcast_drafts.check_send_timing(estimate)
    except SendTimingError as error:
        # The text itself is fine: it is shown beside the refused time.
        form.add_service_error(error, campaign.sms_sender_name)
    except ValidationError as error:
        form.add_service_error(error, campaign.sms_sender_name)
        return None
    return _render_preview(draft)


def _render_preview(draft: BroadcastDraft) -> MessageContent:
    # Translators: stands for the personal link at the foot of a preview e-mail.
    link = _("(personal unsubscribe link)")
    return render_message(
        "broadcast",
        draft.channel,
        str(get_locale() or "fr"),
        {"subject": draft.subject, "body": draft.body},
        unsubscribe_url=link if draft.channel == Channel.EMAIL else None,
    )


@blueprint.post("/estimation")
def estimate_broadcast() -> ResponseReturnValue:
    campaign = _campaign()
    session = db_session()
    form = BroadcastForm(choices=list_segment_choices(session, campaign.id))
    form.validate()
    if form.channel.errors or form.segment.errors:
        abort(400)
    draft = form.to_draft()
    estimate = _estimate(campaign, draft)
    missing = (
        check_mentions(draft.body, sender_names(campaign)) if draft.channel == Channel.SMS else []
    )
    html = render_template("broadcasts/_estimate.html", estimate=estimate, missing=missing)
    return jsonify(
        {"html": html, "recipient_count": estimate.recipient_count if estimate else None}
    )


@blueprint.get("/<int:broadcast_id>")
def show_broadcast(broadcast_id: int) -> str:
    campaign = _campaign()
    session = db_session()
    broadcast = _load(campaign, broadcast_id)
    progress = broadcasts.broadcast_progress(session, broadcast)
    label = segment_label(broadcast.segment, list_segment_choices(session, campaign.id))
    return render_template(
        "broadcasts/show.html", broadcast=broadcast, progress=progress, segment=label
    )


@blueprint.get("/<int:broadcast_id>/progression")
def show_progress(broadcast_id: int) -> ResponseReturnValue:
    broadcast = _load(_campaign(), broadcast_id)
    progress = broadcasts.broadcast_progress(db_session(), broadcast)
    html = render_template("broadcasts/_progress.html", progress=progress)
    labels = {
        "html": html,
        "state_label": str(STATES.get(progress.state, progress.state)),
        "percent_label": format_percent(progress.percent_done / 100),
    }
    return jsonify({**progress.to_json(), **labels})


def _load(campaign: Campaign, broadcast_id: int) -> Broadcast:
    try:
        return broadcasts.load_broadcast(db_session(), campaign.id, broadcast_id)
    except NotFoundError:
        abort(404)
