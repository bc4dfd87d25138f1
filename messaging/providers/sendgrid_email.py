"""E-mail through SendGrid's v3 Mail Send API."""

import http.client
import json
import logging
import urllib.error
from collections.abc import Mapping
from typing import Any

from python_http_client.exceptions import HTTPError
from sendgrid import SendGridAPIClient
from sendgrid.helpers.mail import CustomArg, From, Header, Mail, To

from messaging.providers.base import (
    CONNECTION_LOST_CODE,
    NETWORK_CODE,
    PROVIDER_HTTP_TIMEOUT_S,
    TIMEOUT_CODE,
    DeliveryError,
    FailureReason,
    PermanentDeliveryError,
    ProviderLookupError,
    RetryableDeliveryError,
    error_for_http_status,
)

logger = logging.getLogger(__name__)

PROVIDER = "sendgrid"
# SendGrid copies custom arguments into every event it posts to the event webhook.
REFERENCE_CUSTOM_ARG = "reference"
# One reference names one message; a few records allow for a duplicate to be seen.
LOOKUP_LIMIT = 10

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
        except urllib.error.URLError as exc:
            # urllib raises URLError when it could not connect or send the request
            # (connection refused, DNS): SendGrid never received it.
            error = RetryableDeliveryError(PROVIDER, FailureReason.NETWORK, NETWORK_CODE)
            _log_failure(error, reference)
            raise error from exc
        except (OSError, http.client.HTTPException) as exc:
            # NOTE: a read timeout or a dropped connection may hide an e-mail that SendGrid
            # accepted. The Mail Send API takes no idempotency key, so the caller looks
            # the e-mail up by its reference (`find_email`) instead of sending it again.
            code = TIMEOUT_CODE if isinstance(exc, TimeoutError) else CONNECTION_LOST_CODE
            error = RetryableDeliveryError(PROVIDER, FailureReason.NETWORK, code)
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

    def find_email(self, *, reference: str) -> tuple[str, ...]:
        """Return the ids of e-mails SendGrid has with this `reference` custom argument.

        Asks the Email Activity API, which needs SendGrid's activity history add-on, and
        returns ids in SendGrid's order, each once.
        NOTE: SendGrid indexes activity with a delay of a few minutes; callers look up
        only claims older than that.
        """
        if '"' in reference or "\\" in reference:
            raise ValueError("reference must not contain quotes or backslashes")
        query = f"unique_args['{REFERENCE_CUSTOM_ARG}']=\"{reference}\""
        try:
            response = self._client.client.messages.get(
                query_params={"query": query, "limit": LOOKUP_LIMIT},
                timeout=PROVIDER_HTTP_TIMEOUT_S,
            )
            payload: Any = json.loads(response.body or b"{}")
        except HTTPError as exc:
            raise _lookup_failure(f"http_{exc.status_code}", reference) from exc
        except (OSError, http.client.HTTPException) as exc:
            raise _lookup_failure(NETWORK_CODE, reference) from exc
        except ValueError as exc:
            raise _lookup_failure("bad_response", reference) from exc
        records = payload.get("messages") if isinstance(payload, dict) else None
        if not isinstance(records, list):
            raise _lookup_failure("bad_response", reference)
        ids = [
            message_id_of(str(record["msg_id"]))
            for record in records
            if isinstance(record, dict) and record.get("msg_id")
        ]
        return tuple(dict.fromkeys(ids))


def message_id_of(sg_message_id: str) -> str:
    """Return the `X-Message-Id` part of an id SendGrid reports in events and activity."""
    return sg_message_id.split(".", 1)[0]


def _lookup_failure(code: str, reference: str) -> ProviderLookupError:
    error = ProviderLookupError(PROVIDER, code)
    logger.warning(
        "SendGrid lookup of reference %s failed: %s",
        reference,
        error,
        extra={"reference": reference, "error_code": code},
    )
    return error


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
