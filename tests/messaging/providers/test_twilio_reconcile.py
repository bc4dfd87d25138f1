"""Looking an SMS up at Twilio after a send whose outcome is unknown."""

from datetime import UTC, datetime, timedelta

import pytest

from messaging.providers.base import FailureReason, ProviderLookupError, RetryableDeliveryError
from messaging.providers.twilio_sms import TwilioSmsSender
from tests.fakes.provider_server import FakeProviderServer

ACCOUNT_SID = "AC" + "0" * 32
TO = "+33612345612"
BODY = "Tournée samedi 10h, parvis de la mairie"


def make_sender(base_url: str) -> TwilioSmsSender:
    return TwilioSmsSender(ACCOUNT_SID, "test-auth-token", api_base_url=base_url)


def send(sender: TwilioSmsSender, *, to: str = TO, body: str = BODY) -> str:
    return sender.send_sms(to=to, body=body, sender="TOURNEE", reference="msg-7")


def a_minute_ago() -> datetime:
    return datetime.now(UTC) - timedelta(minutes=1)


def test_sent_message_is_found(provider_server: FakeProviderServer) -> None:
    sender = make_sender(provider_server.base_url)
    sid = send(sender)

    assert sender.find_sms(to=TO, body=BODY, sent_after=a_minute_ago()) == (sid,)
    lookup = provider_server.requests[-1]
    assert lookup.method == "GET"
    assert lookup.body["To"] == TO
    assert lookup.body["DateSent>"].endswith("T00:00:00Z")


def test_nothing_is_found_when_nothing_was_sent(provider_server: FakeProviderServer) -> None:
    sender = make_sender(provider_server.base_url)
    send(sender, to="+33699999999")
    send(sender, body="Un autre message")

    assert sender.find_sms(to=TO, body=BODY, sent_after=a_minute_ago()) == ()


def test_older_message_with_the_same_body_is_not_this_one(
    provider_server: FakeProviderServer,
) -> None:
    sender = make_sender(provider_server.base_url)
    send(sender)

    assert (
        sender.find_sms(to=TO, body=BODY, sent_after=datetime.now(UTC) + timedelta(minutes=1)) == ()
    )


def test_footer_added_by_the_provider_still_matches(provider_server: FakeProviderServer) -> None:
    sender = make_sender(provider_server.base_url)
    sid = send(sender, body=BODY + "\nSTOP au 36111")

    assert sender.find_sms(to=TO, body=BODY, sent_after=a_minute_ago()) == (sid,)


def test_message_accepted_before_a_server_error_is_found(
    provider_server: FakeProviderServer,
) -> None:
    sender = make_sender(provider_server.base_url)
    provider_server.accept_then_fail_next(1, status=500)

    with pytest.raises(RetryableDeliveryError) as caught:
        send(sender)

    assert caught.value.may_have_been_accepted
    [accepted] = provider_server.accepted
    assert sender.find_sms(to=TO, body=BODY, sent_after=a_minute_ago()) == (accepted.provider_id,)


def test_dropped_connection_is_uncertain(provider_server: FakeProviderServer) -> None:
    sender = make_sender(provider_server.base_url)
    provider_server.accept_then_drop_next(1)

    with pytest.raises(RetryableDeliveryError) as caught:
        send(sender)

    assert caught.value.code == "connection_lost"
    assert caught.value.may_have_been_accepted


def test_refused_connection_is_certain(closed_port_url: str) -> None:
    with pytest.raises(RetryableDeliveryError) as caught:
        send(make_sender(closed_port_url))

    assert caught.value.reason is FailureReason.NETWORK
    assert not caught.value.may_have_been_accepted


def test_failed_lookup_raises(provider_server: FakeProviderServer) -> None:
    provider_server.fail_next_lookups(1, status=503)

    with pytest.raises(ProviderLookupError) as caught:
        make_sender(provider_server.base_url).find_sms(to=TO, body=BODY, sent_after=a_minute_ago())

    assert str(caught.value) == "twilio lookup failed (http_503)"


def test_unreachable_provider_lookup_raises(closed_port_url: str) -> None:
    with pytest.raises(ProviderLookupError) as caught:
        make_sender(closed_port_url).find_sms(to=TO, body=BODY, sent_after=a_minute_ago())

    assert caught.value.code == "network"


def test_naive_time_is_refused(provider_server: FakeProviderServer) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        make_sender(provider_server.base_url).find_sms(
            to=TO,
            body=BODY,
            sent_after=datetime(2026, 1, 1),  # noqa: DTZ001
        )
