"""Looking an e-mail up in SendGrid's Email Activity by its reference."""

from urllib.parse import parse_qs, urlsplit

import pytest

from messaging.providers.base import ProviderLookupError, RetryableDeliveryError
from messaging.providers.sendgrid_email import SendGridEmailSender, message_id_of
from tests.fakes.provider_server import FakeProviderServer

API_KEY = "SG.test-key"


def send(sender: SendGridEmailSender, reference: str) -> str:
    return sender.send_email(
        to="camille@example.org",
        subject="Votre session",
        text_body="Rendez-vous samedi.",
        html_body=None,
        sender="ne-pas-repondre@tournee.invalid",
        sender_name="Tournée",
        reference=reference,
        headers={},
    )


def test_sent_email_is_found_by_reference(provider_server: FakeProviderServer) -> None:
    sender = SendGridEmailSender(API_KEY, host=provider_server.base_url)
    message_id = send(sender, "assignment:4:session_reminder:email")
    send(sender, "assignment:5:session_reminder:email")

    found = sender.find_email(reference="assignment:4:session_reminder:email")

    assert found == (message_id,)
    lookup = provider_server.requests[-1]
    assert urlsplit(lookup.path).path == "/v3/messages"
    query = parse_qs(urlsplit(lookup.path).query)
    assert query["query"] == ["unique_args['reference']=\"assignment:4:session_reminder:email\""]
    assert lookup.headers["Authorization"] == f"Bearer {API_KEY}"


def test_unknown_reference_finds_nothing(provider_server: FakeProviderServer) -> None:
    sender = SendGridEmailSender(API_KEY, host=provider_server.base_url)

    assert sender.find_email(reference="assignment:9:session_reminder:email") == ()


def test_email_accepted_before_a_dropped_connection_is_found(
    provider_server: FakeProviderServer,
) -> None:
    sender = SendGridEmailSender(API_KEY, host=provider_server.base_url)
    provider_server.accept_then_drop_next(1)

    with pytest.raises(RetryableDeliveryError) as caught:
        send(sender, "broadcast:3:12")

    assert caught.value.may_have_been_accepted
    [accepted] = provider_server.accepted
    assert sender.find_email(reference="broadcast:3:12") == (accepted.provider_id,)


def test_server_error_after_acceptance_is_uncertain(provider_server: FakeProviderServer) -> None:
    provider_server.accept_then_fail_next(1, status=502)

    with pytest.raises(RetryableDeliveryError) as caught:
        send(SendGridEmailSender(API_KEY, host=provider_server.base_url), "broadcast:3:13")

    assert caught.value.may_have_been_accepted


@pytest.mark.parametrize(("status", "code"), [(400, "http_400"), (503, "http_503")])
def test_failed_lookup_raises(provider_server: FakeProviderServer, status: int, code: str) -> None:
    provider_server.fail_next_lookups(1, status=status)

    with pytest.raises(ProviderLookupError) as caught:
        SendGridEmailSender(API_KEY, host=provider_server.base_url).find_email(reference="x:1")

    assert caught.value.code == code


def test_unreachable_provider_lookup_raises(closed_port_url: str) -> None:
    with pytest.raises(ProviderLookupError) as caught:
        SendGridEmailSender(API_KEY, host=closed_port_url).find_email(reference="x:1")

    assert caught.value.code == "network"


def test_reference_with_a_quote_is_refused(provider_server: FakeProviderServer) -> None:
    with pytest.raises(ValueError, match="quotes"):
        SendGridEmailSender(API_KEY, host=provider_server.base_url).find_email(reference='a"b')


def test_message_id_drops_the_filter_suffix() -> None:
    assert message_id_of("14c5d75ce93.filter0001p1las1-16816-5A023E36-1.0") == "14c5d75ce93"
    assert message_id_of("14c5d75ce93") == "14c5d75ce93"
