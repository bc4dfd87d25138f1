"""A campaign with volunteers whose consents, suppressions and assignments differ.

Sessions are laid out from `first_day` (Saturday 09:30, Paris time, then a week later at
14:00, then three weeks later), so tests that run against the real clock pass a day in
the future and tests with a fixed clock pass a fixed day.

| volunteer | e-mail consent | SMS consent | assignment |
|---|---|---|---|
| Alice | yes | yes | session 1 (IRIS Mairie), confirmed |
| Bruno | yes | no | session 1, proposed |
| Chloé | no | yes | session 2 (IRIS Centre), confirmed |
| David | yes | yes | none |
| Emma | yes | yes, but the number is suppressed | session 3 (IRIS Mairie) |
| Farid | no | no | none |
| Gina | yes | yes | session 2, declined |
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from sqlalchemy.orm import Session

from tests.factories import (
    make_assignment,
    make_campaign,
    make_canvass_session,
    make_commune,
    make_consents,
    make_iris,
)
from webapp.models import Campaign, CanvassSession, Membership, Suppression, User
from webapp.models.planning import AssignmentStatus
from webapp.models.users import Channel, Role
from webapp.services.localtime import local_to_utc
from webapp.services.passwords import hash_password

MAIRIE = "930100101"
CENTRE = "930100202"
PASSWORD = "une phrase de passe assez longue"


@dataclass(frozen=True)
class Crew:
    campaign: Campaign
    sessions: tuple[CanvassSession, ...]
    volunteers: dict[str, User]
    coordinator: User


@lru_cache(maxsize=1)
def password_hash() -> str:
    """Hash the shared password once: hashing is slow on purpose."""
    return hash_password(PASSWORD)


def add_person(
    session: Session,
    campaign: Campaign,
    *,
    name: str,
    phone_e164: str | None,
    role: Role = Role.VOLUNTEER,
    email: str | None = None,
) -> User:
    """Add a member of the campaign who logs in with PASSWORD."""
    user = User(
        email=email or f"{name}@example.org",
        password_hash=password_hash(),
        first_name=name.capitalize(),
        last_name="Exemple",
        phone_e164=phone_e164,
    )
    user.memberships.append(Membership(campaign_id=campaign.id, role=role))
    session.add(user)
    session.flush()
    return user


def paris(day: date, hour: int, minute: int = 0) -> datetime:
    """Return the UTC moment of a Paris wall-clock time."""
    return local_to_utc(datetime.combine(day, time(hour, minute)))


def seed_crew(session: Session, first_day: date) -> Crew:
    """Add the campaign, its sessions and volunteers, and a coordinator; flush only."""
    make_commune(session)
    campaign = make_campaign(session)
    make_iris(session, code=MAIRIE, name="Mairie")
    make_iris(session, code=CENTRE, name="Centre Ville")
    sessions = (
        make_canvass_session(
            session, campaign=campaign, iris_code=MAIRIE, starts_at=paris(first_day, 9, 30)
        ),
        make_canvass_session(
            session,
            campaign=campaign,
            iris_code=CENTRE,
            starts_at=paris(first_day + timedelta(days=7), 14),
        ),
        make_canvass_session(
            session,
            campaign=campaign,
            iris_code=MAIRIE,
            starts_at=paris(first_day + timedelta(days=21), 9, 30),
        ),
    )
    people = {
        "alice": (True, True, 0, AssignmentStatus.CONFIRMED),
        "bruno": (True, False, 0, AssignmentStatus.PROPOSED),
        "chloe": (False, True, 1, AssignmentStatus.CONFIRMED),
        "david": (True, True, None, None),
        "emma": (True, True, 2, AssignmentStatus.PROPOSED),
        "farid": (False, False, None, None),
        "gina": (True, True, 1, AssignmentStatus.DECLINED),
    }
    volunteers = {}
    for index, (name, (email, sms, session_index, status)) in enumerate(people.items()):
        user = add_person(session, campaign, name=name, phone_e164=f"+3361234560{index}")
        make_consents(session, user=user, email=email, sms=sms)
        if session_index is not None and status is not None:
            make_assignment(
                session, canvass_session=sessions[session_index], user=user, status=status
            )
        volunteers[name] = user
    session.add(
        Suppression(
            campaign_id=campaign.id,
            channel=Channel.SMS,
            address=volunteers["emma"].phone_e164,
            reason="stop",
        )
    )
    coordinator = add_person(
        session,
        campaign,
        name="claire",
        phone_e164=None,
        role=Role.COORDINATOR,
        email="coordination@example.org",
    )
    session.flush()
    return Crew(campaign, sessions, volunteers, coordinator)
