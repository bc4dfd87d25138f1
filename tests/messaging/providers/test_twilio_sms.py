import logging
import pickle
import re
import threading

import pytest

from messaging.providers.base import (
    DeliveryError,
    FailureReason,
    PermanentDeliveryError,
    RetryableDeliveryError,
)
from messaging.providers.twilio_sms import TwilioSmsSender
from tests.fakes.provider_server import FakeProviderServer

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "test-auth-token"  # noqa: S105
TO = "+33612345612"


def make_sender(base_url: str, **options: object) -> TwilioSmsSender:
    return TwilioSmsSender(ACCOUNT_SID, AUTH_TOKEN, api_base_url=base_url, **options)  # type: ignore[arg-type]


def send(sms_sender: TwilioSmsSender, **overrides: str) -> str:
    fields = {"to": TO, "body": "Tournée samedi 10h", "sender": "TOURNEE", "reference": "msg-41"}
    fields.update(overrides)
    return sms_sender.send_sms(**fields)


def test_one_sms_makes_exactly_one_request(provider_server: FakeProviderServer) -> None:
    sid = send(make_sender(provider_server.base_url))

    assert re.fullmatch(r"SM[0-9a-f]{32}", sid)
    [request] = provider_server.requests
    assert request.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert request.body == {
        "To": TO,
        "From": "TOURNEE",
        "Body": "Tournée samedi 10h",
        "ValidityPeriod": "3600",
    }
    assert request.headers["Authorization"].startswith("Basic ")


def test_validity_period_and_status_callback_are_sent(provider_server: FakeProviderServer) -> None:
    sender = make_sender(
        provider_server.base_url,
        validity_period_s=900,
        status_callback_url="http://127.0.0.1/webhooks/twilio/status",
    )

    send(sender)

    [request] = provider_server.requests
    assert request.body["ValidityPeriod"] == "900"
    assert request.body["StatusCallback"] == "http://127.0.0.1/webhooks/twilio/status"


def test_messaging_service_sid_replaces_from(provider_server: FakeProviderServer) -> None:
    service_sid = "MG" + "a" * 32

    send(make_sender(provider_server.base_url), sender=service_sid)

    [request] = provider_server.requests
    assert request.body["MessagingServiceSid"] == service_sid
    assert "From" not in request.body


def test_log_masks_number_and_omits_body(
    provider_server: FakeProviderServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="messaging")

    send(make_sender(provider_server.base_url))

    assert "+33 6 ** ** ** 12" in caplog.text
    assert TO not in caplog.text
    assert "samedi" not in caplog.text


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (429, 20429, (RetryableDeliveryError, FailureReason.RATE_LIMITED, "20429")),
        (429, None, (RetryableDeliveryError, FailureReason.RATE_LIMITED, "http_429")),
        (500, None, (RetryableDeliveryError, FailureReason.PROVIDER_UNAVAILABLE, "http_500")),
        (503, 20503, (RetryableDeliveryError, FailureReason.PROVIDER_UNAVAILABLE, "20503")),
        (400, 21211, (PermanentDeliveryError, FailureReason.INVALID_RECIPIENT, "21211")),
        (400, 21610, (PermanentDeliveryError, FailureReason.UNSUBSCRIBED, "21610")),
        (400, 21612, (PermanentDeliveryError, FailureReason.INVALID_RECIPIENT, "21612")),
        (400, 21614, (PermanentDeliveryError, FailureReason.INVALID_RECIPIENT, "21614")),
        (401, 20003, (PermanentDeliveryError, FailureReason.CONFIGURATION, "20003")),
        (400, 21602, (PermanentDeliveryError, FailureReason.REJECTED, "21602")),
    ],
)
def test_errors_map_to_delivery_errors(
    provider_server: FakeProviderServer,
    status: int,
    code: int | None,
    expected: tuple[type[DeliveryError], FailureReason, str],
) -> None:
    error_type, reason, error_code = expected
    provider_server.fail_next(1, status=status, code=code)

    with pytest.raises(DeliveryError) as caught:
        send(make_sender(provider_server.base_url))

    assert type(caught.value) is error_type
    assert caught.value.reason is reason
    assert caught.value.code == error_code
    assert len(provider_server.requests) == 1


def test_error_holds_no_personal_data(provider_server: FakeProviderServer) -> None:
    provider_server.fail_next(1, status=400, code=21211)

    with pytest.raises(PermanentDeliveryError) as caught:
        send(make_sender(provider_server.base_url))

    assert str(caught.value) == "twilio invalid_recipient (21211)"
    assert pickle.loads(pickle.dumps(caught.value)).code == "21211"  # noqa: S301


def test_next_request_succeeds_after_planned_failures(provider_server: FakeProviderServer) -> None:
    sender = make_sender(provider_server.base_url)
    provider_server.fail_next(1, status=429, code=20429)

    with pytest.raises(RetryableDeliveryError):
        send(sender)
    assert send(sender).startswith("SM")
    assert len(provider_server.requests) == 2


def test_connection_refused_is_retryable(closed_port_url: str) -> None:
    with pytest.raises(RetryableDeliveryError) as caught:
        send(make_sender(closed_port_url))

    assert caught.value.reason is FailureReason.NETWORK
    assert caught.value.code == "network"


@pytest.mark.parametrize("validity_period_s", [0, -5, 36_001])
def test_validity_period_out_of_range_is_refused(validity_period_s: int) -> None:
    with pytest.raises(ValueError, match="validity_period_s"):
        TwilioSmsSender(ACCOUNT_SID, AUTH_TOKEN, validity_period_s=validity_period_s)


@pytest.mark.parametrize(("account_sid", "auth_token"), [("", AUTH_TOKEN), (ACCOUNT_SID, "")])
def test_empty_credentials_are_rejected(account_sid: str, auth_token: str) -> None:
    with pytest.raises(ValueError, match="must not be empty"):
        TwilioSmsSender(account_sid, auth_token)


def test_sends_reuse_one_connection_per_thread(provider_server: FakeProviderServer) -> None:
    sender = make_sender(provider_server.base_url)

    for index in range(3):
        send(sender, reference=f"msg-{index}")
    in_thread: list[str] = []
    worker = threading.Thread(target=lambda: in_thread.append(send(sender, reference="msg-t")))
    worker.start()
    worker.join(timeout=10)

    ports = [request.client_port for request in provider_server.send_requests]
    assert len(in_thread) == 1
    assert len(ports) == 4
    assert len(set(ports[:3])) == 1
    assert ports[3] != ports[0]


def test_environment_is_read_when_the_client_is_built(
    provider_server: FakeProviderServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    sender = make_sender(provider_server.base_url)
    send(sender)
    # A proxy set afterwards is not looked up again on each request.
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")

    send(sender, reference="msg-42")

    assert len(provider_server.send_requests) == 2
