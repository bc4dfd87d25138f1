"""A volunteer's own profile: contact details, availability, preferences and consents."""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp.db import utcnow
from webapp.models import (
    AvailabilityException,
    AvailabilitySlot,
    Consent,
    Membership,
    User,
    VolunteerProfile,
)
from webapp.models.users import Channel, ConsentPurpose
from webapp.services.errors import ServiceError
from webapp.services.recontact import lift_erasure_marks
from webapp.services.signup import PERIOD_MINUTES, Period, weekly_windows

logger = logging.getLogger(__name__)

# Version of the consent sentences on the profile page; change it with them.
PROFILE_CONSENT_WORDING_VERSION = "2026-12-profile-v1"
PROFILE_CONSENT_SOURCE = "profile"
TRAVEL_MODES = ("walk", "transit")
MAX_EXCEPTIONS = 60
# The choices the profile page offers, in this order.
CONSENT_CHOICES: tuple[tuple[ConsentPurpose, Channel], ...] = (
    (ConsentPurpose.CANVASS_MESSAGES, Channel.EMAIL),
    (ConsentPurpose.CANVASS_MESSAGES, Channel.SMS),
    (ConsentPurpose.STAY_IN_TOUCH, Channel.EMAIL),
    (ConsentPurpose.STAY_IN_TOUCH, Channel.SMS),
)


class ProfileProblem(StrEnum):
    PARTNER_NOT_FOUND = "partner_not_found"
    PARTNER_IS_SELF = "partner_is_self"
    TOO_MANY_EXCEPTIONS = "too_many_exceptions"
    NO_PHONE = "no_phone"


