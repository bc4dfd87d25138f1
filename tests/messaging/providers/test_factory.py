from pathlib import Path

import pytest

from messaging.providers.factory import ProviderConfig, build_senders
from messaging.providers.outbox import OutboxSender
from messaging.providers.sendgrid_email import SendGridEmailSender
from messaging.providers.twilio_sms import TwilioSmsSender
from tests.fakes.provider_server import FakeProviderServer


def providers_config(**overrides: object) -> ProviderConfig:
    fields: dict[str, object] = {
        "backend": "providers",
        "twilio_account_sid": "AC" + "1" * 32,
        "twilio_auth_token": "token-value",
        "sendgrid_api_key": "SG.key.value",
    }
    fields.update(overrides)
    return ProviderConfig(**fields)  # type: ignore[arg-type]


def test_outbox_backend_uses_one_outbox_for_both(tmp_path: Path) -> None:
    senders = build_senders(ProviderConfig(backend="outbox", outbox_path=tmp_path / "o.jsonl"))

    assert isinstance(senders.sms, OutboxSender)
    assert senders.email is senders.sms


def test_providers_backend_reaches_the_configured_server(
    provider_server: FakeProviderServer,
) -> None:
    senders = build_senders(
        providers_config(
            twilio_api_base_url=provider_server.base_url,
            sendgrid_api_host=provider_server.base_url,
        )
    )

    assert isinstance(senders.sms, TwilioSmsSender)
    assert isinstance(senders.email, SendGridEmailSender)
    senders.sms.send_sms(to="+33612345612", body="x", sender="T", reference="r1")
    senders.email.send_email(
        to="a@example.org",
        subject="s",
        text_body="t",
        html_body=None,
        sender="b@example.org",
        sender_name="B",
        reference="r2",
        headers={},
    )
    assert [request.path for request in provider_server.requests] == [
        "/2010-04-01/Accounts/AC11111111111111111111111111111111/Messages.json",
        "/v3/mail/send",
    ]


def test_validity_period_reaches_twilio(provider_server: FakeProviderServer) -> None:
    senders = build_senders(
        providers_config(twilio_api_base_url=provider_server.base_url, twilio_validity_period_s=900)
    )

    senders.sms.send_sms(to="+33612345612", body="x", sender="T", reference="r1")

    [request] = provider_server.requests
    assert request.body["ValidityPeriod"] == "900"


def test_outbox_backend_needs_a_path() -> None:
    with pytest.raises(ValueError, match="missing provider settings: outbox_path"):
        ProviderConfig(backend="outbox")


@pytest.mark.parametrize("name", ["twilio_account_sid", "twilio_auth_token", "sendgrid_api_key"])
@pytest.mark.parametrize("value", [None, ""])
def test_providers_backend_names_the_missing_setting(name: str, value: str | None) -> None:
    with pytest.raises(ValueError, match=f"missing provider settings: {name}$"):
        providers_config(**{name: value})


def test_every_missing_setting_is_named() -> None:
    with pytest.raises(
        ValueError,
        match="missing provider settings: twilio_account_sid, twilio_auth_token, sendgrid_api_key",
    ):
        ProviderConfig(backend="providers")


def test_unknown_backend_is_refused() -> None:
    with pytest.raises(ValueError, match="backend must be one of outbox, providers"):
        ProviderConfig(backend="console")  # type: ignore[arg-type]


def test_secrets_stay_out_of_repr() -> None:
    text = repr(providers_config())

    assert "token-value" not in text
    assert "SG.key.value" not in text
    assert "AC1111" in text
