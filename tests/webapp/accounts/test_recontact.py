"""A person who was erased and comes back on purpose becomes reachable again, no one else.

The erasure leaves keyed hashes of the person's e-mail address and mobile number, and
delivery suppresses every message to them. These tests go through the real pages: the
mark goes only once the account's address is verified and a consent on that channel was
given after the erasure.
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from tests.conftest import TEST_SECRET_KEY
from tests.factories import make_user
from tests.webapp.accounts.conftest import PASSWORD, Bondy, add_member, post_form
from tests.webapp.accounts.html_page import csrf_token
from tests.webapp.accounts.outbox import emails_to, link_path
from webapp.models import Consent, ErasedContact, User
from webapp.models.users import Channel, ConsentPurpose, Role
from webapp.services.erasure import contact_hash, erase_person, is_erased
from webapp.services.invitations import accept_as, invite
from webapp.services.recontact import lift_erasure_marks
from webapp.settings import Settings

LogIn = Callable[..., TestResponse]
PostSignup = Callable[..., TestResponse]
OpenLink = Callable[[str, str], TestResponse]
VERIFY = "/verification-adresse/"
CHANGE = "/changement-adresse/"
# The contacts of the sign-up form of these tests, as stored.
EMAIL = "camille.martin@example.org"
PHONE = "+33612345678"
BEFORE_ERASURE = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
def erased(app: Flask, db_session: Session, bondy: Bondy) -> Bondy:
    """Bondy after the erasure of an account that held the form's e-mail address and phone."""
    earlier = make_user(db_session, email=EMAIL, phone_e164=PHONE, campaign=bondy.campaign)
    db_session.commit()
    with app.app_context():
        erase_person(db_session, earlier.id, reason="own request")
        db_session.commit()
    return bondy


@pytest.fixture
def open_link(client: FlaskClient, settings: Settings) -> OpenLink:
    """Open the link starting with `prefix` e-mailed to `email`, and press its button."""

    def open_and_confirm(email: str, prefix: str) -> TestResponse:
        [message] = emails_to(settings.outbox_path, email)
        path = link_path(message, prefix)
        token = csrf_token(client.get(path).get_data(as_text=True))
        return client.post(path, data={"csrf_token": token})

    return open_and_confirm


def _erased(db_session: Session, channel: Channel, address: str) -> bool:
    return is_erased(db_session, channel, address, secret_key=TEST_SECRET_KEY)


def _mark_count(db_session: Session) -> int:
    return int(db_session.scalar(select(func.count()).select_from(ErasedContact)) or 0)


def _ask_email_change(client: FlaskClient, new_email: str) -> None:
    response = post_form(
        client,
        "/mon-profil",
        "/mon-profil/adresse-e-mail",
        {"new_email": new_email, "current_password": PASSWORD},
    )
    assert response.headers["Location"] == "/mon-profil#email"


def _add_consent(
    db_session: Session,
    user: User,
    purpose: ConsentPurpose,
    channel: Channel,
    *,
    is_granted: bool,
    at: datetime,
) -> None:
    db_session.add(
        Consent(
            user_id=user.id,
            purpose=purpose,
            channel=channel,
            is_granted=is_granted,
            wording_version="2026-12-profile-v1",
            source="profile",
            created_at=at,
        )
    )


def _mark_erased_email(db_session: Session, at: datetime) -> None:
    db_session.add(
        ErasedContact(
            channel=Channel.EMAIL,
            address_hash=contact_hash(TEST_SECRET_KEY, Channel.EMAIL, EMAIL),
            created_at=at,
        )
    )


def _verified_member(db_session: Session, bondy: Bondy, email: str) -> User:
    """A volunteer whose address is verified and whose consents predate every erasure."""
    user = add_member(db_session, bondy.campaign, Role.VOLUNTEER, email)
    user.email_verified_at = BEFORE_ERASURE
    for channel in (Channel.EMAIL, Channel.SMS):
        _add_consent(
            db_session,
            user,
            ConsentPurpose.CANVASS_MESSAGES,
            channel,
            is_granted=True,
            at=BEFORE_ERASURE,
        )
    db_session.commit()
    return user


def test_returning_person_reachable_after_verifying(
    db_session: Session, erased: Bondy, post_signup: PostSignup, open_link: OpenLink
) -> None:
    assert _mark_count(db_session) == 2

    assert post_signup().status_code == 302

    # Anyone can type an address: the sign-up alone lifts nothing.
    assert _erased(db_session, Channel.EMAIL, EMAIL)
    assert _erased(db_session, Channel.SMS, PHONE)
    assert open_link(EMAIL, VERIFY).status_code == 302
    assert not _erased(db_session, Channel.EMAIL, EMAIL)
    assert not _erased(db_session, Channel.SMS, PHONE)
    assert _mark_count(db_session) == 0


def test_returning_without_consent_stays_erased(
    db_session: Session, erased: Bondy, post_signup: PostSignup, open_link: OpenLink
) -> None:
    post_signup(consent_email=None, consent_sms=None)
    open_link(EMAIL, VERIFY)

    assert _erased(db_session, Channel.EMAIL, EMAIL)
    assert _erased(db_session, Channel.SMS, PHONE)


def test_only_the_consented_channel_is_lifted(
    db_session: Session, erased: Bondy, post_signup: PostSignup, open_link: OpenLink
) -> None:
    post_signup(consent_sms=None)
    open_link(EMAIL, VERIFY)

    assert not _erased(db_session, Channel.EMAIL, EMAIL)
    assert _erased(db_session, Channel.SMS, PHONE)


