"""Typed settings read once from `TOURNEE_*` environment variables."""

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from messaging.providers.twilio_sms import MAX_VALIDITY_PERIOD_S
from messaging.ratelimit import DEFAULT_RATE_PER_S

ENV_PREFIX = "TOURNEE_"
DEFAULT_SECRET_KEY = "dev-only-secret-key-change-me"  # noqa: S105 - rejected in production
MIN_SECRET_KEY_LENGTH = 32
# A bound that catches typos: a site usually sits behind one or two proxies.
MAX_PROXY_HOPS = 5
# E-mails a second per sender: SendGrid takes up to a thousand recipients a request.
DEFAULT_EMAIL_RATE_PER_S = 100.0


class SettingsError(ValueError):
    """A setting is missing or invalid; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    """Every setting of the application, validated by `validate()` in the factory."""

    environment: str = "development"
    secret_key: str = DEFAULT_SECRET_KEY
    database_url: str = "sqlite:///instance/tournee.sqlite3"
    redis_url: str = "redis://127.0.0.1:6379/0"
    # When true, jobs run in the calling process instead of going through Redis.
    is_queue_synchronous: bool = True
    # With the synchronous queue, a planning requested on the site runs in a thread of
    # the web process, so the request returns at once and the run's page follows it.
    # The laptop demo turns it on; tests whose sessions share one connection keep it off.
    is_planning_threaded: bool = False
    public_base_url: str = "http://127.0.0.1:5000"
    default_locale: str = "fr"
    supported_locales: tuple[str, ...] = ("fr", "en")
    timezone: str = "Europe/Paris"
    message_backend: str = "outbox"
    outbox_path: Path = Path("instance/outbox.jsonl")
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_api_base_url: str = ""
    twilio_sender: str = "Tournee"
    # Seconds Twilio keeps an SMS it has not sent yet before dropping it (ValidityPeriod),
    # sent with every SMS and checked against a broadcast's schedule.
    sms_validity_period_s: int = 3600
    # Sending rates per sender, shared by every worker: SMS segments a second (Twilio
    # counts every segment of a long SMS against the sender's throughput) and e-mails a
    # second. The broadcast estimates use the same rates.
    sms_rate_per_s: float = DEFAULT_RATE_PER_S
    email_rate_per_s: float = DEFAULT_EMAIL_RATE_PER_S
    sendgrid_api_key: str = ""
    sendgrid_api_host: str = ""
    # Public key that verifies SendGrid's signed event webhook (base64, as SendGrid shows it).
    sendgrid_webhook_public_key: str = ""
    email_sender: str = "ne-pas-repondre@tournee.invalid"
    email_sender_name: str = "Tournée"
    map_tile_url: str = "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png"
    route_token_days: int = 14
    # Login and sign-up limits kept in Redis; off for the laptop demo, which has no Redis.
    is_rate_limit_enabled: bool = True
    # Reverse proxies in front of the app whose X-Forwarded-For, -Proto, -Host and -Port
    # headers are trusted. The default 0 trusts none, which a site reached directly needs.
    proxy_hops: int = 0
    # Planning defaults: distance from home to the meeting point, walking pace, door time.
    max_distance_m: int = 3000
    walking_speed_m_per_min: float = 70.0
    minutes_per_address: float = 1.5
    assignment_time_limit_s: float = 10.0
    route_time_limit_s: float = 3.0
    is_debug: bool = False

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        """Build settings from `TOURNEE_*` variables, falling back to the defaults."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for name, default in _defaults().items():
            raw = env.get(ENV_PREFIX + name.upper())
            if raw is not None:
                values[name] = _parse(name, raw, default)
        return cls(**values)  # type: ignore[arg-type]

    def validate(self) -> None:
        """Raise SettingsError when the settings are unsafe or inconsistent."""
        if self.environment not in ("development", "test", "production"):
            raise SettingsError(
                "TOURNEE_ENVIRONMENT must be development, test or production, "
                f"got {self.environment!r}"
            )
        if self.default_locale not in self.supported_locales:
            raise SettingsError(f"TOURNEE_DEFAULT_LOCALE {self.default_locale!r} is not supported")
        if self.message_backend not in ("outbox", "providers"):
            raise SettingsError(
                f"TOURNEE_MESSAGE_BACKEND must be outbox or providers, got {self.message_backend!r}"
            )
        _validate_sms_sender(self.twilio_sender)
        if not 0 <= self.proxy_hops <= MAX_PROXY_HOPS:
            raise SettingsError(
                f"TOURNEE_PROXY_HOPS must be between 0 and {MAX_PROXY_HOPS}, "
                f"got {self.proxy_hops}: count the reverse proxies in front of the app"
            )
        self._validate_sending_limits()
        if self.is_planning_threaded and not self.is_queue_synchronous:
            raise SettingsError(
                "TOURNEE_IS_PLANNING_THREADED needs TOURNEE_IS_QUEUE_SYNCHRONOUS: "
                "with Redis, a worker runs the planning"
            )
        if self.is_production:
            self._validate_production()

    def _validate_sending_limits(self) -> None:
        for name in ("sms_rate_per_s", "email_rate_per_s"):
            rate = getattr(self, name)
            if not (math.isfinite(rate) and rate > 0):
                raise SettingsError(
                    f"{ENV_PREFIX}{name.upper()} must be a positive number of messages per "
                    f"second, got {rate!r}"
                )
        if not 1 <= self.sms_validity_period_s <= MAX_VALIDITY_PERIOD_S:
            raise SettingsError(
                f"{ENV_PREFIX}SMS_VALIDITY_PERIOD_S must be between 1 and "
                f"{MAX_VALIDITY_PERIOD_S} seconds, got {self.sms_validity_period_s}"
            )

    def _validate_production(self) -> None:
        if self.secret_key == DEFAULT_SECRET_KEY or len(self.secret_key) < MIN_SECRET_KEY_LENGTH:
            raise SettingsError(
                "TOURNEE_SECRET_KEY must be set to a random value of at least "
                f"{MIN_SECRET_KEY_LENGTH} characters in production"
            )
        if self.is_debug:
            raise SettingsError("TOURNEE_IS_DEBUG must be off in production")
        if self.is_queue_synchronous:
            raise SettingsError(
                "TOURNEE_IS_QUEUE_SYNCHRONOUS must be off in production: jobs go through Redis"
            )
        if self.message_backend == "providers":
            missing = [
                name
                for name in ("twilio_account_sid", "twilio_auth_token", "sendgrid_api_key")
                if not getattr(self, name)
            ]
            if missing:
                raise SettingsError(
                    "missing provider settings: "
                    + ", ".join(ENV_PREFIX + m.upper() for m in missing)
                )


