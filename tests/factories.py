"""Keyword-only factories that add rows to a real database session and flush them."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from webapp.models import (
    Address,
    Assignment,
    Campaign,
    CanvassSession,
    Commune,
    ElectionResult,
    Iris,
    Membership,
    PollingStation,
    Route,
    User,
)
from webapp.models.planning import AssignmentStatus
from webapp.models.users import Role
from webapp.services.passwords import hash_password

# A rectangle around Bondy in WGS84, enough for rows that need a geometry.
BONDY_BOX: dict[str, Any] = {
    "type": "Polygon",
    "coordinates": [
        [
            [2.4701, 48.8869],
            [2.5002, 48.8869],
            [2.5002, 48.9203],
            [2.4701, 48.9203],
            [2.4701, 48.8869],
        ]
    ],
}

# Rows of data/samples/bondy-93010/ban_adresses_bondy.csv as the importer stores them,
# with the double-encoded accents of the file repaired ("GalliÃ©ni" becomes "Galliéni").
BONDY_ADDRESSES: tuple[dict[str, Any], ...] = (
    {
        "ban_id": "93010_4120_00150",
        "number": 150,
        "suffix": "",
        "street": "Avenue Galliéni",
        "lon": 2.484953,
        "lat": 48.906053,
    },
    {
        "ban_id": "93010_4120_00152",
        "number": 152,
        "suffix": "",
        "street": "Avenue Galliéni",
        "lon": 2.484753,
        "lat": 48.906291,
    },
    {
        "ban_id": "93010_4120_00152_bis",
        "number": 152,
        "suffix": "bis",
        "street": "Avenue Galliéni",
        "lon": 2.48476,
        "lat": 48.906406,
    },
    {
        "ban_id": "93010_8160_00001",
        "number": 1,
        "suffix": "",
        "street": "Avenue de la République",
        "lon": 2.479336,
        "lat": 48.899782,
    },
    {
        "ban_id": "93010_6155_00012",
        "number": 12,
        "suffix": "",
        "street": "Av du Mal de Lattre de Tassigny",
        "lon": 2.481635,
        "lat": 48.905099,
    },
    {
        "ban_id": "93010_4775_00001",
        "number": 1,
        "suffix": "",
        "street": "Rue Jules Guesde",
        "lon": 2.472955,
        "lat": 48.904341,
    },
    {
        "ban_id": "93010_4775_00001_bis",
        "number": 1,
        "suffix": "bis",
        "street": "Rue Jules Guesde",
        "lon": 2.47418,
        "lat": 48.90413,
    },
    {
        "ban_id": "93010_3153_00001",
        "number": 1,
        "suffix": "",
        "street": "Allee de l’Esperanto",
        "lon": 2.484642,
        "lat": 48.915795,
    },
)


def make_commune(
    session: Session, *, code: str = "93010", name: str = "Bondy", population: int | None = 53353
) -> Commune:
    commune = Commune(code=code, name=name, population=population, geometry=BONDY_BOX)
    session.add(commune)
    session.flush()
    return commune


def make_address(
    session: Session,
    *,
    ban_id: str,
    street: str,
    lon: float,
    lat: float,
    number: int | None = None,
    suffix: str = "",
    postcode: str = "93140",
    commune_code: str = "93010",
) -> Address:
    address = Address(
        ban_id=ban_id,
        number=number,
        suffix=suffix,
        street=street,
        postcode=postcode,
        commune_code=commune_code,
        lon=lon,
        lat=lat,
    )
    session.add(address)
    session.flush()
    return address


def make_bondy_addresses(session: Session) -> dict[str, Address]:
    """Add the Bondy commune and the addresses of BONDY_ADDRESSES, keyed by BAN id."""
    make_commune(session)
    return {row["ban_id"]: make_address(session, **row) for row in BONDY_ADDRESSES}


def make_campaign(
    session: Session,
    *,
    name: str = "Municipales Bondy 2026",
    commune_codes: tuple[str, ...] = ("93010",),
    election_kind: str = "municipales",
    first_round_on: date | None = None,
) -> Campaign:
    campaign = Campaign(
        name=name,
        election_kind=election_kind,
        commune_codes=list(commune_codes),
        first_round_on=first_round_on,
    )
    session.add(campaign)
    session.flush()
    return campaign


def make_user(
    session: Session,
    *,
    email: str = "camille.martin@example.org",
    password: str = "un mot de passe assez long",  # noqa: S107 - a test value
    first_name: str = "Camille",
    last_name: str = "Martin",
    phone_e164: str | None = "+33612345678",
    campaign: Campaign | None = None,
    role: Role = Role.VOLUNTEER,
    is_enabled: bool = True,
) -> User:
    """Add a user, with a membership of `campaign` in `role` when a campaign is given."""
    user = User(
        email=email,
        password_hash=hash_password(password),
        first_name=first_name,
        last_name=last_name,
        phone_e164=phone_e164,
        is_enabled=is_enabled,
    )
    if campaign is not None:
        user.memberships.append(Membership(campaign_id=campaign.id, role=role))
    session.add(user)
    session.flush()
    return user


def make_iris(
    session: Session, *, code: str = "930100101", name: str = "Mairie", commune_code: str = "93010"
) -> Iris:
    iris = Iris(code=code, name=name, commune_code=commune_code, kind="H", geometry=BONDY_BOX)
    session.add(iris)
    session.flush()
    return iris


def make_canvass_session(
    session: Session,
    *,
    campaign: Campaign,
    iris_code: str,
    starts_at: datetime,
    duration: timedelta = timedelta(hours=2),
    meeting_point_label: str = "Parvis de la mairie",
    meeting_lon: float = 2.4826,
    meeting_lat: float = 48.9022,
    min_volunteers: int = 2,
    max_volunteers: int = 6,
) -> CanvassSession:
    canvass = CanvassSession(
        campaign_id=campaign.id,
        starts_at=starts_at,
        ends_at=starts_at + duration,
        meeting_point_label=meeting_point_label,
        meeting_lon=meeting_lon,
        meeting_lat=meeting_lat,
        iris_code=iris_code,
        min_volunteers=min_volunteers,
        max_volunteers=max_volunteers,
    )
    session.add(canvass)
    session.flush()
    return canvass


def make_assignment(
    session: Session,
    *,
    canvass_session: CanvassSession,
    user: User,
    team: int = 1,
    status: AssignmentStatus = AssignmentStatus.CONFIRMED,
) -> Assignment:
    assignment = Assignment(
        session_id=canvass_session.id, user_id=user.id, team=team, status=status
    )
    session.add(assignment)
    session.flush()
    return assignment


def make_route(
    session: Session,
    *,
    canvass_session: CanvassSession,
    team: int = 1,
    access_token: str = "route-token-0123456789abcdef",  # noqa: S107 - a test value
    token_expires_at: datetime | None = None,
) -> Route:
    route = Route(
        session_id=canvass_session.id,
        team=team,
        address_ids=[],
        path=[],
        length_m=0,
        walking_minutes=0.0,
        total_minutes=0.0,
        door_count=0,
        dwelling_count=0,
        access_token=access_token,
        token_expires_at=token_expires_at or canvass_session.ends_at + timedelta(days=1),
    )
    session.add(route)
    session.flush()
    return route


def at_utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """Return an aware UTC datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def make_walk_route(
    session: Session,
    *,
    canvass_session: CanvassSession,
    addresses: tuple[Address, ...],
    team: int = 1,
    access_token: str = "walk-route-token-0123456789abcdef",  # noqa: S107 - a test value
    token_expires_at: datetime | None = None,
    length_m: int = 1260,
    walking_minutes: float = 18.0,
    total_minutes: float = 25.5,
) -> Route:
    """Add a route through `addresses` in the given order, its path straight from door to door."""
    meeting = [canvass_session.meeting_lon, canvass_session.meeting_lat]
    route = Route(
        session_id=canvass_session.id,
        team=team,
        address_ids=[address.id for address in addresses],
        path=[meeting, *([a.lon, a.lat] for a in addresses), meeting] if addresses else [],
        length_m=length_m,
        walking_minutes=walking_minutes,
        total_minutes=total_minutes,
        door_count=len(addresses),
        dwelling_count=sum(max(1, address.dwellings) for address in addresses),
        access_token=access_token,
        token_expires_at=token_expires_at or canvass_session.ends_at + timedelta(days=1),
    )
    session.add(route)
    session.flush()
    return route


