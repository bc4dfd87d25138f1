"""Check that a callback comes from the provider: Twilio's HMAC, SendGrid's ECDSA.

Twilio signs the URL it called. Behind a reverse proxy the request reaches the app with
another scheme, host or port, so the URL is rebuilt from `public_base_url`, the address
configured at Twilio, rather than from the request. `TOURNEE_PROXY_HOPS` wraps the app
in Werkzeug's `ProxyFix`, which trusts `X-Forwarded-*` and corrects `request.url` too.
The check does not rely on it, so a proxy that sends wrong headers cannot make every
callback fail.
"""

import binascii
import logging

from cryptography.exceptions import UnsupportedAlgorithm
from flask import Request
from sendgrid.helpers.eventwebhook import EventWebhook
from sendgrid.helpers.eventwebhook.eventwebhook_header import EventWebhookHeader
from twilio.request_validator import RequestValidator

from webapp.settings import Settings

logger = logging.getLogger(__name__)

TWILIO_SIGNATURE_HEADER = "X-Twilio-Signature"


def public_url_of(request: Request, settings: Settings) -> str:
    """Return the URL the provider called: the public base URL, this path and query."""
    url = settings.public_base_url.rstrip("/") + request.path
    query = request.query_string.decode("utf-8", errors="replace")
    return f"{url}?{query}" if query else url


def is_twilio_request(request: Request, settings: Settings) -> bool:
    """Tell whether the request carries a valid Twilio signature for its public URL."""
    signature = request.headers.get(TWILIO_SIGNATURE_HEADER, "")
    if not signature:
        return False
    if not settings.twilio_auth_token:
        logger.error("Twilio callback rejected: TOURNEE_TWILIO_AUTH_TOKEN is missing")
        return False
    validator = RequestValidator(settings.twilio_auth_token)
    return bool(validator.validate(public_url_of(request, settings), request.form, signature))


def is_sendgrid_request(request: Request, settings: Settings) -> bool:
    """Tell whether the request carries a valid signature of SendGrid's event webhook.

    SendGrid signs the timestamp header followed by the raw body with ECDSA P-256.
    NOTE: the timestamp's age is not checked; a replayed post is harmless because every
    event is stored once under its `sg_event_id`.
    """
    signature = request.headers.get(EventWebhookHeader.SIGNATURE, "")
    timestamp = request.headers.get(EventWebhookHeader.TIMESTAMP, "")
    if not signature or not timestamp:
        return False
    if not settings.sendgrid_webhook_public_key:
        logger.error("SendGrid events rejected: TOURNEE_SENDGRID_WEBHOOK_PUBLIC_KEY is missing")
        return False
    verifier = EventWebhook()
    try:
        key = verifier.convert_public_key_to_ecdsa(settings.sendgrid_webhook_public_key)
        payload = request.get_data(cache=True).decode("utf-8")
        return bool(verifier.verify_signature(payload, signature, timestamp, key))
    except (ValueError, TypeError, binascii.Error, UnsupportedAlgorithm):
        # A malformed key, signature or body is no valid signature.
        return False
