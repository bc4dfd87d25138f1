"""One-click unsubscribe: the link shows a page; the POST, with or without a form, acts."""

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.webapp.accounts.html_page import Page
from tests.webapp.broadcasts.crew import Crew
from webapp.models import Consent, Suppression
from webapp.models.users import Channel


def consents(db_session: Session, crew: Crew) -> list[tuple[str, bool, str]]:
    db_session.expire_all()
    return [
        (str(c.channel), c.is_granted, c.source)
        for c in db_session.scalars(
            select(Consent)
            .where(Consent.user_id == crew.volunteers["alice"].id)
            .order_by(Consent.id)
        )
    ]


def suppressions(db_session: Session) -> list[tuple[int | None, str, str, str]]:
    return [
        (s.campaign_id, str(s.channel), s.address, s.reason)
        for s in db_session.scalars(select(Suppression).where(Suppression.channel == Channel.EMAIL))
    ]


SIGNUP = [("email", True, "signup_form"), ("sms", True, "signup_form")]


def test_get_shows_a_button_and_changes_nothing(
    client: FlaskClient, db_session: Session, crew: Crew, unsubscribe_token: str
) -> None:
    response = client.get(f"/desinscription/{unsubscribe_token}")

    assert response.status_code == 200
    page = Page(response.get_data(as_text=True))
    assert page.select("button")[-1].text == "Arrêter les e-mails"
    assert page.select("form", **{"class": "reply-form"})[0].attrs["action"] == (
        f"/desinscription/{unsubscribe_token}"
    )
    assert consents(db_session, crew) == SIGNUP
    assert suppressions(db_session) == []


def test_one_click_post_withdraws_consent(
    client: FlaskClient, db_session: Session, crew: Crew, unsubscribe_token: str
) -> None:
    # What a mail client sends for RFC 8058: no cookie, no CSRF token.
    response = client.post(
        f"/desinscription/{unsubscribe_token}", data={"List-Unsubscribe": "One-Click"}
    )

    assert response.status_code == 200
    assert "Vous ne recevrez plus d’e-mails de cette campagne." in response.get_data(as_text=True)
    assert consents(db_session, crew) == [*SIGNUP, ("email", False, "unsubscribe_link")]
    assert suppressions(db_session) == [
        (crew.campaign.id, "email", "alice@example.org", "unsubscribe_link")
    ]


def test_second_post_adds_nothing(
    client: FlaskClient, db_session: Session, crew: Crew, unsubscribe_token: str
) -> None:
    client.post(f"/desinscription/{unsubscribe_token}")
    client.post(f"/desinscription/{unsubscribe_token}")

    assert len(consents(db_session, crew)) == 3
    assert len(suppressions(db_session)) == 1


@pytest.mark.parametrize("token", ["abc", "e" * 300, "eyJ1IjoxLCJjIjoxfQ.forged"])
def test_unknown_link_changes_nothing(
    client: FlaskClient, db_session: Session, crew: Crew, token: str
) -> None:
    assert client.get(f"/desinscription/{token}").status_code == 404
    assert client.post(f"/desinscription/{token}").status_code == 404
    assert consents(db_session, crew) == SIGNUP
