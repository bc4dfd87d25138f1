"""Sending rates and the SMS validity period: read from the environment, checked."""

import pytest

from webapp.settings import Settings, SettingsError


def test_sending_settings_from_environment() -> None:
    settings = Settings.from_env(
        {
            "TOURNEE_SMS_RATE_PER_S": "100",
            "TOURNEE_EMAIL_RATE_PER_S": "2.5",
            "TOURNEE_SMS_VALIDITY_PERIOD_S": "14400",
        }
    )

    settings.validate()
    assert settings.sms_rate_per_s == 100.0
    assert settings.email_rate_per_s == 2.5
    assert settings.sms_validity_period_s == 14_400


def test_sending_defaults() -> None:
    settings = Settings()

    assert (settings.sms_rate_per_s, settings.email_rate_per_s) == (10.0, 100.0)
    assert settings.sms_validity_period_s == 3600


@pytest.mark.parametrize(
    ("changes", "variable"),
    [
        ({"sms_rate_per_s": 0.0}, "TOURNEE_SMS_RATE_PER_S"),
        ({"sms_rate_per_s": float("nan")}, "TOURNEE_SMS_RATE_PER_S"),
        ({"email_rate_per_s": -1.0}, "TOURNEE_EMAIL_RATE_PER_S"),
        ({"email_rate_per_s": float("inf")}, "TOURNEE_EMAIL_RATE_PER_S"),
        ({"sms_validity_period_s": 0}, "TOURNEE_SMS_VALIDITY_PERIOD_S"),
        ({"sms_validity_period_s": 36_001}, "TOURNEE_SMS_VALIDITY_PERIOD_S"),
    ],
)
def test_bad_sending_settings_rejected(changes: dict[str, object], variable: str) -> None:
    settings = Settings(**changes)  # type: ignore[arg-type]

    with pytest.raises(SettingsError, match=variable):
        settings.validate()
