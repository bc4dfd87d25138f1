"""SMS through Twilio's Programmable Messaging API."""

import logging

import requests
from twilio.base import values
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from messaging.phone import mask_phone
from messaging.providers.base import (
    PROVIDER_HTTP_TIMEOUT_S,
    DeliveryError,
    FailureReason,
    PermanentDeliveryError,
    RetryableDeliveryError,
    error_for_http_status,
)

logger = logging.getLogger(__name__)

PROVIDER = "twilio"
MAX_VALIDITY_PERIOD_S = 36_000

# Twilio error codes whose meaning is more precise than their HTTP status.
_RATE_LIMIT_CODES = frozenset({20429})
_INVALID_RECIPIENT_CODES = frozenset({21211, 21612, 21614})
_UNSUBSCRIBED_CODES = frozenset({21610})
_CONFIGURATION_CODES = frozenset({20003, 21212, 21408, 21606})


class TwilioSmsSender:
    """Send SMS with the official Twilio SDK.

    `sender` is an alphanumeric sender id, a Twilio number, or a Messaging Service SID
    (`MG…`). Twilio has no field for our `reference`, so it only appears in our logs;
    delivery callbacks are matched on the returned message SID.
    """

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        *,
        api_base_url: str | None = None,
        validity_period_s: int = 3600,
        status_callback_url: str | None = None,
    ) -> None:
        # The SDK silently falls back to TWILIO_* environment variables for empty values.
        if not account_sid or not auth_token:
            raise ValueError("account_sid and auth_token must not be empty")
        if not 1 <= validity_period_s <= MAX_VALIDITY_PERIOD_S:
            raise ValueError(f"validity_period_s must be between 1 and {MAX_VALIDITY_PERIOD_S}")
        self._validity_period_s = validity_period_s
        self._status_callback_url = status_callback_url
        http_client = TwilioHttpClient(timeout=PROVIDER_HTTP_TIMEOUT_S)
        self._client = Client(account_sid, auth_token, http_client=http_client)
        if api_base_url is not None:
            self._client.api.base_url = api_base_url.rstrip("/")
            # Edge and region rewrite the host name, which would break a custom base URL.
            self._client.edge = None
            self._client.region = None

    def send_sms(self, *, to: str, body: str, sender: str, reference: str) -> str:
        """Send one SMS and return Twilio's message SID."""
        is_service = _is_messaging_service_sid(sender)
        try:
            message = self._client.messages.create(
                to=to,
                body=body,
                validity_period=self._validity_period_s,
                status_callback=self._status_callback_url or values.unset,
                messaging_service_sid=sender if is_service else values.unset,
                from_=values.unset if is_service else sender,
            )
        except (TwilioRestException, TwilioServiceException) as exc:
            error = _error_for_twilio(exc.status, exc.code)
            _log_failure(error, to, reference)
            raise error from exc
        except requests.Timeout as exc:
            # NOTE: a read timeout may hide a message that Twilio accepted. A retry then
            # delivers it twice, because this API call takes no idempotency key.
            error = RetryableDeliveryError(PROVIDER, FailureReason.NETWORK, "timeout")
            _log_failure(error, to, reference)
            raise error from exc
        except requests.ConnectionError as exc:
            error = RetryableDeliveryError(PROVIDER, FailureReason.NETWORK, "network")
            _log_failure(error, to, reference)
            raise error from exc
        if not message.sid:
            error = RetryableDeliveryError(
                PROVIDER, FailureReason.PROVIDER_UNAVAILABLE, "missing_sid"
            )
            _log_failure(error, to, reference)
            raise error
        logger.info(
            "Twilio accepted SMS %s to %s (reference %s)",
            message.sid,
            mask_phone(to),
            reference,
            extra={"reference": reference, "provider_id": message.sid},
        )
        return str(message.sid)


def _is_messaging_service_sid(sender: str) -> bool:
    return sender.startswith("MG") and len(sender) == 34


def _error_for_twilio(status: int, code: int | None) -> DeliveryError:
    """Map Twilio's HTTP status and error code to a delivery error."""
    if code is None or code == status:
        return error_for_http_status(PROVIDER, status, f"http_{status}")
    text = str(code)
    if code in _RATE_LIMIT_CODES:
        return RetryableDeliveryError(PROVIDER, FailureReason.RATE_LIMITED, text)
    if code in _UNSUBSCRIBED_CODES:
        return PermanentDeliveryError(PROVIDER, FailureReason.UNSUBSCRIBED, text)
    if code in _INVALID_RECIPIENT_CODES:
        return PermanentDeliveryError(PROVIDER, FailureReason.INVALID_RECIPIENT, text)
    if code in _CONFIGURATION_CODES:
        return PermanentDeliveryError(PROVIDER, FailureReason.CONFIGURATION, text)
    return error_for_http_status(PROVIDER, status, text)


def _log_failure(error: DeliveryError, to: str, reference: str) -> None:
    # Only a configuration error needs a person; the job records every other failure.
    level = logging.ERROR if error.reason is FailureReason.CONFIGURATION else logging.WARNING
    logger.log(
        level,
        "Twilio refused SMS to %s (reference %s): %s",
        mask_phone(to),
        reference,
        error,
        extra={"reference": reference, "error_code": error.code},
    )
