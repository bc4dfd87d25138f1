"""E-mail through SendGrid's v3 Mail Send API."""

import http.client
import json
import logging
import re
import urllib.error
from collections.abc import Mapping, Sequence
from typing import Any

from python_http_client.exceptions import HTTPError
from sendgrid import SendGridAPIClient
from sendgrid.helpers.mail import (
    CustomArg,
    From,
    Header,
    Mail,
    Personalization,
    Substitution,
    To,
)

from messaging.providers.base import (
    CONNECTION_LOST_CODE,
    NETWORK_CODE,
    PROVIDER_HTTP_TIMEOUT_S,
    TIMEOUT_CODE,
    DeliveryError,
    EmailRecipient,
    FailureReason,
    PermanentDeliveryError,
    ProviderLookupError,
    RetryableDeliveryError,
    SendOutcome,
    error_for_http_status,
)

logger = logging.getLogger(__name__)

PROVIDER = "sendgrid"
# SendGrid copies custom arguments into every event it posts to the event webhook.
REFERENCE_CUSTOM_ARG = "reference"
# One reference names one message; a few records allow for a duplicate to be seen.
LOOKUP_LIMIT = 10
# SendGrid accepts at most this many personalizations in one Mail Send request.
MAX_PERSONALIZATIONS = 1000
# The field SendGrid names when it rejects the address of a personalization.
_RECIPIENT_FIELD = re.compile(r"^personalizations\.(?P<position>\d+)\.to\.\d+\.email$")

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
            message_id = self._post(mail.get())
        except _MailSendError as failure:
            _log_failure(failure.error, reference)
            raise failure.error from failure.__cause__
        provider_id = message_id or reference
        # The caller logs the send with its own ids; this line helps when debugging.
        logger.debug(
            "SendGrid accepted e-mail %s (reference %s)",
            provider_id,
            reference,
            extra={"reference": reference, "provider_id": provider_id},
        )
        return provider_id

    def send_email_batch(
        self,
        *,
        recipients: Sequence[EmailRecipient],
        subject: str,
        text_body: str,
        html_body: str | None,
        sender: str,
        sender_name: str,
    ) -> list[SendOutcome]:
        """Send one request with a personalization per recipient; return their outcomes.

        Each accepted recipient gets the request's `X-Message-Id` (their own reference
        if SendGrid sent none): SendGrid shares it between the recipients of a request,
        and events tell them apart by the `reference` custom argument. A 400 response
        naming recipients' addresses fails those recipients, and the request goes again
        without them: SendGrid checks the whole request before accepting any of it.
        """
        if not 1 <= len(recipients) <= MAX_PERSONALIZATIONS:
            raise ValueError(f"a request takes 1 to {MAX_PERSONALIZATIONS} recipients")
        outcomes: dict[int, SendOutcome] = {}
        pending = list(range(len(recipients)))
        while pending:
            mail = _build_batch_mail(
                [recipients[index] for index in pending],
                subject=subject,
                text_body=text_body,
                html_body=html_body,
                sender=sender,
                sender_name=sender_name,
            )
            try:
                message_id = self._post(mail.get())
            except _MailSendError as failure:
                invalid = {
                    pending[position]
                    for position in failure.invalid_positions
                    if position < len(pending)
                }
                concerned = invalid or set(pending)
                for index in concerned:
                    outcomes[index] = SendOutcome(error=failure.error)
                    _log_failure(failure.error, recipients[index].reference)
                pending = [index for index in pending if index not in concerned]
                continue
            for index in pending:
                provider_id = message_id or recipients[index].reference
                outcomes[index] = SendOutcome(provider_id=provider_id)
            logger.debug(
                "SendGrid accepted %s e-mails as %s",
                len(pending),
                message_id,
                extra={"provider_id": message_id},
            )
            pending = []
        return [outcomes[index] for index in range(len(recipients))]

    def _post(self, body: dict[str, Any]) -> str | None:
        """Post a Mail Send request; return the `X-Message-Id`, None when it is missing.

        Raises `_MailSendError` holding the delivery error of any failure.
        """
        try:
            response = self._client.client.mail.send.post(
                request_body=body, timeout=PROVIDER_HTTP_TIMEOUT_S
            )
        except HTTPError as exc:
            raise _MailSendError(
                _error_for_response(exc.status_code, exc.body),
                _invalid_recipient_positions(exc.status_code, exc.body),
            ) from exc
        except urllib.error.URLError as exc:
            # urllib raises URLError when it could not connect or send the request
            # (connection refused, DNS): SendGrid never received it.
            error = RetryableDeliveryError(PROVIDER, FailureReason.NETWORK, NETWORK_CODE)
            raise _MailSendError(error) from exc
        except (OSError, http.client.HTTPException) as exc:
            # NOTE: a read timeout or a dropped connection may hide an e-mail that SendGrid
            # accepted. The Mail Send API takes no idempotency key, so the caller looks
            # the e-mail up by its reference (`find_email`) instead of sending it again.
            code = TIMEOUT_CODE if isinstance(exc, TimeoutError) else CONNECTION_LOST_CODE
            error = RetryableDeliveryError(PROVIDER, FailureReason.NETWORK, code)
            raise _MailSendError(error) from exc
        message_id = response.headers.get("X-Message-Id")
        return str(message_id) if message_id else None

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


