"""Sender interfaces and the delivery errors every provider maps its failures to."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

# Every provider call gives up after this many seconds, so a job timeout of a few times
# this value always outlives one attempt.
PROVIDER_HTTP_TIMEOUT_S = 10.0


class FailureReason(StrEnum):
    """Why a send failed: jobs decide on retries and suppressions from this value."""

    RATE_LIMITED = "rate_limited"
    PROVIDER_UNAVAILABLE = "provider_unavailable"
    NETWORK = "network"
    INVALID_RECIPIENT = "invalid_recipient"
    UNSUBSCRIBED = "unsubscribed"
    CONFIGURATION = "configuration"
    REJECTED = "rejected"
    # Mostly found in delivery reports, once the provider has tried to deliver.
    UNREACHABLE = "unreachable"
    LANDLINE = "landline"
    EXPIRED = "expired"
    BOUNCED = "bounced"
    BLOCKED = "blocked"
    SPAM_REPORT = "spam_report"
    UNDELIVERED = "undelivered"
    # Decided before or after a send, never reported by a provider.
    OPTED_OUT = "opted_out"
    NO_CONSENT = "no_consent"
    OUTCOME_UNKNOWN = "outcome_unknown"


# Codes of failures after which the provider may still have accepted the message: the
# request reached it but no response came back. Resending could deliver it twice.
TIMEOUT_CODE = "timeout"
CONNECTION_LOST_CODE = "connection_lost"
MISSING_ID_CODE = "missing_sid"
NETWORK_CODE = "network"
_UNCERTAIN_CODES = frozenset({TIMEOUT_CODE, CONNECTION_LOST_CODE, MISSING_ID_CODE})


class DeliveryError(Exception):
    """A provider did not accept a message.

    `code` is the provider's own error code when it gave one (Twilio's `21211`), else
    `http_<status>` or `network`. No field contains a phone number, an address or a
    message body, so the error can be logged and stored as is.
    """

    def __init__(self, provider: str, reason: FailureReason, code: str) -> None:
        super().__init__(provider, reason, code)
        self.provider = provider
        self.reason = reason
        self.code = code

    def __str__(self) -> str:
        return f"{self.provider} {self.reason.value} ({self.code})"

    @property
    def may_have_been_accepted(self) -> bool:
        """Tell whether the provider may have taken the message despite the error.

        True after a read timeout, a connection lost mid-request or a server error: the
        request reached the provider, so only a lookup can tell whether it was sent.
        """
        return self.code in _UNCERTAIN_CODES or self.reason is FailureReason.PROVIDER_UNAVAILABLE


class RetryableDeliveryError(DeliveryError):
    """The same message may succeed later: rate limit, provider outage or network error."""


class PermanentDeliveryError(DeliveryError):
    """The message will never be accepted as it is: record a terminal failure."""


class ProviderLookupError(Exception):
    """A provider lookup failed, so whether it has the message is unknown: ask again later.

    `code` is `http_<status>`, `network` or `bad_response`. It contains no personal data.
    """

    def __init__(self, provider: str, code: str) -> None:
        super().__init__(provider, code)
        self.provider = provider
        self.code = code

    def __str__(self) -> str:
        return f"{self.provider} lookup failed ({self.code})"


@dataclass(frozen=True)
class EmailRecipient:
    """One recipient of an e-mail sent to many, with what is personal to them.

    `substitutions` replace their keys wherever they appear in the subject and bodies.
    `reference` is the caller's message key and contains no personal data.
    """

    to: str
    reference: str
    substitutions: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SendOutcome:
    """What became of one message of a batch: the provider's id, or the error."""

    provider_id: str | None = None
    error: DeliveryError | None = None


class SmsSender(Protocol):
    """Client that sends SMS through one provider."""

    def send_sms(self, *, to: str, body: str, sender: str, reference: str) -> str:
        """Send `body` to the E.164 number `to` and return the provider's message id.

        `reference` is the caller's message key and contains no personal data.
        Raises `RetryableDeliveryError` or `PermanentDeliveryError`.
        """
        ...

    def find_sms(self, *, to: str, body: str, sent_after: datetime) -> tuple[str, ...]:
        """Return the ids of SMS with this body sent to `to` since `sent_after`, oldest first.

        Used after a crash or an unanswered request to learn whether a message went out.
        Raises `ProviderLookupError` when the provider cannot be asked.
        """
        ...


class EmailSender(Protocol):
    """Client that sends e-mail through one provider."""

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
        """Send one e-mail to `to` and return the provider's message id.

        `headers` are extra MIME headers such as `List-Unsubscribe`. `reference` is the
        caller's message key and contains no personal data.
        Raises `RetryableDeliveryError` or `PermanentDeliveryError`.
        """
        ...

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
        """Send one e-mail to each recipient; return their outcomes in the same order.

        An error that concerns one recipient (an invalid address) is that recipient's
        outcome only; the others are sent. Raises nothing for a provider failure: each
        recipient it concerns gets the `RetryableDeliveryError` or
        `PermanentDeliveryError` as its outcome.
        """
        ...

    def find_email(self, *, reference: str) -> tuple[str, ...]:
        """Return the ids of e-mails sent with this `reference`, oldest first.

        Raises `ProviderLookupError` when the provider cannot be asked.
        """
        ...


def error_for_http_status(provider: str, status: int, code: str) -> DeliveryError:
    """Return the delivery error for an HTTP failure status without a more precise code."""
    if status == 429:
        return RetryableDeliveryError(provider, FailureReason.RATE_LIMITED, code)
    if status >= 500:
        return RetryableDeliveryError(provider, FailureReason.PROVIDER_UNAVAILABLE, code)
    if status in (401, 403):
        return PermanentDeliveryError(provider, FailureReason.CONFIGURATION, code)
    return PermanentDeliveryError(provider, FailureReason.REJECTED, code)
