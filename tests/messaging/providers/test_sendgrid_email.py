import logging

import pytest

from messaging.providers.base import (
    DeliveryError,
    FailureReason,
    PermanentDeliveryError,
    RetryableDeliveryError,
)
from messaging.providers.sendgrid_email import SendGridEmailSender
from tests.fakes.provider_server import FakeProviderServer

API_KEY = "SG.test-key.not-real"
UNSUBSCRIBE_HEADERS = {
    "List-Unsubscribe": "<http://127.0.0.1/unsubscribe/tok123>",
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
}


def send(email_sender: SendGridEmailSender, **overrides: object) -> str:
    fields: dict[str, object] = {
        "to": "camille@example.org",
        "subject": "Votre tournée de samedi",
        "text_body": "Rendez-vous à 10h devant la mairie.",
        "html_body": "<p>Rendez-vous à 10h devant la mairie.</p>",
        "sender": "equipe@example.org",
        "sender_name": "Équipe Tournée",
        "reference": "msg-42",
        "headers": UNSUBSCRIBE_HEADERS,
    }
    fields.update(overrides)
    return email_sender.send_email(**fields)  # type: ignore[arg-type]


def test_one_email_makes_exactly_one_request(provider_server: FakeProviderServer) -> None:
    provider_id = send(SendGridEmailSender(API_KEY, host=provider_server.base_url))

    [request] = provider_server.requests
    assert request.path == "/v3/mail/send"
    assert request.headers["Authorization"] == f"Bearer {API_KEY}"
    assert provider_id and provider_id != "msg-42"
    body = request.body
    assert body["from"] == {"email": "equipe@example.org", "name": "Équipe Tournée"}
    assert body["subject"] == "Votre tournée de samedi"
    assert body["content"] == [
        {"type": "text/plain", "value": "Rendez-vous à 10h devant la mairie."},
        {"type": "text/html", "value": "<p>Rendez-vous à 10h devant la mairie.</p>"},
    ]
    assert body["custom_args"] == {"reference": "msg-42"}
    assert body["headers"] == UNSUBSCRIBE_HEADERS
    assert body["personalizations"][0]["to"] == [{"email": "camille@example.org"}]


def test_plain_text_only_email(provider_server: FakeProviderServer) -> None:
    send(SendGridEmailSender(API_KEY, host=provider_server.base_url), html_body=None, headers={})

    [request] = provider_server.requests
    assert request.body["content"] == [
        {"type": "text/plain", "value": "Rendez-vous à 10h devant la mairie."}
    ]
    assert "headers" not in request.body


def test_log_omits_address_and_body(
    provider_server: FakeProviderServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="messaging")

    send(SendGridEmailSender(API_KEY, host=provider_server.base_url))

    assert "msg-42" in caplog.text
    assert "camille" not in caplog.text
    assert "mairie" not in caplog.text


@pytest.mark.parametrize(
    ("status", "error_type", "reason"),
    [
        (429, RetryableDeliveryError, FailureReason.RATE_LIMITED),
        (500, RetryableDeliveryError, FailureReason.PROVIDER_UNAVAILABLE),
        (502, RetryableDeliveryError, FailureReason.PROVIDER_UNAVAILABLE),
        (400, PermanentDeliveryError, FailureReason.REJECTED),
        (401, PermanentDeliveryError, FailureReason.CONFIGURATION),
        (403, PermanentDeliveryError, FailureReason.CONFIGURATION),
        (413, PermanentDeliveryError, FailureReason.REJECTED),
    ],
)
def test_errors_map_to_delivery_errors(
    provider_server: FakeProviderServer,
    status: int,
    error_type: type[DeliveryError],
    reason: FailureReason,
) -> None:
    provider_server.fail_next(1, status=status)

    with pytest.raises(DeliveryError) as caught:
        send(SendGridEmailSender(API_KEY, host=provider_server.base_url))

    assert type(caught.value) is error_type
    assert caught.value.reason is reason
    assert caught.value.code == f"http_{status}"
    assert len(provider_server.requests) == 1


def test_connection_refused_is_retryable(closed_port_url: str) -> None:
    with pytest.raises(RetryableDeliveryError) as caught:
        send(SendGridEmailSender(API_KEY, host=closed_port_url))

    assert caught.value.reason is FailureReason.NETWORK


def test_invalid_recipient_is_recognised(provider_server: FakeProviderServer) -> None:
    provider_server.fail_next(1, status=400, field="personalizations.0.to.0.email")

    with pytest.raises(PermanentDeliveryError) as caught:
        send(SendGridEmailSender(API_KEY, host=provider_server.base_url))

    assert caught.value.reason is FailureReason.INVALID_RECIPIENT
    assert str(caught.value) == "sendgrid invalid_recipient (http_400)"


def test_reference_is_the_id_when_sendgrid_gives_none() -> None:
    with FakeProviderServer(sendgrid_message_id=False) as server:
        provider_id = send(SendGridEmailSender(API_KEY, host=server.base_url))

    assert provider_id == "msg-42"


def test_empty_api_key_is_rejected() -> None:
    with pytest.raises(ValueError, match="api_key must not be empty"):
        SendGridEmailSender("")