def test_old_consent_keeps_a_new_phone_erased(
    client: FlaskClient, db_session: Session, erased: Bondy, log_in: LogIn
) -> None:
    _verified_member(db_session, erased, "alix@example.org")
    log_in("alix@example.org")

    response = post_form(
        client,
        "/mon-profil",
        "/mon-profil/coordonnees",
        {"first_name": "Alix", "last_name": "Martin", "phone": "06 12 34 56 78", "locale": "fr"},
    )

    assert response.headers["Location"] == "/mon-profil#contact"
    phone = db_session.scalars(select(User.phone_e164).where(User.email == "alix@example.org"))
    assert phone.one() == PHONE
    assert _erased(db_session, Channel.SMS, PHONE)

    # Asked again on the profile page, the person consents anew: the mark goes.
    for decision in ("withdraw", "grant"):
        post_form(
            client,
            "/mon-profil",
            "/mon-profil/consentements",
            {"purpose": "canvass_messages", "channel": "sms", "decision": decision},
        )
    assert not _erased(db_session, Channel.SMS, PHONE)
    assert _erased(db_session, Channel.EMAIL, EMAIL)


def test_privacy_page_consent_lifts_the_mark(
    client: FlaskClient, db_session: Session, erased: Bondy, log_in: LogIn
) -> None:
    user = _verified_member(db_session, erased, "alix@example.org")
    user.phone_e164 = PHONE
    db_session.commit()
    log_in("alix@example.org")
    assert _erased(db_session, Channel.SMS, PHONE)

    post_form(
        client,
        "/mes-donnees",
        "/mes-donnees/consentements",
        {"purpose": "stay_in_touch", "channel": "sms", "decision": "grant"},
    )

    assert not _erased(db_session, Channel.SMS, PHONE)


def test_email_change_needs_a_fresh_consent(
    client: FlaskClient, db_session: Session, erased: Bondy, log_in: LogIn, open_link: OpenLink
) -> None:
    _verified_member(db_session, erased, "alix@example.org")
    log_in("alix@example.org")

    _ask_email_change(client, EMAIL)
    assert open_link(EMAIL, CHANGE).headers["Location"] == "/mon-profil"

    # The account now uses the erased address, but its e-mail consent predates the erasure.
    assert db_session.scalars(select(User.id).where(User.email == EMAIL)).one()
    assert _erased(db_session, Channel.EMAIL, EMAIL)


def test_email_change_of_a_returning_person(
    client: FlaskClient,
    db_session: Session,
    erased: Bondy,
    post_signup: PostSignup,
    open_link: OpenLink,
) -> None:
    post_signup(email="camille.autre@example.org", phone="06 11 22 33 44")
    open_link("camille.autre@example.org", VERIFY)
    assert _erased(db_session, Channel.EMAIL, EMAIL)
    post_form(
        client,
        "/connexion",
        "/connexion",
        {"email": "camille.autre@example.org", "password": PASSWORD},
    )

    _ask_email_change(client, EMAIL)
    assert open_link(EMAIL, CHANGE).headers["Location"] == "/mon-profil"

    assert not _erased(db_session, Channel.EMAIL, EMAIL)
    assert _erased(db_session, Channel.SMS, PHONE)


def test_invitation_link_verifies_and_lifts(
    app: Flask, db_session: Session, erased: Bondy, post_signup: PostSignup
) -> None:
    post_signup()
    user = db_session.scalars(select(User).where(User.email == EMAIL)).one()
    inviter = add_member(db_session, erased.campaign, Role.ADMINISTRATOR, "admin@example.org")
    issued = invite(
        db_session,
        campaign_id=erased.campaign.id,
        inviter=inviter,
        inviter_role=Role.ADMINISTRATOR,
        grantable=(Role.TEAM_LEAD,),
        email=EMAIL,
        role=Role.TEAM_LEAD,
    )

    with app.app_context():
        accept_as(db_session, issued.token, user)

    assert user.email_verified_at is not None
    assert not _erased(db_session, Channel.EMAIL, EMAIL)
    assert not _erased(db_session, Channel.SMS, PHONE)


def test_lifting_needs_a_verified_address(db_session: Session, bondy: Bondy) -> None:
    user = _verified_member(db_session, bondy, EMAIL)
    user.email_verified_at = None
    _mark_erased_email(db_session, BEFORE_ERASURE + timedelta(days=1))
    _add_consent(
        db_session,
        user,
        ConsentPurpose.STAY_IN_TOUCH,
        Channel.EMAIL,
        is_granted=True,
        at=BEFORE_ERASURE + timedelta(days=2),
    )
    db_session.flush()

    assert lift_erasure_marks(db_session, user, secret_key=TEST_SECRET_KEY) == []
    assert _mark_count(db_session) == 1
    user.email_verified_at = BEFORE_ERASURE + timedelta(days=3)
    assert lift_erasure_marks(db_session, user, secret_key=TEST_SECRET_KEY) == [Channel.EMAIL]
    assert _mark_count(db_session) == 0


def test_withdrawn_consent_lifts_nothing(db_session: Session, bondy: Bondy) -> None:
    user = _verified_member(db_session, bondy, EMAIL)
    _mark_erased_email(db_session, BEFORE_ERASURE + timedelta(days=1))
    # Granted after the erasure, then withdrawn: the latest decision counts.
    for days, is_granted in ((2, True), (3, False)):
        _add_consent(
            db_session,
            user,
            ConsentPurpose.CANVASS_MESSAGES,
            Channel.EMAIL,
            is_granted=is_granted,
            at=BEFORE_ERASURE + timedelta(days=days),
        )
    db_session.flush()

    assert lift_erasure_marks(db_session, user, secret_key=TEST_SECRET_KEY) == []
    assert _mark_count(db_session) == 1
