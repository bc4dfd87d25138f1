"""Registering a volunteer from the public sign-up form in one unit of work."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp.db import utcnow
from webapp.models import AvailabilitySlot, Consent, Membership, User, VolunteerProfile
from webapp.models.users import Channel, ConsentPurpose, Role
from webapp.services.addresses import HomeLocation
from webapp.services.passwords import hash_password

logger = logging.getLogger(__name__)

# Version of the consent sentences on the form. Change it whenever they change, so that
# every stored consent points at the words the person agreed to.
CONSENT_WORDING_VERSION = "2026-12-signup-v1"
CONSENT_SOURCE = "signup_form"
MIN_PASSWORD_LENGTH = 12


class Period(StrEnum):
    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"


# Local-time windows (Europe/Paris) of each period, in minutes after midnight, end exclusive.
PERIOD_MINUTES: dict[Period, tuple[int, int]] = {
    Period.MORNING: (9 * 60, 12 * 60 + 30),
    Period.AFTERNOON: (13 * 60 + 30, 18 * 60),
    Period.EVENING: (18 * 60, 21 * 60),
}


@dataclass(frozen=True)
class WeeklyWindow:
    """A recurring availability window; weekday 0 is Monday."""

    weekday: int
    start_minute: int
    end_minute: int


@dataclass(frozen=True)
class SignupRequest:
    """A validated sign-up: normalised contact details, home point and choices."""

    first_name: str
    last_name: str
    email: str
    phone_e164: str
    password: str
    home: HomeLocation
    availability: frozenset[tuple[int, Period]]
    is_experienced: bool
    is_email_consented: bool
    is_sms_consented: bool
    locale: str = "fr"


def weekly_windows(choices: Iterable[tuple[int, Period]]) -> list[WeeklyWindow]:
    """Turn ticked (weekday, period) cells into windows, joining periods that touch.

    Afternoon and evening meet at 18:00, so ticking both gives one 13:30-21:00 window
    and a session from 17:00 to 19:00 fits inside it.
    """
    windows: list[WeeklyWindow] = []
    for weekday, period in sorted(choices, key=lambda cell: (cell[0], PERIOD_MINUTES[cell[1]])):
        start, end = PERIOD_MINUTES[period]
        last = windows[-1] if windows else None
        if last is not None and last.weekday == weekday and last.end_minute == start:
            windows[-1] = WeeklyWindow(weekday, last.start_minute, end)
        else:
            windows.append(WeeklyWindow(weekday, start, end))
    return windows


def register_volunteer(
    session: Session, campaign_id: int, request: SignupRequest, *, now: datetime | None = None
) -> User | None:
    """Create the account, volunteer membership, profile, availability and consents.

    Return None, creating nothing, when the e-mail address already has an account: the
    caller shows the same page either way so that the form does not reveal who is
    registered. Flushes only; the caller commits.
    """
    # Hash before the duplicate check so both outcomes take the same time.
    password_hash = hash_password(request.password)
    if session.scalars(select(User.id).where(User.email == request.email)).first() is not None:
        _log_duplicate(campaign_id)
        return None
    now = now or utcnow()
    user = _build_user(campaign_id, request, password_hash, now)
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError:
        # Another request registered the same address between the check and the insert.
        _log_duplicate(campaign_id)
        return None
    logger.info(
        "volunteer %s signed up for campaign %s",
        user.id,
        campaign_id,
        extra={"campaign_id": campaign_id, "user_id": user.id},
    )
    return user


def _build_user(
    campaign_id: int, request: SignupRequest, password_hash: str, now: datetime
) -> User:
    user = User(
        email=request.email,
        password_hash=password_hash,
        first_name=request.first_name,
        last_name=request.last_name,
        phone_e164=request.phone_e164,
        locale=request.locale,
        created_at=now,
    )
    user.memberships.append(
        Membership(campaign_id=campaign_id, role=Role.VOLUNTEER, created_at=now)
    )
    user.profile = VolunteerProfile(
        home_address_id=request.home.address_id,
        home_postcode=request.home.postcode,
        home_lon=request.home.lon,
        home_lat=request.home.lat,
        is_experienced=request.is_experienced,
    )
    user.availability.extend(
        AvailabilitySlot(weekday=w.weekday, start_minute=w.start_minute, end_minute=w.end_minute)
        for w in weekly_windows(request.availability)
    )
    # A refusal is stored too: the proof shows what the person was asked and answered.
    for channel, is_granted in (
        (Channel.EMAIL, request.is_email_consented),
        (Channel.SMS, request.is_sms_consented),
    ):
        user.consents.append(
            Consent(
                purpose=ConsentPurpose.CANVASS_MESSAGES,
                channel=channel,
                is_granted=is_granted,
                wording_version=CONSENT_WORDING_VERSION,
                source=CONSENT_SOURCE,
                created_at=now,
            )
        )
    return user


def _log_duplicate(campaign_id: int) -> None:
    # NOTE: the owner of the address is not told that someone tried to sign up again;
    # an e-mail for that belongs here once messaging offers one.
    logger.info(
        "sign-up with an already registered e-mail address; nothing created",
        extra={"campaign_id": campaign_id},
    )
