"""Post signed provider callbacks to the app, as Twilio and SendGrid do."""

import json
import time
from collections.abc import Mapping, Sequence
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.webapp.services.delivery_support import (
    PUBLIC_BASE_URL,
    SENDGRID_KEYS,
    twilio_signature,
)

TWILIO_STATUS_PATH = "/webhooks/twilio/status"
TWILIO_INBOUND_PATH = "/webhooks/twilio/inbound"
SENDGRID_EVENTS_PATH = "/webhooks/sendgrid/events"


def post_twilio(
    client: FlaskClient, path: str, form: Mapping[str, str], *, signature: str | None = None
) -> TestResponse:
    """Post a form signed for its public URL, or with the given signature."""
    if signature is None:
        signature = twilio_signature(PUBLIC_BASE_URL + path, form)
    return client.post(path, data=dict(form), headers={"X-Twilio-Signature": signature})


def status_form(sid: str, status: str, error_code: str | None = None) -> dict[str, str]:
    form = {
        "AccountSid": "AC" + "0" * 32,
        "MessageSid": sid,
        "SmsSid": sid,
        "MessageStatus": status,
        "SmsStatus": status,
        "To": "+33639900001",
        "From": "Tournee",
        "ApiVersion": "2010-04-01",
    }
    if error_code is not None:
        form["ErrorCode"] = error_code
    return form


def inbound_form(
    sid: str, sender: str, body: str, opt_out_type: str | None = None
) -> dict[str, str]:
    form = {
        "AccountSid": "AC" + "0" * 32,
        "MessageSid": sid,
        "SmsSid": sid,
        "From": sender,
        "To": "+33757000000",
        "Body": body,
        "NumMedia": "0",
    }
    if opt_out_type is not None:
        form["OptOutType"] = opt_out_type
    return form


def post_sendgrid(
    client: FlaskClient,
    events: Sequence[Mapping[str, Any]] | bytes,
    *,
    signature: str | None = None,
    timestamp: str | None = None,
) -> TestResponse:
    """Post events signed with the test key, or with the given signature."""
    body = events if isinstance(events, bytes) else json.dumps(list(events)).encode()
    timestamp = timestamp or str(int(time.time()))
    if signature is None:
        signature = SENDGRID_KEYS.sign(timestamp, body)
    return client.post(
        SENDGRID_EVENTS_PATH,
        data=body,
        content_type="application/json",
        headers={
            "X-Twilio-Email-Event-Webhook-Signature": signature,
            "X-Twilio-Email-Event-Webhook-Timestamp": timestamp,
        },
    )


def sendgrid_event(event_id: str, kind: str, reference: str, **fields: Any) -> dict[str, Any]:
    return {
        "sg_event_id": event_id,
        "event": kind,
        "email": "benevole@example.org",
        "timestamp": 1780000000,
        "sg_message_id": "fake-id.filter0001-1",
        "reference": reference,
        **fields,
    }