class _MailSendError(Exception):
    """A failed Mail Send request: its delivery error, and the recipients it names.

    `invalid_positions` are the positions, in the request, of the personalizations
    whose address SendGrid rejected; empty when the error concerns the whole request.
    """

    def __init__(self, error: DeliveryError, invalid_positions: frozenset[int] = frozenset()):
        super().__init__(error)
        self.error = error
        self.invalid_positions = invalid_positions


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


def _build_batch_mail(
    recipients: Sequence[EmailRecipient],
    *,
    subject: str,
    text_body: str,
    html_body: str | None,
    sender: str,
    sender_name: str,
) -> Mail:
    """Build the SDK's mail object with one personalization per recipient, in order."""
    mail = Mail(
        from_email=From(sender, sender_name or None),
        subject=subject,
        plain_text_content=text_body,
        html_content=html_body,
    )
    for position, recipient in enumerate(recipients):
        personalization = Personalization()
        personalization.add_to(To(recipient.to))
        for key, value in recipient.substitutions.items():
            personalization.add_substitution(Substitution(key, value))
        personalization.add_custom_arg(CustomArg(REFERENCE_CUSTOM_ARG, recipient.reference))
        for name, value in recipient.headers.items():
            personalization.add_header(Header(name, value))
        # The SDK inserts at index 0 by default.
        mail.add_personalization(personalization, index=position)
    return mail


def _error_for_response(status: int, body: bytes | str | None) -> DeliveryError:
    """Map a SendGrid error response to a delivery error."""
    code = f"http_{status}"
    if status == 400 and _names_recipient_field(body):
        return PermanentDeliveryError(PROVIDER, FailureReason.INVALID_RECIPIENT, code)
    return error_for_http_status(PROVIDER, status, code)


def _names_recipient_field(body: bytes | str | None) -> bool:
    """Tell whether a 400 response names a recipient's address as an invalid field."""
    return any(_RECIPIENT_FIELD.match(name) for name in _invalid_fields(body))


def _invalid_recipient_positions(status: int, body: bytes | str | None) -> frozenset[int]:
    """Return the positions of the personalizations whose address a 400 response rejects."""
    if status != 400:
        return frozenset()
    matches = (_RECIPIENT_FIELD.match(name) for name in _invalid_fields(body))
    return frozenset(int(match["position"]) for match in matches if match is not None)


def _invalid_fields(body: bytes | str | None) -> list[str]:
    """Return the fields the errors of a SendGrid error response name."""
    if not body:
        return []
    try:
        payload: Any = json.loads(body)
    except ValueError:
        return []
    errors = payload.get("errors") if isinstance(payload, dict) else None
    if not isinstance(errors, list):
        return []
    return [
        str(item.get("field")) for item in errors if isinstance(item, dict) and item.get("field")
    ]


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
