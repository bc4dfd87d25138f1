import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.webapp.privacy.conftest import csrf_token, log_in
from tests.webapp.privacy.seed import EMAIL, SeededPerson
from webapp.db import utcnow
from webapp.models import Consent
from webapp.models.users import Channel, ConsentPurpose
from webapp.services.privacy_export import (
    PRIVACY_PAGE_SOURCE,
    PRIVACY_PAGE_WORDING_VERSION,
    change_consent,
    list_consent_states,
)


def _post_consent(client: FlaskClient, **fields: str) -> int:
    token = csrf_token(client.get("/mes-donnees").get_data(as_text=True))
    return client.post(
        "/mes-donnees/consentements", data={**fields, "csrf_token": token}
    ).status_code


def test_page_shows_every_purpose_and_channel(client: FlaskClient, person: SeededPerson) -> None:
    log_in(client, EMAIL)

    page = client.get("/mes-donnees").get_data(as_text=True)

    for purpose in ConsentPurpose:
        for channel in Channel:
            assert f'id="consent-{purpose.value}-{channel.value}"' in page
    assert "Retirer" in page or "Withdraw" in page


def test_withdrawal_is_one_click_and_adds_a_row(
    client: FlaskClient, person: SeededPerson, db_session: Session
) -> None:
    log_in(client, EMAIL)

    status = _post_consent(client, purpose="canvass_messages", channel="sms", decision="withdraw")

    assert status == 302
    rows = db_session.scalars(
        select(Consent)
        .where(Consent.user_id == person.user.id, Consent.channel == Channel.SMS)
        .order_by(Consent.id)
    ).all()
    assert [(c.is_granted, c.source) for c in rows] == [
        (True, "signup_form"),
        (False, PRIVACY_PAGE_SOURCE),
    ]
    assert rows[-1].wording_version == PRIVACY_PAGE_WORDING_VERSION
    db_session.expire_all()
    states = {
        (s.purpose, s.channel): s.is_granted
        for s in list_consent_states(db_session, person.user.id)
    }
    assert states[(ConsentPurpose.CANVASS_MESSAGES, Channel.SMS)] is False
    assert states[(ConsentPurpose.CANVASS_MESSAGES, Channel.EMAIL)] is True


def test_staying_in_touch_can_be_given_then_withdrawn(
    client: FlaskClient, person: SeededPerson, db_session: Session
) -> None:
    log_in(client, EMAIL)

    _post_consent(client, purpose="stay_in_touch", channel="email", decision="grant")
    _post_consent(client, purpose="stay_in_touch", channel="email", decision="withdraw")

    rows = db_session.scalars(
        select(Consent.is_granted)
        .where(Consent.user_id == person.user.id, Consent.purpose == ConsentPurpose.STAY_IN_TOUCH)
        .order_by(Consent.id)
    ).all()
    assert rows == [False, True, False]


def test_repeating_the_current_choice_adds_nothing(
    person: SeededPerson, db_session: Session
) -> None:
    now = utcnow()
    assert not change_consent(
        db_session,
        person.user.id,
        ConsentPurpose.CANVASS_MESSAGES,
        Channel.EMAIL,
        is_granted=True,
        now=now,
    )
    # Never asked on SMS: withdrawing has nothing to withdraw.
    assert not change_consent(
        db_session,
        person.user.id,
        ConsentPurpose.STAY_IN_TOUCH,
        Channel.SMS,
        is_granted=False,
        now=now,
    )


@pytest.mark.parametrize(
    "fields",
    [
        {"purpose": "marketing", "channel": "sms", "decision": "grant"},
        {"purpose": "stay_in_touch", "channel": "fax", "decision": "grant"},
        {"purpose": "stay_in_touch", "channel": "sms", "decision": "maybe"},
        {"purpose": "stay_in_touch", "channel": "sms"},
        {},
    ],
)
def test_unknown_choices_are_refused(
    client: FlaskClient, person: SeededPerson, fields: dict[str, str]
) -> None:
    log_in(client, EMAIL)

    assert _post_consent(client, **fields) == 400


def test_consent_post_without_csrf_is_refused(client: FlaskClient, person: SeededPerson) -> None:
    log_in(client, EMAIL)

    response = client.post(
        "/mes-donnees/consentements",
        data={"purpose": "canvass_messages", "channel": "sms", "decision": "withdraw"},
    )

    assert response.status_code == 400
