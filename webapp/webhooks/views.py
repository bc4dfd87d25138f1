"""Endpoints the providers call: Twilio status callbacks and replies, SendGrid events.

Each checks the provider's signature (403 and nothing stored without it), stores the
raw event under a unique key before responding, and leaves the work to a job enqueued
after the commit. CSRF does not apply: the providers sign their requests instead.

Provider setup, with `TOURNEE_PUBLIC_BASE_URL` as the site's public address:
- Twilio status callbacks need nothing: every SMS names `/webhooks/twilio/status`.
- Twilio replies: set `/webhooks/twilio/inbound` as the number's (or the Messaging
  Service's) incoming message webhook, method POST.
- SendGrid: point the event webhook at `/webhooks/sendgrid/events`, turn on its
  signature and copy the verification key into `TOURNEE_SENDGRID_WEBHOOK_PUBLIC_KEY`.
"""

import json
import logging

from flask import Blueprint, Response, abort, request

from webapp.db import call_after_commit, db_session
from webapp.extensions import csrf
from webapp.jobs.dispatch import enqueue_event_processing
from webapp.services.opt_out import record_inbound_sms
from webapp.services.provider_events import (
    InvalidEventError,
    store_sendgrid_events,
    store_twilio_status,
)
from webapp.settings_access import get_settings
from webapp.webhooks.signatures import is_sendgrid_request, is_twilio_request

logger = logging.getLogger(__name__)

blueprint = Blueprint("webhooks", __name__, url_prefix="/webhooks")
csrf.exempt(blueprint)

MAX_SENDER_LENGTH = 16
# An empty TwiML response, so Twilio sends no reply of its own to the inbound SMS.
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


@blueprint.post("/twilio/status")
def receive_twilio_status() -> Response:
    settings = get_settings()
    if not is_twilio_request(request, settings):
        logger.warning("Twilio status callback rejected: invalid signature")
        abort(403)
    session = db_session()
    try:
        event_id = store_twilio_status(session, request.form.to_dict())
    except InvalidEventError:
        abort(400)
    if event_id is not None:
        call_after_commit(session, lambda: enqueue_event_processing(settings, [event_id]))
    session.commit()
    return Response(status=204)


@blueprint.post("/sendgrid/events")
def receive_sendgrid_events() -> Response:
    settings = get_settings()
    if not is_sendgrid_request(request, settings):
        logger.warning("SendGrid events rejected: invalid signature")
        abort(403)
    try:
        events = json.loads(request.get_data(cache=True))
    except ValueError:
        abort(400)
    if not isinstance(events, list):
        abort(400)
    session = db_session()
    try:
        event_ids = store_sendgrid_events(session, events)
    except InvalidEventError:
        abort(400)
    call_after_commit(session, lambda: enqueue_event_processing(settings, event_ids))
    session.commit()
    return Response(status=204)


@blueprint.post("/twilio/inbound")
def receive_twilio_inbound() -> Response:
    settings = get_settings()
    if not is_twilio_request(request, settings):
        logger.warning("Twilio inbound SMS rejected: invalid signature")
        abort(403)
    form = request.form
    provider_id = (form.get("MessageSid") or form.get("SmsSid") or "").strip()
    sender = (form.get("From") or "").strip()
    # An SMS comes from an E.164 number: at most 16 characters with its "+".
    if not provider_id or not sender or len(sender) > MAX_SENDER_LENGTH:
        abort(400)
    session = db_session()
    record_inbound_sms(
        session,
        provider_id=provider_id,
        sender=sender,
        body=form.get("Body") or "",
        opt_out_type=form.get("OptOutType") or "",
    )
    session.commit()
    return Response(EMPTY_TWIML, status=200, mimetype="text/xml")
