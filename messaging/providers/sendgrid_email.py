"""E-mail through SendGrid's v3 Mail Send API."""

import http.client
import json
import logging
from collections.abc import Mapping
from typing import Any

from python_http_client.exceptions import HTTPError
from sendgrid import SendGridAPIClient
from sendgrid.helpers.mail import CustomArg, From, Header, Mail, To

from messaging.providers.base import (
    PROVIDER_HTTP_TIMEOUT_S,
    DeliveryError,
    FailureReason,
    PermanentDeliveryError,
    RetryableDeliveryError,
    error_for_http_status,
)

logger = logging.getLogger(__name__)

PROVIDER = "sendgrid"
# SendGrid copies custom arguments into every event it posts to the event webhook.
REFERENCE_CUSTOM_ARG = "reference"

# NOTE: python_http_client logs request payloads and headers, the API key included,
# at DEBUG on the "python_http_client.client" logger; keep that logger at INFO or above.


class SendGridEmailSender:
    """Send e-mail with the official SendGrid SDK."""

    def __init__(self, api_key: str, *, host: str | None = None) -> None:
        # The SDK silently falls back to SENDGRID_API_KEY from the environment for an empty key.
        if not api_key:
            raise ValueError("api_key must not be empty")
        if host is None:
            self._client = SendGridAPIClient(api_key)
        else:
            self._client = SendGridAPIClient(api_key, host=host.rstrip("/"))

    def send_email(
        self,
        *,
        to: str,
        subject: str,
        text_body: str,
        html_body: str | None,
        sender: str,
        sender_name: str,
        reference: str,
        headers: Mapping[str, str],
    ) -> str:
        """Send one e-mail and return SendGrid's `X-Message-Id`, or `reference` if absent."""
        mail = _build_mail(
            to=to,
            subject=subject,
            text_body=text_body,
            html_body=html_body,
            sender=sender,
            sender_name=sender_name,
            reference=reference,
            headers=headers,
        )
        try:
            response = self._client.client.mail.send.post(
                request_body=mail.get(), timeout=PROVIDER_HTTP_TIMEOUT_S
            )
        except HTTPError as exc:
            error = _error_for_response(exc.status_code, exc.body)
            _log_failure(error, reference)
            raise error from exc
        except TimeoutError as exc:
            # NOTE: a read timeout may hide an e-mail that SendGrid accepted. A retry then
            # sends it twice, because the Mail Send API takes no idempotency key.
            error = RetryableDeliveryError(PROVIDER, FailureReason.NETWORK, "timeout")
            _log_failure(error, reference)
            raise error from exc
        except (OSError, http.client.HTTPException) as exc:
            # URLError (connection refused, DNS) is an OSError.
            error = RetryableDeliveryError(PROVIDER, FailureReason.NETWORK, "network")
            _log_failure(error, reference)
            raise error from exc
        message_id = response.headers.get("X-Message-Id")
        provider_id = str(message_id) if message_id else reference
        logger.info(
            "SendGrid accepted e-mail %s (reference %s)",
            provider_id,
            reference,
            extra={"reference": reference, "provider_id": provider_id},
        )
        return provider_id


def _build_mail(
    *,
    to: str,
    subject: str,
    text_body: str,
    html_body: str | None,
    sender: str,
    sender_name: str,
    reference: str,
    headers: Mapping[str, str],
) -> Mail:
    """Build the SDK's mail object for one recipient."""
    mail = Mail(
        from_email=From(sender, sender_name or None),
        to_emails=To(to),
        subject=subject,
        plain_text_content=text_body,
        html_content=html_body,
    )
    mail.custom_arg = CustomArg(REFERENCE_CUSTOM_ARG, reference)
    for name, value in headers.items():
        mail.header = Header(name, value)
    return mail


def _error_for_response(status: int, body: bytes | str | None) -> DeliveryError:
    """Map a SendGrid error response to a delivery error."""
    code = f"http_{status}"
    if status == 400 and _names_recipient_field(body):
        return PermanentDeliveryError(PROVIDER, FailureReason.INVALID_RECIPIENT, code)
    return error_for_http_status(PROVIDER, status, code)


def _names_recipient_field(body: bytes | str | None) -> bool:
    """Tell whether a 400 response names the recipient's address as the invalid field."""
    if not body:
        return False
    try:
        payload: Any = json.loads(body)
    except ValueError:
        return False
    errors = payload.get("errors") if isinstance(payload, dict) else None
    if not isinstance(errors, list):
        return False
    return any(
        isinstance(item, dict) and str(item.get("field") or "").endswith(".to.0.email")
        for item in errors
    )


def _log_failure(error: DeliveryError, reference: str) -> None:
    # Only a configuration error needs a person; the job records every other failure.
    level = logging.ERROR if error.reason is FailureReason.CONFIGURATION else logging.WARNING
    logger.log(
        level,
        "SendGrid refused e-mail (reference %s): %s",
        reference,
        error,
        extra={"reference": reference, "error_code": error.code},
    )
