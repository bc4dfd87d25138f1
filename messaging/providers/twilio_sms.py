"""SMS through Twilio's Programmable Messaging API."""

import logging
import os
import threading
from datetime import UTC, datetime, time

import requests
from twilio.base import values
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from twilio.rest.api.v2010.account.message import MessageInstance
from urllib3.exceptions import NewConnectionError

from messaging.phone import mask_phone
from messaging.providers.base import (
    CONNECTION_LOST_CODE,
    MISSING_ID_CODE,
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

PROVIDER = "twilio"
TWILIO_API_URL = "https://api.twilio.com"
MAX_VALIDITY_PERIOD_S = 36_000
# A reconciliation lists one recipient's messages of one day: a few pages at most.
LOOKUP_PAGE_SIZE = 50
LOOKUP_LIMIT = 200

# Twilio error codes whose meaning is more precise than their HTTP status.
_PERMANENT_CODE_REASONS = {
    21610: FailureReason.UNSUBSCRIBED,
    21211: FailureReason.INVALID_RECIPIENT,
    21612: FailureReason.INVALID_RECIPIENT,
    21614: FailureReason.INVALID_RECIPIENT,
    21635: FailureReason.LANDLINE,
    20003: FailureReason.CONFIGURATION,
    21212: FailureReason.CONFIGURATION,
    21408: FailureReason.CONFIGURATION,
    21606: FailureReason.CONFIGURATION,
}
_RATE_LIMIT_CODES = frozenset({20429})


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
        self._account_sid = account_sid
        self._auth_token = auth_token
        self._api_base_url = api_base_url.rstrip("/") if api_base_url is not None else None
        self._local = threading.local()

    @property
    def _client(self) -> Client:
        """Return this thread's client, whose pooled session keeps its connections open.

        Each thread gets its own client because requests does not promise that a
        `Session` is safe to share between threads.
        """
        client: Client | None = getattr(self._local, "client", None)
        if client is None:
            http_client = TwilioHttpClient(pool_connections=True, timeout=PROVIDER_HTTP_TIMEOUT_S)
            assert http_client.session is not None
            _read_environment_once(http_client.session, self._api_base_url or TWILIO_API_URL)
            client = Client(self._account_sid, self._auth_token, http_client=http_client)
            if self._api_base_url is not None:
                client.api.base_url = self._api_base_url
                # Edge and region rewrite the host name, which would break a custom base URL.
                client.edge = None
                client.region = None
            self._local.client = client
        return client

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
        except requests.RequestException as exc:
            # NOTE: a read timeout or a dropped connection may hide a message that Twilio
            # accepted. This API call takes no idempotency key, so the caller looks the
            # message up (`find_sms`) instead of sending it again.
            error = RetryableDeliveryError(PROVIDER, FailureReason.NETWORK, _network_code(exc))
            _log_failure(error, to, reference)
            raise error from exc
        if not message.sid:
            error = RetryableDeliveryError(
                PROVIDER, FailureReason.PROVIDER_UNAVAILABLE, MISSING_ID_CODE
            )
            _log_failure(error, to, reference)
            raise error
        # The caller logs the send with its own ids; this line helps when debugging.
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "Twilio accepted SMS %s to %s (reference %s)",
                message.sid,
                mask_phone(to),
                reference,
                extra={"reference": reference, "provider_id": message.sid},
            )
        return str(message.sid)

    def find_sms(self, *, to: str, body: str, sent_after: datetime) -> tuple[str, ...]:
        """Return the SIDs of messages to `to` with this body created since `sent_after`.

        Twilio filters on the sending date only, so the request covers the whole day of
        `sent_after` and the time is compared here.
        NOTE: a message Twilio still holds in its own queue has no sending date yet and
        may be missing from the list; callers look up only claims older than a few
        minutes, by which time Twilio has sent it.
        """
        if sent_after.tzinfo is None:
            raise ValueError("sent_after must be timezone-aware")
        since = sent_after.astimezone(UTC)
        try:
            records = self._client.messages.list(
                to=to,
                date_sent_after=datetime.combine(since.date(), time(0), tzinfo=UTC),
                page_size=LOOKUP_PAGE_SIZE,
                limit=LOOKUP_LIMIT,
            )
        except (TwilioException, requests.RequestException) as exc:
            error = ProviderLookupError(PROVIDER, _lookup_code(exc))
            logger.warning(
                "Twilio lookup for %s failed: %s",
                mask_phone(to),
                error,
                extra={"error_code": error.code},
            )
            raise error from exc
        matches: list[tuple[datetime, str]] = []
        for record in records:
            created_at = _created_at(record)
            if (
                record.sid
                and created_at is not None
                and created_at >= since
                and _same_text(body, record.body or "")
            ):
                matches.append((created_at, str(record.sid)))
        return tuple(sid for _, sid in sorted(matches))


