from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import make_campaign, make_user
from webapp.models import AvailabilitySlot, Consent, User
from webapp.services.addresses import HomeLocation
from webapp.services.signup import (
    Period,
    SignupRequest,
    WeeklyWindow,
    register_volunteer,
    weekly_windows,
)

HOME = HomeLocation(address_id=None, postcode="93140", lon=2.48, lat=48.90)


def _request(**changes: object) -> SignupRequest:
    values: dict[str, object] = {
        "first_name": "Léa",
        "last_name": "Durand",
        "email": "lea.durand@example.org",
        "phone_e164": "+33781234567",
        "password": "une phrase de passe assez longue",
        "home": HOME,
        "availability": frozenset({(2, Period.EVENING)}),
        "is_experienced": False,
        "is_email_consented": True,
        "is_sms_consented": False,
    }
    values.update(changes)
    return SignupRequest(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("cells", "windows"),
    [
        ([], []),
        ([(0, Period.MORNING)], [WeeklyWindow(0, 540, 750)]),
        # Afternoon and evening touch at 18:00, but morning and afternoon do not.
        ([(0, Period.EVENING), (0, Period.AFTERNOON)], [WeeklyWindow(0, 810, 1260)]),
        (
            [(0, Period.MORNING), (0, Period.AFTERNOON)],
            [WeeklyWindow(0, 540, 750), WeeklyWindow(0, 810, 1080)],
        ),
        (
            [(6, Period.MORNING), (0, Period.EVENING), (1, Period.AFTERNOON), (0, Period.MORNING)],
            [
                WeeklyWindow(0, 540, 750),
                WeeklyWindow(0, 1080, 1260),
                WeeklyWindow(1, 810, 1080),
                WeeklyWindow(6, 540, 750),
            ],
        ),
        (
            [(3, p) for p in Period],
            [WeeklyWindow(3, 540, 750), WeeklyWindow(3, 810, 1260)],
        ),
        # Sunday evening and Monday morning are different days: never joined.
        (
            [(6, Period.EVENING), (0, Period.MORNING)],
            [WeeklyWindow(0, 540, 750), WeeklyWindow(6, 1080, 1260)],
        ),
    ],
)
def test_weekly_windows(cells: list[tuple[int, Period]], windows: list[WeeklyWindow]) -> None:
    assert weekly_windows(cells) == windows


def test_register_volunteer_flushes_without_committing(db_session: Session) -> None:
    campaign = make_campaign(db_session)
    now = datetime(2026, 12, 5, 10, 30, tzinfo=UTC)

    user = register_volunteer(db_session, campaign.id, _request(), now=now)

    assert user is not None and user.id is not None
    assert user.created_at == now
    assert [(c.channel.value, c.is_granted, c.created_at) for c in user.consents] == [
        ("email", True, now),
        ("sms", False, now),
    ]
    assert [(s.weekday, s.start_minute, s.end_minute) for s in user.availability] == [
        (2, 1080, 1260)
    ]
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(User)) == 0


def test_register_known_email_returns_none(db_session: Session) -> None:
    campaign = make_campaign(db_session)
    make_user(db_session, email="lea.durand@example.org", campaign=campaign)

    assert register_volunteer(db_session, campaign.id, _request()) is None
    assert db_session.scalar(select(func.count()).select_from(User)) == 1
    assert db_session.scalar(select(func.count()).select_from(Consent)) == 0
    assert db_session.scalar(select(func.count()).select_from(AvailabilitySlot)) == 0


def test_register_concurrent_duplicate_returns_none(
    db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    campaign = make_campaign(db_session)
    make_user(db_session, email="lea.durand@example.org", campaign=campaign)

    class NoRow:
        def first(self) -> None:
            return None

    # Another request inserts the same address between the check and the insert.
    monkeypatch.setattr(db_session, "scalars", lambda *args, **kwargs: NoRow())
    assert register_volunteer(db_session, campaign.id, _request()) is None
    monkeypatch.undo()

    assert db_session.scalar(select(func.count()).select_from(User)) == 1
    assert db_session.scalar(select(func.count()).select_from(Consent)) == 0
