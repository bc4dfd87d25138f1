"""Every e-mail row gets List-Unsubscribe headers and a visible link; SMS rows get none."""

from urllib.parse import unquote

from flask import Flask
from sqlalchemy.orm import Session

from tests.factories import make_campaign, make_user
from webapp.models import Message
from webapp.models.messaging import MessagePurpose
from webapp.models.users import Channel
from webapp.services.unsubscribe import (
    make_unsubscribe_token,
    read_unsubscribe_token,
    unsubscribe_headers,
)


def row(campaign_id: int, user_id: int | None, channel: Channel) -> Message:
    return Message(
        campaign_id=campaign_id,
        user_id=user_id,
        idempotency_key="test",
        channel=channel,
        purpose=MessagePurpose.BROADCAST,
        recipient="x",
        body="Bonjour",
    )


def test_email_headers(app: Flask, db_session: Session) -> None:
    campaign = make_campaign(db_session)
    user = make_user(db_session, campaign=campaign)

    with app.app_context():
        headers = unsubscribe_headers(row(campaign.id, user.id, Channel.EMAIL))
        token = make_unsubscribe_token(user.id, campaign.id)

    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link, mailto = headers["List-Unsubscribe"].split(", ")
    assert link == f"<http://127.0.0.1:5000/desinscription/{token}>"
    assert (
        unquote(mailto) == f"<mailto:ne-pas-repondre@tournee.invalid?subject=unsubscribe {token}>"
    )


def test_no_headers_for_sms_or_unknown_person(app: Flask) -> None:
    with app.app_context():
        assert unsubscribe_headers(row(1, 2, Channel.SMS)) == {}
        assert unsubscribe_headers(row(1, None, Channel.EMAIL)) == {}


def test_token_names_the_person_and_campaign(app: Flask) -> None:
    with app.app_context():
        claim = read_unsubscribe_token(make_unsubscribe_token(12, 3))

    assert (claim.user_id, claim.campaign_id) == (12, 3)
