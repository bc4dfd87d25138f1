"""Build the demo: Bondy imported, a campaign, 48 volunteers, a weekend of sessions, a plan.

Besides the weekend, a session under way today lets a first user record doors at once.
"""

import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pyotp
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.models import (
    Address,
    AvailabilitySlot,
    Campaign,
    CanvassSession,
    Consent,
    ElectionResult,
    IrisScore,
    Membership,
    User,
    VolunteerProfile,
)
from webapp.models.users import Channel, ConsentPurpose, Role
from webapp.services.assignment import lock_assignment
from webapp.services.demo_people import make_volunteers
from webapp.services.errors import ServiceError
from webapp.services.localtime import local_to_utc
from webapp.services.passwords import hash_password
from webapp.services.scoring import score_campaign, set_targets
from webapp.services.sessions import SessionDraft, create_session
from webapp.services.territory_import import ImportReport, import_territory
from webapp.services.totp import current_code, enable_with_secret
from webapp.settings import Settings

logger = logging.getLogger(__name__)

VOLUNTEER_COUNT = 48
TARGET_COUNT = 4
DEMO_CONSENT_VERSION = "demo-2026-12"
COORDINATOR_EMAIL = "coordination@example.org"
# Two sessions a day, inside the morning and afternoon periods of the availability grid.
SESSION_TIMES = ((time(9, 30), time(12, 0)), (time(14, 0), time(17, 0)))
# Today's session starts at the current quarter hour and runs up to two hours, until
# 23:45 at the latest. From 23:30 on, less than half an hour is left, so it is not made.
TODAY_LENGTH = timedelta(hours=2)
TODAY_MIN_LENGTH = timedelta(minutes=30)
TODAY_LAST_END = time(23, 45)
# Two teams of two, placed on today's session by hand, as a coordinator would.
TODAY_VOLUNTEERS = 4


class NotDemoDatabaseError(ServiceError):
    """The command runs only on the laptop demo: development settings and a SQLite file."""


@dataclass(frozen=True)
class DemoSetup:
    campaign_id: int
    coordinator_email: str
    coordinator_password: str
    # Base32, for an authenticator app: coordinators must log in with a second factor.
    coordinator_totp_secret: str
    import_report: ImportReport
    session_count: int
    # The session under way today, None when the demo runs too late in the day.
    today_session_id: int | None


def build_demo(
    session: Session, folder: Path, now: datetime, *, with_today: bool = True
) -> DemoSetup:
    """Import the territory and create the campaign, people, targets and sessions.

    `now` is the Paris wall-clock time the demo runs at. Without `with_today`, only the
    weekend is scheduled.
    """
    today = now.date()
    report = import_territory(session, folder)
    commune_codes = sorted(set(session.scalars(select(Address.commune_code).distinct())))
    campaign = Campaign(
        name="Campagne de démonstration",
        election_kind="municipales",
        commune_codes=commune_codes,
        our_candidates=[_leading_candidate(session)],
        sms_sender_name="Tournee",
    )
    session.add(campaign)
    session.flush()

    password = secrets.token_urlsafe(12)
    coordinator = User(
        email=COORDINATOR_EMAIL,
        password_hash=hash_password(password),
        first_name="Camille",
        last_name="Coordination",
        # A fictitious address that receives nothing: counted as confirmed.
        email_verified_at=local_to_utc(now),
    )
    session.add(coordinator)
    session.flush()
    session.add(Membership(user_id=coordinator.id, campaign_id=campaign.id, role=Role.COORDINATOR))
    # Enrolled already, so the demo needs no phone: `flask demo totp-code` prints the code.
    totp_secret = pyotp.random_base32()
    enable_with_secret(session, coordinator, totp_secret)

    _add_volunteers(session, campaign.id)
    scores = score_campaign(session, campaign.id)
    targets = [row for row in scores if not row.is_suppressed][:TARGET_COUNT]
    set_targets(session, campaign.id, {row.iris_code for row in targets})
    # Leave a few days so the reminders of the day before are still ahead.
    sessions = _schedule_weekend(
        session, campaign.id, targets, _next_saturday(today + timedelta(days=2)), today
    )
    under_way = None
    if with_today and targets:
        under_way = _schedule_today(session, campaign.id, targets[0], now)
    if under_way is not None:
        sessions += 1
    logger.info("Demo campaign %s ready", campaign.id, extra={"campaign_id": campaign.id})
    return DemoSetup(
        campaign.id,
        COORDINATOR_EMAIL,
        password,
        totp_secret,
        report,
        sessions,
        None if under_way is None else under_way.id,
    )


def is_demo_database(settings: Settings) -> bool:
    """Tell whether the settings are those of the laptop demo: development on SQLite."""
    return settings.environment == "development" and settings.database_url.startswith("sqlite")


def demo_coordinator_code(session: Session, settings: Settings, now: datetime | None = None) -> str:
    """Return the demo coordinator's current TOTP code, on the demo's database only.

    Printing a second factor would defeat it on a real site, hence the two guards: the
    settings must be the demo's, and only the demo's coordinator address is served.
    """
    if not is_demo_database(settings):
        raise NotDemoDatabaseError(
            "this command runs only on the demo: TOURNEE_ENVIRONMENT=development "
            "and a sqlite:/// TOURNEE_DATABASE_URL"
        )
    coordinator = session.scalars(select(User).where(User.email == COORDINATOR_EMAIL)).first()
    if coordinator is None:
        raise NotDemoDatabaseError(
            f"no demo coordinator ({COORDINATOR_EMAIL}) in this database: run `flask demo run`"
        )
    return current_code(coordinator, now, secret_key=settings.secret_key)