def make_polling_station(
    session: Session,
    *,
    number: int,
    name: str = "École Jules Ferry",
    address: str = "1 rue de l’École",
    commune_code: str = "93010",
) -> PollingStation:
    station = PollingStation(commune_code=commune_code, number=number, name=name, address=address)
    session.add(station)
    session.flush()
    return station


def make_election_result(
    session: Session,
    *,
    station: PollingStation,
    registered: int,
    abstentions: int,
    blank: int = 0,
    null: int = 0,
    votes: dict[str, int],
    election: str = "pres2022_t1",
) -> ElectionResult:
    """Add one station's result; voters and expressed follow from the other counts."""
    voters = registered - abstentions
    result = ElectionResult(
        polling_station_id=station.id,
        election=election,
        registered=registered,
        abstentions=abstentions,
        voters=voters,
        blank=blank,
        null=null,
        expressed=voters - blank - null,
        votes=votes,
    )
    session.add(result)
    session.flush()
    return result


def make_planning_volunteer(
    session: Session,
    *,
    campaign: Campaign,
    index: int,
    home: Address,
    weekday: int = 5,
    start_minute: int = 9 * 60,
    end_minute: int = 12 * 60 + 30,
) -> User:
    """Add a volunteer living at `home`, free on `weekday`, consenting to e-mails only.

    The password hash is a placeholder: these volunteers never log in.
    """
    from webapp.models import AvailabilitySlot, Consent, VolunteerProfile
    from webapp.models.users import Channel, ConsentPurpose

    user = User(
        email=f"benevole{index}@example.org",
        password_hash="not-a-real-hash",
        first_name=f"Bénévole{index}",
        last_name="Exemple",
        phone_e164=None,
    )
    user.memberships.append(Membership(campaign_id=campaign.id, role=Role.VOLUNTEER))
    session.add(user)
    session.flush()
    session.add(VolunteerProfile(user_id=user.id, home_lon=home.lon, home_lat=home.lat))
    session.add(
        AvailabilitySlot(
            user_id=user.id, weekday=weekday, start_minute=start_minute, end_minute=end_minute
        )
    )
    session.add(
        Consent(
            user_id=user.id,
            purpose=ConsentPurpose.CANVASS_MESSAGES,
            channel=Channel.EMAIL,
            is_granted=True,
            wording_version="test",
            source="test",
        )
    )
    session.flush()
    return user