ALPHANUMERIC_SENDER_RE = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$")
SHORT_CODE_RE = re.compile(r"^[0-9]{5,6}$")
FRENCH_MOBILE_RE = re.compile(r"^(\+33|0033|0)[67]")


def _validate_sms_sender(sender: str) -> None:
    """Reject a sender that French operators would block for automated messages.

    Automated SMS must come from an alphanumeric sender (up to 11 letters and digits) or
    a short code; a French mobile number (06, 07) as sender is not allowed for them.
    A Twilio Messaging Service id (MG…) is accepted as it is.
    """
    compact = sender.replace(" ", "").replace(".", "")
    if FRENCH_MOBILE_RE.match(compact):
        raise SettingsError(
            "TOURNEE_TWILIO_SENDER must not be a French mobile number (+33 6 or +33 7): "
            "use an alphanumeric sender such as 'MaCampagne' or a short code"
        )
    if sender.startswith("MG") and len(sender) == 34:
        return
    if not (
        ALPHANUMERIC_SENDER_RE.match(sender)
        or SHORT_CODE_RE.match(sender)
        or sender.startswith("+")
    ):
        raise SettingsError(
            "TOURNEE_TWILIO_SENDER must be 1 to 11 letters, digits or spaces with at least one "
            f"letter, a short code, or an international number; got {sender!r}"
        )


def _defaults() -> dict[str, object]:
    return {name: f.default for name, f in Settings.__dataclass_fields__.items()}


def _parse(name: str, raw: str, default: object) -> object:  # noqa: PLR0911 - one branch per type
    if isinstance(default, bool):
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off", ""):
            return False
        raise SettingsError(f"{ENV_PREFIX}{name.upper()} must be true or false, got {raw!r}")
    if isinstance(default, float):
        try:
            return float(raw)
        except ValueError:
            raise SettingsError(
                f"{ENV_PREFIX}{name.upper()} must be a number, got {raw!r}"
            ) from None
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise SettingsError(
                f"{ENV_PREFIX}{name.upper()} must be an integer, got {raw!r}"
            ) from None
    if isinstance(default, Path):
        return Path(raw)
    if isinstance(default, tuple):
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    return raw