def _leading_candidate(session: Session) -> str:
    """Return the candidate with the most votes: the demo counts them as 'ours'."""
    totals: dict[str, int] = {}
    for votes in session.scalars(select(ElectionResult.votes)):
        for name, count in votes.items():
            totals[name] = totals.get(name, 0) + count
    return max(sorted(totals), key=lambda name: totals[name])


def _add_volunteers(session: Session, campaign_id: int) -> None:
    addresses = list(
        session.scalars(select(Address).where(Address.iris_code.is_not(None)).order_by(Address.id))
    )
    # Every volunteer shares one hash: hashing 48 passwords with argon2 would take seconds.
    shared_hash = hash_password(secrets.token_urlsafe(16))
    for person in make_volunteers(VOLUNTEER_COUNT, len(addresses)):
        home = addresses[person.address_index]
        user = User(
            email=person.email,
            password_hash=shared_hash,
            first_name=person.first_name,
            last_name=person.last_name,
            phone_e164=person.phone_e164,
        )
        session.add(user)
        session.flush()
        session.add(Membership(user_id=user.id, campaign_id=campaign_id, role=Role.VOLUNTEER))
        session.add(
            VolunteerProfile(
                user_id=user.id,
                home_address_id=home.id,
                home_postcode=home.postcode,
                home_lon=home.lon,
                home_lat=home.lat,
                is_experienced=person.is_experienced,
            )
        )
        for weekday, start, end in person.weekly_slots:
            session.add(
                AvailabilitySlot(
                    user_id=user.id, weekday=weekday, start_minute=start, end_minute=end
                )
            )
        for channel, granted in ((Channel.EMAIL, True), (Channel.SMS, person.has_sms_consent)):
            session.add(
                Consent(
                    user_id=user.id,
                    purpose=ConsentPurpose.CANVASS_MESSAGES,
                    channel=channel,
                    is_granted=granted,
                    wording_version=DEMO_CONSENT_VERSION,
                    source="demo",
                )
            )
    session.flush()


def _schedule_weekend(
    session: Session, campaign_id: int, targets: list[IrisScore], saturday: date, today: date
) -> int:
    """Schedule each half-day of the weekend in two target IRIS, taking the targets in turn."""
    half_days = [
        (day, start, end)
        for day in (saturday, saturday + timedelta(days=1))
        for start, end in SESSION_TIMES
    ]
    count = 0
    for index, (day, start, end) in enumerate(half_days):
        for offset in range(min(2, len(targets))):
            target = targets[(2 * index + offset) % len(targets)]
            meeting = _central_address(session, target.iris_code)
            draft = SessionDraft(
                day=day,
                start=start,
                end=end,
                iris_code=target.iris_code,
                min_volunteers=2,
                max_volunteers=8,
                meeting_address_id=meeting.id,
            )
            create_session(session, campaign_id, draft, today=today)
            count += 1
    return count


def _schedule_today(
    session: Session, campaign_id: int, target: IrisScore, now: datetime
) -> CanvassSession | None:
    """Schedule a session from the current quarter hour and lock the nearest volunteers on it.

    Returns None when less than `TODAY_MIN_LENGTH` of the day is left.
    """
    start = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
    end = min(start + TODAY_LENGTH, datetime.combine(start.date(), TODAY_LAST_END))
    if end - start < TODAY_MIN_LENGTH:
        return None
    meeting = _central_address(session, target.iris_code)
    draft = SessionDraft(
        day=start.date(),
        start=start.time(),
        end=end.time(),
        iris_code=target.iris_code,
        min_volunteers=2,
        max_volunteers=TODAY_VOLUNTEERS,
        meeting_address_id=meeting.id,
    )
    canvass = create_session(session, campaign_id, draft, today=start.date())
    lon_gap = VolunteerProfile.home_lon - meeting.lon
    lat_gap = VolunteerProfile.home_lat - meeting.lat
    distance = lon_gap * lon_gap + lat_gap * lat_gap
    nearest = session.scalars(
        select(VolunteerProfile.user_id)
        .join(Membership, Membership.user_id == VolunteerProfile.user_id)
        .where(Membership.campaign_id == campaign_id)
        .order_by(distance, VolunteerProfile.user_id)
        .limit(TODAY_VOLUNTEERS)
    ).all()
    for user_id in nearest:
        lock_assignment(session, campaign_id, user_id, canvass.id)
    return canvass


def _central_address(session: Session, iris_code: str) -> Address:
    """Return the address of the IRIS nearest to the mean of its addresses."""
    lon, lat = session.execute(
        select(func.avg(Address.lon), func.avg(Address.lat)).where(Address.iris_code == iris_code)
    ).one()
    distance = (Address.lon - lon) * (Address.lon - lon) + (Address.lat - lat) * (Address.lat - lat)
    return session.scalars(
        select(Address)
        .where(Address.iris_code == iris_code)
        .order_by(distance, Address.id)
        .limit(1)
    ).one()


def _next_saturday(today: date) -> date:
    return today + timedelta(days=(5 - today.weekday()) % 7 or 7)