def make_consents(
    session: Session,
    *,
    user: User,
    email: bool = True,
    sms: bool = True,
    source: str = "signup_form",
) -> None:
    """Record the user's answers to the e-mail and SMS consent questions."""
    from webapp.models import Consent
    from webapp.models.users import Channel, ConsentPurpose

    for channel, is_granted in ((Channel.EMAIL, email), (Channel.SMS, sms)):
        user.consents.append(
            Consent(
                purpose=ConsentPurpose.CANVASS_MESSAGES,
                channel=channel,
                is_granted=is_granted,
                wording_version="test",
                source=source,
            )
        )
    session.flush()


def make_weekly_slot(
    session: Session, *, user: User, weekday: int, start_minute: int, end_minute: int
) -> None:
    """Add a recurring weekly availability window (Paris time) to the user."""
    from webapp.models import AvailabilitySlot

    user.availability.append(
        AvailabilitySlot(weekday=weekday, start_minute=start_minute, end_minute=end_minute)
    )
    session.flush()


def make_volunteer_profile(
    session: Session,
    *,
    user: User,
    lon: float | None = 2.4826,
    lat: float | None = 48.9022,
    is_experienced: bool = False,
    max_distance_m: int | None = None,
    max_travel_minutes: int | None = None,
    travel_mode: str = "walk",
    max_sessions_per_week: int | None = None,
    languages: tuple[str, ...] = (),
    partner: User | None = None,
) -> None:
    """Give the user a volunteer profile with a home and planning preferences."""
    from webapp.models import VolunteerProfile

    session.add(
        VolunteerProfile(
            user_id=user.id,
            home_lon=lon,
            home_lat=lat,
            is_experienced=is_experienced,
            max_distance_m=max_distance_m,
            max_travel_minutes=max_travel_minutes,
            travel_mode=travel_mode,
            max_sessions_per_week=max_sessions_per_week,
            languages=list(languages),
            partner_user_id=partner.id if partner else None,
        )
    )
    session.flush()


def make_availability_exception(
    session: Session,
    *,
    user: User,
    on_date: date,
    is_available: bool = False,
    start_minute: int | None = None,
    end_minute: int | None = None,
) -> None:
    """Add a dated change to the user's weekly grid (a day off by default)."""
    from webapp.models import AvailabilityException

    user.availability_exceptions.append(
        AvailabilityException(
            on_date=on_date,
            is_available=is_available,
            start_minute=start_minute,
            end_minute=end_minute,
        )
    )
    session.flush()


def make_iris_score(
    session: Session,
    *,
    campaign: Campaign,
    iris_code: str,
    score: float = 50.0,
    languages: tuple[str, ...] = (),
) -> None:
    """Add a scored IRIS to the campaign, as the scoring stores it."""
    from webapp.models import IrisScore

    session.add(
        IrisScore(
            campaign_id=campaign.id,
            iris_code=iris_code,
            rank=1,
            score=score,
            registered=1000.0,
            abstentions=300.0,
            expressed=650.0,
            our_votes=200.0,
            potential=100.0,
            households=500.0,
            is_suppressed=False,
            contributions={},
            is_target=True,
            languages=list(languages),
        )
    )
    session.flush()
