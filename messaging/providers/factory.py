"""Choose the SMS and e-mail senders from the provider settings."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeVar

from messaging.providers.base import EmailSender, SmsSender
from messaging.providers.outbox import OutboxSender
from messaging.providers.sendgrid_email import SendGridEmailSender
from messaging.providers.twilio_sms import TwilioSmsSender

BACKENDS = ("outbox", "providers")

_T = TypeVar("_T")


@dataclass(frozen=True)
class ProviderConfig:
    """Provider settings; building one with a missing setting raises ValueError.

    `outbox` writes every message to `outbox_path`; `providers` sends SMS through Twilio
    and e-mail through SendGrid. The base URL and host settings only point the SDKs at
    another server (a fake one in tests).
    """

    backend: Literal["outbox", "providers"]
    outbox_path: Path | None = None
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = field(default=None, repr=False)
    twilio_api_base_url: str | None = None
    # Where Twilio posts delivery reports; None sends none.
    twilio_status_callback_url: str | None = None
    # Seconds Twilio keeps an SMS it has not sent yet before dropping it.
    twilio_validity_period_s: int = 3600
    sendgrid_api_key: str | None = field(default=None, repr=False)
    sendgrid_api_host: str | None = None

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ValueError(f"backend must be one of {', '.join(BACKENDS)}")
        missing = [name for name in self._required_settings() if not getattr(self, name)]
        if missing:
            raise ValueError(f"missing provider settings: {', '.join(missing)}")

    def _required_settings(self) -> tuple[str, ...]:
        if self.backend == "outbox":
            return ("outbox_path",)
        return ("twilio_account_sid", "twilio_auth_token", "sendgrid_api_key")


@dataclass(frozen=True)
class Senders:
    """The senders a job uses."""

    sms: SmsSender
    email: EmailSender


def build_senders(config: ProviderConfig) -> Senders:
    """Build the SMS and e-mail senders the configuration names."""
    if config.backend == "outbox":
        outbox = OutboxSender(_required(config.outbox_path, "outbox_path"))
        return Senders(sms=outbox, email=outbox)
    sms = TwilioSmsSender(
        _required(config.twilio_account_sid, "twilio_account_sid"),
        _required(config.twilio_auth_token, "twilio_auth_token"),
        api_base_url=config.twilio_api_base_url or None,
        validity_period_s=config.twilio_validity_period_s,
        status_callback_url=config.twilio_status_callback_url or None,
    )
    email = SendGridEmailSender(
        _required(config.sendgrid_api_key, "sendgrid_api_key"),
        host=config.sendgrid_api_host or None,
    )
    return Senders(sms=sms, email=email)


def _required(value: _T | None, name: str) -> _T:
    if not value:
        raise ValueError(f"missing provider settings: {name}")
    return value
