"""E-mails to many recipients in one Mail Send request, each with their own link and key."""

import pytest

from messaging.providers.base import (
    EmailRecipient,
    FailureReason,
    PermanentDeliveryError,
    RetryableDeliveryError,
    SendOutcome,
)
from messaging.providers.sendgrid_email import MAX_PERSONALIZATIONS, SendGridEmailSender
from tests.fakes.provider_server import FakeProviderServer

API_KEY = "SG.test-key.not-real"
TAG = "%unsubscribe_url%"
TEXT = f"Porte-à-porte samedi.\n\n--\nSe désinscrire : {TAG}"


def recipient(index: int) -> EmailRecipient:
    return EmailRecipient(
        to=f"benevole{index}@example.org",
        reference=f"broadcast:7:{index}:email",
        substitutions={TAG: f"https://tournee.example.org/u/{index}"},
        headers={"List-Unsubscribe": f"<https://tournee.example.org/u/{index}>"},
    )


def send(server: FakeProviderServer, recipients: list[EmailRecipient]) -> list[SendOutcome]:
    sender = SendGridEmailSender(API_KEY, host=server.base_url)
    return sender.send_email_batch(
        recipients=recipients,
        subject="Nouvelles",
        text_body=TEXT,
        html_body=None,
        sender="equipe@example.org",
        sender_name="Équipe",
    )


def test_one_request_carries_every_recipient(provider_server: FakeProviderServer) -> None:
    outcomes = send(provider_server, [recipient(index) for index in range(3)])

    [request] = provider_server.send_requests
    assert request.body["subject"] == "Nouvelles"
    assert request.body["content"] == [{"type": "text/plain", "value": TEXT}]
    assert "custom_args" not in request.body
    assert request.body["personalizations"] == [
        {
            "to": [{"email": f"benevole{index}@example.org"}],
            "substitutions": {TAG: f"https://tournee.example.org/u/{index}"},
            "custom_args": {"reference": f"broadcast:7:{index}:email"},
            "headers": {"List-Unsubscribe": f"<https://tournee.example.org/u/{index}>"},
        }
        for index in range(3)
    ]
    assert [outcome.error for outcome in outcomes] == [None, None, None]
    assert len({outcome.provider_id for outcome in outcomes}) == 1


def test_provider_keeps_each_persons_text(provider_server: FakeProviderServer) -> None:
    send(provider_server, [recipient(index) for index in range(2)])

    accepted = provider_server.accepted
    assert [(m.to, m.reference) for m in accepted] == [
        ("benevole0@example.org", "broadcast:7:0:email"),
        ("benevole1@example.org", "broadcast:7:1:email"),
    ]
    assert accepted[0].body.endswith("Se désinscrire : https://tournee.example.org/u/0")
    assert accepted[1].body.endswith("Se désinscrire : https://tournee.example.org/u/1")


def test_batched_email_is_found_by_its_reference(provider_server: FakeProviderServer) -> None:
    outcomes = send(provider_server, [recipient(index) for index in range(3)])
    sender = SendGridEmailSender(API_KEY, host=provider_server.base_url)

    found = sender.find_email(reference="broadcast:7:1:email")

    assert found == (outcomes[1].provider_id,)
    assert sender.find_email(reference="broadcast:7:9:email") == ()


def test_refused_address_fails_alone(provider_server: FakeProviderServer) -> None:
    provider_server.fail_recipient(
        "benevole1@example.org", status=400, field="personalizations.0.to.0.email"
    )
    provider_server.fail_recipient(
        "benevole3@example.org", status=400, field="personalizations.0.to.0.email"
    )

    outcomes = send(provider_server, [recipient(index) for index in range(5)])

    first, second = provider_server.send_requests
    assert len(first.body["personalizations"]) == 5
    assert [p["to"][0]["email"] for p in second.body["personalizations"]] == [
        "benevole0@example.org",
        "benevole2@example.org",
        "benevole4@example.org",
    ]
    refused = [outcomes[1].error, outcomes[3].error]
    assert all(isinstance(error, PermanentDeliveryError) for error in refused)
    assert {error.reason for error in refused if error} == {FailureReason.INVALID_RECIPIENT}
    assert [outcomes[index].provider_id is not None for index in range(5)] == [
        True,
        False,
        True,
        False,
        True,
    ]
    assert [m.to for m in provider_server.accepted] == [
        "benevole0@example.org",
        "benevole2@example.org",
        "benevole4@example.org",
    ]


def test_server_error_concerns_every_recipient(provider_server: FakeProviderServer) -> None:
    provider_server.accept_then_fail_next(1, status=503)

    outcomes = send(provider_server, [recipient(index) for index in range(3)])

    assert len(provider_server.send_requests) == 1
    for outcome in outcomes:
        assert isinstance(outcome.error, RetryableDeliveryError)
        assert outcome.error.reason is FailureReason.PROVIDER_UNAVAILABLE
        assert outcome.error.may_have_been_accepted
        assert outcome.provider_id is None


def test_without_message_id_each_keeps_its_reference() -> None:
    with FakeProviderServer(sendgrid_message_id=False) as server:
        outcomes = send(server, [recipient(index) for index in range(2)])

    assert [outcome.provider_id for outcome in outcomes] == [
        "broadcast:7:0:email",
        "broadcast:7:1:email",
    ]


@pytest.mark.parametrize("count", [0, MAX_PERSONALIZATIONS + 1])
def test_request_size_is_bounded(provider_server: FakeProviderServer, count: int) -> None:
    with pytest.raises(ValueError, match="1 to 1000 recipients"):
        send(provider_server, [recipient(index) for index in range(count)])

    assert provider_server.requests == []


def test_full_request_goes_in_one_call(provider_server: FakeProviderServer) -> None:
    outcomes = send(provider_server, [recipient(index) for index in range(MAX_PERSONALIZATIONS)])

    assert len(provider_server.send_requests) == 1
    assert len(provider_server.accepted) == MAX_PERSONALIZATIONS
    assert all(outcome.provider_id for outcome in outcomes)