class ProfileError(ServiceError):
    def __init__(self, problem: ProfileProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


class EmailTakenError(ServiceError):
    """Another account uses the address by the time the change is confirmed."""


@dataclass(frozen=True)
class ContactChange:
    first_name: str
    last_name: str
    phone_e164: str | None
    locale: str


@dataclass(frozen=True)
class Preferences:
    is_experienced: bool
    partner_email: str | None
    languages: tuple[str, ...]
    max_travel_minutes: int | None
    travel_mode: str


@dataclass(frozen=True)
class ExceptionRequest:
    """A dated change to the weekly grid; no minutes means the whole day."""

    on_date: date
    start_minute: int | None
    end_minute: int | None
    is_available: bool


@dataclass(frozen=True)
class ConsentState:
    purpose: ConsentPurpose
    channel: Channel
    is_granted: bool
    decided_at: datetime | None


def update_contact_details(
    session: Session, user: User, change: ContactChange, *, now: datetime | None = None
) -> None:
    """Store the names, phone and language; removing the phone withdraws SMS consents."""
    user.first_name = change.first_name
    user.last_name = change.last_name
    user.locale = change.locale
    had_phone = user.phone_e164 is not None
    is_new_phone = change.phone_e164 != user.phone_e164
    user.phone_e164 = change.phone_e164
    if had_phone and change.phone_e164 is None:
        for purpose, channel in CONSENT_CHOICES:
            if channel is Channel.SMS and user.has_consent(channel, purpose):
                record_consent(session, user, purpose, channel, False, now=now)
    session.flush()
    if is_new_phone and change.phone_e164 is not None:
        lift_erasure_marks(session, user)


def replace_weekly_availability(
    session: Session, user: User, cells: Iterable[tuple[int, Period]]
) -> None:
    """Replace the weekly slots with the ticked cells of the grid."""
    session.execute(delete(AvailabilitySlot).where(AvailabilitySlot.user_id == user.id))
    session.add_all(
        AvailabilitySlot(
            user_id=user.id, weekday=w.weekday, start_minute=w.start_minute, end_minute=w.end_minute
        )
        for w in weekly_windows(cells)
    )
    session.flush()
    session.expire(user, ["availability"])


def ticked_cells(slots: Sequence[AvailabilitySlot]) -> set[tuple[int, Period]]:
    """Return the grid cells that the weekly slots cover completely."""
    return {
        (slot.weekday, period)
        for slot in slots
        for period, (start, end) in PERIOD_MINUTES.items()
        if slot.start_minute <= start and end <= slot.end_minute
    }


def add_availability_exception(
    session: Session, user: User, request: ExceptionRequest
) -> AvailabilityException:
    """Add a dated exception, within a bound on how many one person keeps."""
    count = session.scalar(
        select(func.count())
        .select_from(AvailabilityException)
        .where(AvailabilityException.user_id == user.id)
    )
    if (count or 0) >= MAX_EXCEPTIONS:
        raise ProfileError(ProfileProblem.TOO_MANY_EXCEPTIONS)
    exception = AvailabilityException(
        user_id=user.id,
        on_date=request.on_date,
        start_minute=request.start_minute,
        end_minute=request.end_minute,
        is_available=request.is_available,
    )
    session.add(exception)
    session.flush()
    session.expire(user, ["availability_exceptions"])
    return exception


def remove_availability_exception(session: Session, user: User, exception_id: int) -> bool:
    """Delete one of the user's exceptions; return False when they have none with this id."""
    result = session.execute(
        delete(AvailabilityException).where(
            AvailabilityException.id == exception_id, AvailabilityException.user_id == user.id
        )
    )
    session.expire(user, ["availability_exceptions"])
    return bool(getattr(result, "rowcount", 0))


def upcoming_exceptions(session: Session, user_id: int, today: date) -> list[AvailabilityException]:
    return list(
        session.scalars(
            select(AvailabilityException)
            .where(AvailabilityException.user_id == user_id, AvailabilityException.on_date >= today)
            .order_by(AvailabilityException.on_date, AvailabilityException.start_minute)
        )
    )


def update_preferences(
    session: Session, user: User, campaign_id: int, preferences: Preferences
) -> None:
    """Store experience, partner, languages and travel limits, creating the profile if needed."""
    partner_id = (
        _find_partner(session, user, campaign_id, preferences.partner_email)
        if preferences.partner_email
        else None
    )
    profile = user.profile
    if profile is None:
        profile = VolunteerProfile(user_id=user.id)
        user.profile = profile
    profile.is_experienced = preferences.is_experienced
    profile.partner_user_id = partner_id
    profile.languages = sorted(set(preferences.languages))
    profile.max_travel_minutes = preferences.max_travel_minutes
    profile.travel_mode = preferences.travel_mode
    session.flush()


def partner_email(session: Session, user: User) -> str | None:
    """Return the address of the volunteer this one asked to canvass with."""
    if user.profile is None or user.profile.partner_user_id is None:
        return None
    return session.scalars(
        select(User.email).where(User.id == user.profile.partner_user_id)
    ).first()


def record_consent(
    session: Session,
    user: User,
    purpose: ConsentPurpose,
    channel: Channel,
    is_granted: bool,
    *,
    now: datetime | None = None,
) -> Consent:
    """Add a consent decision made on the profile page; earlier rows stay as proof."""
    if is_granted and channel is Channel.SMS and not user.phone_e164:
        raise ProfileError(ProfileProblem.NO_PHONE)
    consent = Consent(
        purpose=purpose,
        channel=channel,
        is_granted=is_granted,
        wording_version=PROFILE_CONSENT_WORDING_VERSION,
        source=PROFILE_CONSENT_SOURCE,
        created_at=now or utcnow(),
    )
    user.consents.append(consent)
    session.flush()
    logger.info(
        "user %s %s consent %s/%s",
        user.id,
        "gave" if is_granted else "withdrew",
        purpose.value,
        channel.value,
        extra={"user_id": user.id},
    )
    if is_granted:
        lift_erasure_marks(session, user)
    return consent


def consent_states(user: User) -> list[ConsentState]:
    """Return the latest decision for each choice the profile offers."""
    states = []
    for purpose, channel in CONSENT_CHOICES:
        rows = [c for c in user.consents if c.purpose == purpose and c.channel == channel]
        latest = rows[-1] if rows else None
        states.append(
            ConsentState(
                purpose=purpose,
                channel=channel,
                is_granted=bool(latest and latest.is_granted),
                decided_at=latest.created_at if latest else None,
            )
        )
    return states


def request_email_change(session: Session, user: User, new_email: str) -> bool:
    """Keep `new_email` as pending until its link is used; False if it is already the address.

    Whether another account uses the address is checked only when the link is used, so this step
    reveals nothing about other accounts.
    """
    if new_email == user.email:
        user.pending_email = None
        session.flush()
        return False
    user.pending_email = new_email
    session.flush()
    return True


def cancel_email_change(session: Session, user: User) -> None:
    user.pending_email = None
    session.flush()


def apply_email_change(session: Session, user: User, *, now: datetime | None = None) -> str:
    """Make the pending address the account's, verified; return the previous address."""
    new_email = user.pending_email
    if new_email is None:
        raise EmailTakenError()
    other_owner = session.scalars(
        select(User.id).where(User.email == new_email, User.id != user.id)
    ).first()
    if other_owner is not None:
        raise EmailTakenError()
    old_email = user.email
    try:
        with session.begin_nested():
            user.email = new_email
            user.pending_email = None
            user.email_verified_at = now or utcnow()
    except IntegrityError:
        raise EmailTakenError() from None
    logger.info("user %s changed their e-mail address", user.id, extra={"user_id": user.id})
    lift_erasure_marks(session, user)
    return old_email


def _find_partner(session: Session, user: User, campaign_id: int, email: str) -> int:
    # NOTE: the error reveals to a logged-in volunteer whether an address belongs to a
    # member of the campaign. A request both volunteers confirm would reveal less.
    partner_id = session.scalars(
        select(User.id)
        .join(Membership, Membership.user_id == User.id)
        .where(User.email == email, Membership.campaign_id == campaign_id, User.is_enabled)
    ).first()
    if partner_id is None:
        raise ProfileError(ProfileProblem.PARTNER_NOT_FOUND)
    if partner_id == user.id:
        raise ProfileError(ProfileProblem.PARTNER_IS_SELF)
    return partner_id
