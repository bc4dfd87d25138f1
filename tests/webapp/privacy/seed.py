"""One person written into every table that holds personal data, with values to look for."""

from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlalchemy.orm import Session

from tests.conftest import TEST_SECRET_KEY
from tests.factories import (
    at_utc,
    make_assignment,
    make_campaign,
    make_canvass_session,
    make_commune,
    make_iris,
)
from webapp.models import (
    Address,
    AvailabilityException,
    AvailabilitySlot,
    Campaign,
    CanvassSession,
    Consent,
    InboundSms,
    Invitation,
    LeftOutVolunteer,
    Membership,
    Message,
    ProviderEvent,
    RecoveryCode,
    Suppression,
    User,
    VolunteerProfile,
)
from webapp.models.messaging import MessagePurpose, MessageStatus
from webapp.models.users import Channel, ConsentPurpose, Role
from webapp.services.passwords import hash_password
from webapp.services.totp_secrets import seal_secret

PASSWORD = "une phrase de passe assez longue"
EMAIL = "zoe.quelinval@example.org"
TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # noqa: S105 - a test value
PHONE = "+33698765431"
NATIONAL_PHONE = "0698765431"
FIRST_NAME = "Zoé"
LAST_NAME = "Quelinval"
IRIS_CODE = "930100101"


@cache
def password_hash() -> str:
    """Hash PASSWORD once: argon2 takes a noticeable time per hash on purpose."""
    return hash_password(PASSWORD)


def add_user(
    session: Session,
    *,
    email: str,
    campaign: Campaign | None = None,
    role: Role = Role.VOLUNTEER,
    first_name: str = "Camille",
    last_name: str = "Martin",
    phone_e164: str | None = None,
) -> User:
    """Add a user whose password is PASSWORD, with a membership of `campaign` in `role`."""
    user = User(
        email=email,
        password_hash=password_hash(),
        first_name=first_name,
        last_name=last_name,
        phone_e164=phone_e164,
    )
    if campaign is not None:
        user.memberships.append(Membership(campaign_id=campaign.id, role=role))
    session.add(user)
    session.flush()
    return user


@dataclass(frozen=True)
class SeededPerson:
    """The person, their campaign and session, and every value seeded about them."""

    user: User
    campaign: Campaign
    canvass_session: CanvassSession
    email_message: Message
    sms_message: Message
    # Values that must appear in their export and nowhere after their erasure.
    identifying_values: tuple[str, ...]
    # Other seeded values the export must contain, as they appear in JSON.
    other_values: tuple[object, ...]


def make_territory(session: Session, *, campaign_name: str = "Municipales Bondy 2026") -> Campaign:
    """Add Bondy, one IRIS and a campaign on it."""
    make_commune(session)
    make_iris(session, code=IRIS_CODE, name="Mairie")
    return make_campaign(session, name=campaign_name)