def _read_environment_once(session: requests.Session, url: str) -> None:
    """Take the proxy and CA bundle settings for `url` from the environment now.

    With `trust_env` on, requests reads them again, scanning the whole environment and
    looking for a .netrc file, on every request: most of a millisecond per SMS.
    """
    session.proxies.update(requests.utils.get_environ_proxies(url))
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        session.verify = bundle
    session.trust_env = False


def _created_at(record: MessageInstance) -> datetime | None:
    created: datetime | None = record.date_created or record.date_sent
    if created is None:
        return None
    return created if created.tzinfo is not None else created.replace(tzinfo=UTC)


def _same_text(ours: str, theirs: str) -> bool:
    """Compare bodies loosely: Twilio may append a compliance footer to what we sent."""
    ours_words = " ".join(ours.split())
    theirs_words = " ".join(theirs.split())
    return bool(ours_words) and theirs_words.startswith(ours_words)


def _network_code(exc: requests.RequestException) -> str:
    """Tell a request that never reached Twilio from one whose response was lost."""
    if isinstance(exc, requests.ConnectTimeout) or _never_connected(exc):
        return NETWORK_CODE
    if isinstance(exc, requests.Timeout):
        return TIMEOUT_CODE
    return CONNECTION_LOST_CODE


def _never_connected(exc: BaseException) -> bool:
    """Look for urllib3's connection-refused or name-resolution error behind `exc`."""
    seen: set[int] = set()
    pending: list[object] = [exc]
    while pending:
        item = pending.pop()
        if id(item) in seen or not isinstance(item, BaseException):
            continue
        seen.add(id(item))
        if isinstance(item, NewConnectionError):
            return True
        pending.extend(item.args)
        pending.extend([getattr(item, "reason", None), item.__cause__, item.__context__])
    return False


def _lookup_code(exc: Exception) -> str:
    if isinstance(exc, TwilioRestException):
        return f"http_{exc.status}"
    if isinstance(exc, requests.RequestException):
        return NETWORK_CODE
    # A page that is not a 200 comes as TwilioException("Unable to fetch page", response).
    status = getattr(exc.args[1], "status_code", None) if len(exc.args) > 1 else None
    return f"http_{status}" if isinstance(status, int) else "bad_response"


def _is_messaging_service_sid(sender: str) -> bool:
    return sender.startswith("MG") and len(sender) == 34


def _error_for_twilio(status: int, code: int | None) -> DeliveryError:
    """Map Twilio's HTTP status and error code to a delivery error."""
    if code is None or code == status:
        return error_for_http_status(PROVIDER, status, f"http_{status}")
    text = str(code)
    if code in _RATE_LIMIT_CODES:
        return RetryableDeliveryError(PROVIDER, FailureReason.RATE_LIMITED, text)
    reason = _PERMANENT_CODE_REASONS.get(code)
    if reason is not None:
        return PermanentDeliveryError(PROVIDER, reason, text)
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
