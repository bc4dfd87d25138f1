"""STOP replies end to end through the inbound webhook, and the inbox of other replies."""

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale, gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.fakes.provider_server import FakeProviderServer
from tests.messaging import test_keywords
from tests.webapp.services.delivery_support import (
    make_campaign,
    make_message,
    make_volunteer,
    provider_settings,
)
from tests.webapp.webhooks.callbacks import TWILIO_INBOUND_PATH, inbound_form, post_twilio
from webapp.models import Campaign, InboundSms, Message, Suppression, User
from webapp.models.messaging import MessagePurpose, MessageStatus
from webapp.services.delivery import deliver_message
from webapp.services.opt_out import list_unhandled_replies, mark_reply_handled
from webapp.settings import Settings


def parametrized_texts(test: Callable[..., None]) -> list[str]:
    """Return the texts a test of the keyword tables is parametrized with."""
    marks: list[Any] = getattr(test, "pytestmark")  # noqa: B009 - set by pytest at runtime
    return list(marks[0].args[1])


# The keyword tables of the messaging tests, read from their parametrize marks.
STOP_VARIANTS = parametrized_texts(test_keywords.test_stop_keywords_are_recognised)
OTHER_REPLIES = parametrized_texts(test_keywords.test_other_replies_are_not_stop_keywords)


@pytest.fixture
def settings(settings: Settings, provider_server: FakeProviderServer) -> Settings:
    return provider_settings(settings, provider_server, is_queue_synchronous=True)


def volunteer_with_queued_sms(session: Session) -> tuple[Campaign, User, Message]:
    campaign = make_campaign(session)
    user = make_volunteer(session)
    sent = make_message(session, campaign, user)
    sent.status = MessageStatus.SENT
    queued = make_message(session, campaign, user, purpose=MessagePurpose.SESSION_REMINDER)
    session.commit()
    return campaign, user, queued


def confirmation_text(app: Flask, locale: str) -> str:
    with app.app_context(), force_locale(locale):
        return str(
            gettext(
                "%(campaign)s: you will not receive any more text messages from us.",
                campaign="Tournee",
            )
        )


def replies(session: Session) -> list[InboundSms]:
    return list(session.scalars(select(InboundSms).order_by(InboundSms.id)))


@pytest.mark.parametrize("text", STOP_VARIANTS)
def test_stop_suppresses_the_number_and_its_queued_messages(
    app: Flask,
    client: FlaskClient,
    db_session: Session,
    provider_server: FakeProviderServer,
    text: str,
) -> None:
    campaign, user, queued = volunteer_with_queued_sms(db_session)

    response = post_twilio(
        client, TWILIO_INBOUND_PATH, inbound_form("SMin1", user.phone_e164 or "", text)
    )

    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    assert b"<Message>" not in response.data
    [reply] = replies(db_session)
    assert (reply.is_stop, reply.is_handled, reply.campaign_id) == (True, True, campaign.id)
    [suppression] = db_session.scalars(select(Suppression)).all()
    assert (suppression.campaign_id, suppression.address, suppression.reason) == (
        campaign.id,
        user.phone_e164,
        "stop",
    )
    db_session.refresh(queued)
    assert (queued.status, queued.failure_reason) == ("suppressed", "opted_out")
    # One confirmation, in the volunteer's language, and nothing else.
    [confirmation] = provider_server.send_requests
    assert confirmation.body["To"] == user.phone_e164
    assert confirmation.body["Body"] == confirmation_text(app, user.locale)


@pytest.mark.parametrize("text", OTHER_REPLIES)
def test_other_replies_wait_for_a_coordinator(
    client: FlaskClient, db_session: Session, provider_server: FakeProviderServer, text: str
) -> None:
    campaign, user, queued = volunteer_with_queued_sms(db_session)

    post_twilio(client, TWILIO_INBOUND_PATH, inbound_form("SMin2", user.phone_e164 or "", text))

    [reply] = replies(db_session)
    assert (reply.is_stop, reply.is_handled, reply.body) == (False, False, text)
    assert list_unhandled_replies(db_session, campaign.id) == [reply]
    assert db_session.scalars(select(Suppression)).all() == []
    db_session.refresh(queued)
    assert queued.status == MessageStatus.QUEUED
    assert provider_server.send_requests == []


def test_confirmation_follows_the_volunteer_language(
    app: Flask, client: FlaskClient, db_session: Session, provider_server: FakeProviderServer
) -> None:
    campaign = make_campaign(db_session)
    user = make_volunteer(db_session, locale="en")
    make_message(db_session, campaign, user)
    db_session.commit()

    post_twilio(client, TWILIO_INBOUND_PATH, inbound_form("SMin0", user.phone_e164 or "", "stop"))

    [confirmation] = provider_server.send_requests
    assert confirmation.body["Body"] == (
        "Tournee: you will not receive any more text messages from us."
    )


def test_stop_handled_by_twilio_gets_no_second_confirmation(
    client: FlaskClient, db_session: Session, provider_server: FakeProviderServer
) -> None:
    campaign, user, queued = volunteer_with_queued_sms(db_session)

    post_twilio(
        client,
        TWILIO_INBOUND_PATH,
        inbound_form("SMin3", user.phone_e164 or "", "Stop", opt_out_type="STOP"),
    )

    db_session.refresh(queued)
    assert queued.status == MessageStatus.SUPPRESSED
    assert provider_server.send_requests == []
    purposes = db_session.scalars(select(Message.purpose)).all()
    assert MessagePurpose.STOP_CONFIRMATION not in purposes