def seed_person(session: Session, campaign: Campaign) -> SeededPerson:
    """Write the person into every table with personal columns; the caller commits."""
    user = add_user(
        session,
        email=EMAIL,
        first_name=FIRST_NAME,
        last_name=LAST_NAME,
        phone_e164=PHONE,
        campaign=campaign,
        role=Role.VOLUNTEER,
    )
    user.pending_email = "zoe.nouvelle@example.org"
    user.totp_secret = seal_secret(TEST_SECRET_KEY, TOTP_SECRET)
    user.totp_last_step = 59_000_000
    home = Address(
        ban_id="93010_7777_00042",
        number=42,
        street="Rue de l’Essai-Privé",
        postcode="93140",
        commune_code="93010",
        lon=2.4811,
        lat=48.9033,
    )
    session.add(home)
    session.flush()
    session.add(
        VolunteerProfile(
            user_id=user.id,
            home_address_id=home.id,
            home_postcode="93140",
            home_lon=2.4811,
            home_lat=48.9033,
            is_experienced=True,
            max_distance_m=2750,
            max_travel_minutes=37,
            travel_mode="bike",
            max_sessions_per_week=4,
            languages=["ar", "pt"],
        )
    )
    session.add(AvailabilitySlot(user_id=user.id, weekday=2, start_minute=555, end_minute=777))
    session.add(
        AvailabilityException(
            user_id=user.id, on_date=date(2027, 3, 13), start_minute=610, end_minute=690
        )
    )
    for purpose, channel, granted, version in (
        (ConsentPurpose.CANVASS_MESSAGES, Channel.EMAIL, True, "wording-email-q1"),
        (ConsentPurpose.CANVASS_MESSAGES, Channel.SMS, True, "wording-sms-q2"),
        (ConsentPurpose.STAY_IN_TOUCH, Channel.EMAIL, False, "wording-stay-q3"),
    ):
        session.add(
            Consent(
                user_id=user.id,
                purpose=purpose,
                channel=channel,
                is_granted=granted,
                wording_version=version,
                source="signup_form",
            )
        )
    canvass = make_canvass_session(
        session,
        campaign=campaign,
        iris_code=IRIS_CODE,
        starts_at=at_utc(2027, 3, 13, 9, 30),
        meeting_point_label="Kiosque du parc d’essai",
    )
    make_assignment(session, canvass_session=canvass, user=user, team=3)
    session.add(LeftOutVolunteer(campaign_id=campaign.id, user_id=user.id, reason="too_far_q"))
    email_message = _message(
        session,
        campaign=campaign,
        user=user,
        channel=Channel.EMAIL,
        recipient=EMAIL,
        body="Bonjour Zoé, rendez-vous samedi (q-mail)",
    )
    sms_message = _message(
        session,
        campaign=campaign,
        user=user,
        channel=Channel.SMS,
        recipient=PHONE,
        body="Zoé, RDV samedi 10h (q-sms)",
        provider_id="SM" + "a1" * 16,
    )
    session.add_all(
        [
            Suppression(
                campaign_id=campaign.id, channel=Channel.SMS, address=PHONE, reason="stop_q"
            ),
            Suppression(campaign_id=None, channel=Channel.EMAIL, address=EMAIL, reason="bounce_q"),
            InboundSms(
                campaign_id=campaign.id,
                provider_id="SM" + "b2" * 16,
                sender=PHONE,
                body="Merci, je serai là (q-reply)",
            ),
            ProviderEvent(
                provider="twilio",
                event_key="SM" + "a1" * 16 + ":delivered",
                payload={"MessageSid": "SM" + "a1" * 16, "To": PHONE, "MessageStatus": "delivered"},
            ),
            Invitation(
                campaign_id=campaign.id,
                email=EMAIL,
                role=Role.TEAM_LEAD,
                token_hash="c3" * 32,
                expires_at=at_utc(2027, 1, 31),
            ),
            RecoveryCode(user_id=user.id, code_hash="$argon2id$recovery-q"),
        ]
    )
    session.flush()
    return SeededPerson(
        user=user,
        campaign=campaign,
        canvass_session=canvass,
        email_message=email_message,
        sms_message=sms_message,
        identifying_values=(EMAIL, PHONE, LAST_NAME),
        other_values=(
            FIRST_NAME,
            "zoe.nouvelle@example.org",
            "42 Rue de l’Essai-Privé, 93140 Bondy",
            2750,
            37,
            "bike",
            "pt",
            555,
            777,
            "2027-03-13",
            610,
            690,
            "wording-email-q1",
            "wording-stay-q3",
            "Kiosque du parc d’essai",
            "2027-03-13T09:30:00+00:00",
            "too_far_q",
            "Bonjour Zoé, rendez-vous samedi (q-mail)",
            "Zoé, RDV samedi 10h (q-sms)",
            "SM" + "a1" * 16,
            "stop_q",
            "bounce_q",
            "Merci, je serai là (q-reply)",
            "team_lead",
            "2027-01-31T00:00:00+00:00",
        ),
    )


def _message(
    session: Session,
    *,
    campaign: Campaign,
    user: User,
    channel: Channel,
    recipient: str,
    body: str,
    provider_id: str | None = None,
) -> Message:
    message = Message(
        campaign_id=campaign.id,
        user_id=user.id,
        idempotency_key=f"q-{channel.value}-{user.id}",
        channel=channel,
        purpose=MessagePurpose.SESSION_REMINDER,
        recipient=recipient,
        subject="Rappel (q)" if channel == Channel.EMAIL else "",
        body=body,
        status=MessageStatus.SENT if provider_id else MessageStatus.QUEUED,
        provider_id=provider_id,
    )
    session.add(message)
    session.flush()
    return message


def seed_bystander(session: Session, campaign: Campaign) -> User:
    """Add another volunteer whose data must survive the person's erasure."""
    user = add_user(
        session,
        email="alix.temoin@example.org",
        first_name="Alix",
        last_name="Témoin",
        phone_e164="+33611223344",
        campaign=campaign,
    )
    _message(
        session,
        campaign=campaign,
        user=user,
        channel=Channel.SMS,
        recipient="+33611223344",
        body="Alix, RDV (bystander)",
    )
    session.add(
        Suppression(
            campaign_id=campaign.id, channel=Channel.SMS, address="+33611223344", reason="stop"
        )
    )
    session.flush()
    return user
