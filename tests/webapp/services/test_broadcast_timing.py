"""Sending time of a broadcast at the configured rates, and the schedules it refuses."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from messaging.send_timing import TimingProblem
from messaging.silence import SilencePeriod
from tests.factories import at_utc
from tests.webapp.broadcasts.crew import Crew, seed_crew
from webapp.models import Broadcast, Message
from webapp.models.users import Channel
from webapp.services.broadcast_drafts import BroadcastDraft, SendTimingError, estimate_broadcast
from webapp.services.broadcast_segments import Segment, SegmentKind
from webapp.services.broadcasts import create_broadcast
from webapp.settings import Settings

FIRST_DAY = date(2027, 3, 13)
# Monday 1 March 2027, 11:00 in Paris (winter time, UTC+1).
NOW = at_utc(2027, 3, 1, 10)
KEY = "timing-key-0123456789abcdef"
GSM_TEXT = "Tournee: porte-a-porte samedi. STOP au 36180"


@pytest.fixture
def sms_rate() -> float:
    """SMS segments a second: four recipients of one segment take 2,000 s."""
    return 0.002


@pytest.fixture
def email_rate() -> float:
    return 0.01


@pytest.fixture
def settings(settings: Settings, sms_rate: float, email_rate: float) -> Settings:
    return replace(settings, sms_rate_per_s=sms_rate, email_rate_per_s=email_rate)


@pytest.fixture
def crew(db_session: Session) -> Crew:
    crew = seed_crew(db_session, FIRST_DAY)
    db_session.commit()
    return crew


def draft(channel: Channel, scheduled_at: datetime | None = None) -> BroadcastDraft:
    return BroadcastDraft(
        channel=channel,
        segment=Segment(SegmentKind.ALL),
        body=GSM_TEXT,
        subject="Nouvelles" if channel == Channel.EMAIL else "",
        scheduled_at=scheduled_at,
    )


def create(app: Flask, db_session: Session, crew: Crew, chosen: BroadcastDraft) -> None:
    with app.app_context():
        create_broadcast(
            db_session,
            crew.campaign.id,
            chosen,
            submission_key=KEY,
            created_by_user_id=crew.coordinator.id,
            now=NOW,
        )
        db_session.commit()


def refusal(app: Flask, db_session: Session, crew: Crew, chosen: BroadcastDraft) -> SendTimingError:
    with pytest.raises(SendTimingError) as raised:
        create(app, db_session, crew, chosen)
    db_session.rollback()
    assert db_session.scalars(select(Broadcast)).all() == []
    assert db_session.scalars(select(Message)).all() == []
    return raised.value


def test_sms_estimate_has_sending_time(crew: Crew, db_session: Session, settings: Settings) -> None:
    estimate = estimate_broadcast(
        db_session, crew.campaign.id, draft(Channel.SMS), now=NOW, settings=settings
    )

    timing = estimate.timing
    assert timing is not None
    assert (timing.units, timing.rate_per_s, timing.validity_period_s) == (4, 0.002, 3600)
    assert timing.duration_s == 2000.0
    assert timing.starts_at == NOW
    assert timing.ends_at == NOW + timedelta(seconds=2000)
    assert timing.problem is None


def test_email_estimate_counts_messages(
    crew: Crew, db_session: Session, settings: Settings
) -> None:
    estimate = estimate_broadcast(
        db_session, crew.campaign.id, draft(Channel.EMAIL), now=NOW, settings=settings
    )

    timing = estimate.timing
    assert timing is not None
    assert (timing.units, timing.rate_per_s, timing.validity_period_s) == (5, 0.01, None)
    assert timing.duration_s == 500.0


@pytest.mark.parametrize("sms_rate", [0.001])
def test_sms_beyond_validity_refused(app: Flask, db_session: Session, crew: Crew) -> None:
    error = refusal(app, db_session, crew, draft(Channel.SMS))

    assert (error.field, error.message) == ("scheduled_at", "exceeds_validity")
    assert error.timing.duration_s == 4000.0


def test_sms_past_window_close_refused(app: Flask, db_session: Session, crew: Crew) -> None:
    # Monday 1 March 2027 at 19:30 in Paris: 30 minutes left, 2,000 s needed.
    error = refusal(app, db_session, crew, draft(Channel.SMS, at_utc(2027, 3, 1, 18, 30)))

    assert error.timing.problem is TimingProblem.PAST_WINDOW_CLOSE
    assert error.timing.window_closes_at == datetime(2027, 3, 1, 19, 0, tzinfo=UTC)


def test_schedule_in_silence_refused(app: Flask, db_session: Session, crew: Crew) -> None:
    crew.campaign.first_round_on = date(2027, 3, 14)
    db_session.commit()

    # Saturday 13 March 2027 at 10:00 in Paris, eve of the round.
    error = refusal(app, db_session, crew, draft(Channel.EMAIL, at_utc(2027, 3, 13, 9)))

    assert error.timing.problem is TimingProblem.INTO_SILENCE
    assert error.timing.silence == SilencePeriod(
        starts_at=datetime(2027, 3, 12, 23, 0, tzinfo=UTC),
        ends_at=datetime(2027, 3, 14, 19, 0, tzinfo=UTC),
    )


@pytest.mark.parametrize("email_rate", [0.0001])
def test_email_may_go_on_next_morning(
    app: Flask, db_session: Session, crew: Crew, settings: Settings
) -> None:
    chosen = draft(Channel.EMAIL)
    estimate = estimate_broadcast(db_session, crew.campaign.id, chosen, now=NOW, settings=settings)

    create(app, db_session, crew, chosen)

    # 50,000 s: nine hours until 20:00, the rest from Tuesday 08:00.
    assert estimate.timing is not None
    assert estimate.timing.problem is None
    assert estimate.timing.ends_at == datetime(2027, 3, 2, 11, 53, 20, tzinfo=UTC)
    assert len(db_session.scalars(select(Message)).all()) == 5