def test_twilio_opt_out_keyword_we_do_not_know_still_stops(
    client: FlaskClient, db_session: Session
) -> None:
    campaign, user, _ = volunteer_with_queued_sms(db_session)

    post_twilio(
        client,
        TWILIO_INBOUND_PATH,
        inbound_form("SMin4", user.phone_e164 or "", "REVOKE", opt_out_type="STOP"),
    )

    assert [reply.is_stop for reply in replies(db_session)] == [True]
    assert db_session.scalars(select(Suppression.campaign_id)).all() == [campaign.id]


@pytest.mark.parametrize("opt_out_type", ["START", "HELP"])
def test_twilio_start_and_help_go_to_a_coordinator(
    client: FlaskClient, db_session: Session, opt_out_type: str
) -> None:
    campaign, user, _ = volunteer_with_queued_sms(db_session)

    post_twilio(
        client,
        TWILIO_INBOUND_PATH,
        inbound_form("SMin5", user.phone_e164 or "", opt_out_type, opt_out_type=opt_out_type),
    )

    assert [reply.body for reply in list_unhandled_replies(db_session, campaign.id)] == [
        opt_out_type
    ]
    assert db_session.scalars(select(Suppression)).all() == []


def test_replayed_stop_changes_nothing(
    client: FlaskClient, db_session: Session, provider_server: FakeProviderServer
) -> None:
    _, user, _ = volunteer_with_queued_sms(db_session)
    form = inbound_form("SMin6", user.phone_e164 or "", "STOP")

    responses = [post_twilio(client, TWILIO_INBOUND_PATH, form) for _ in range(3)]

    assert [response.status_code for response in responses] == [200, 200, 200]
    assert len(replies(db_session)) == 1
    assert len(db_session.scalars(select(Suppression)).all()) == 1
    assert len(provider_server.send_requests) == 1


def test_stop_from_a_number_no_campaign_wrote_to_suppresses_everywhere(
    client: FlaskClient, db_session: Session, provider_server: FakeProviderServer
) -> None:
    post_twilio(client, TWILIO_INBOUND_PATH, inbound_form("SMin7", "+33611112222", "STOP"))

    [suppression] = db_session.scalars(select(Suppression)).all()
    assert (suppression.campaign_id, suppression.address) == (None, "+33611112222")
    assert provider_server.send_requests == []


def test_stop_leaves_other_campaigns_alone(client: FlaskClient, db_session: Session) -> None:
    _, user, _ = volunteer_with_queued_sms(db_session)
    other = make_campaign(db_session, name="Législatives")
    elsewhere = make_message(db_session, other, user)
    elsewhere.created_at = elsewhere.created_at.replace(year=2020)
    db_session.commit()

    post_twilio(client, TWILIO_INBOUND_PATH, inbound_form("SMin8", user.phone_e164 or "", "STOP"))

    db_session.refresh(elsewhere)
    assert elsewhere.status == MessageStatus.QUEUED


def test_no_send_after_the_stop(
    app: Flask, client: FlaskClient, db_session: Session, provider_server: FakeProviderServer
) -> None:
    campaign, user, _ = volunteer_with_queued_sms(db_session)
    post_twilio(client, TWILIO_INBOUND_PATH, inbound_form("SMin9", user.phone_e164 or "", "STOP"))
    later = make_message(db_session, campaign, user, purpose=MessagePurpose.SESSION_CHANGED)
    db_session.commit()

    with app.app_context():
        result = deliver_message(db_session, later.id)

    assert result.status == MessageStatus.SUPPRESSED
    assert len(provider_server.send_requests) == 1


def test_bad_signature_stores_nothing(client: FlaskClient, db_session: Session) -> None:
    _, user, queued = volunteer_with_queued_sms(db_session)

    response = post_twilio(
        client,
        TWILIO_INBOUND_PATH,
        inbound_form("SMin10", user.phone_e164 or "", "STOP"),
        signature="forged",
    )

    assert response.status_code == 403
    assert replies(db_session) == []
    assert db_session.scalars(select(Suppression)).all() == []
    db_session.refresh(queued)
    assert queued.status == MessageStatus.QUEUED


@pytest.mark.parametrize("missing", ["MessageSid", "From"])
def test_reply_without_its_ids_is_refused(
    client: FlaskClient, db_session: Session, missing: str
) -> None:
    form = inbound_form("SMin11", "+33611112222", "STOP")
    del form[missing]
    del form["SmsSid"]

    assert post_twilio(client, TWILIO_INBOUND_PATH, form).status_code == 400
    assert replies(db_session) == []


def test_handled_reply_leaves_the_inbox(client: FlaskClient, db_session: Session) -> None:
    campaign, user, _ = volunteer_with_queued_sms(db_session)
    other = make_campaign(db_session, name="Autre")
    db_session.commit()
    post_twilio(
        client,
        TWILIO_INBOUND_PATH,
        inbound_form("SMin12", user.phone_e164 or "", "Je serai en retard"),
    )
    [reply] = list_unhandled_replies(db_session, campaign.id)

    assert not mark_reply_handled(db_session, other.id, reply.id)
    assert not mark_reply_handled(db_session, campaign.id, 987654)
    assert mark_reply_handled(db_session, campaign.id, reply.id)
    assert list_unhandled_replies(db_session, campaign.id) == []


def test_reply_from_something_else_than_a_phone_number_is_refused(
    client: FlaskClient, db_session: Session
) -> None:
    form = inbound_form("SMin13", "whatsapp:+33611112222", "STOP")

    assert post_twilio(client, TWILIO_INBOUND_PATH, form).status_code == 400
    assert replies(db_session) == []
