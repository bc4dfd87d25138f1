import logging
from dataclasses import dataclass, replace
from datetime import date, timedelta

import pytest
from click.testing import Result
from flask import Flask
from redis import Redis
from rq.job import Job
from rq.registry import ScheduledJobRegistry
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from messaging.queues import DEFAULT_QUEUE
from tests.factories import at_utc, make_assignment, make_campaign, make_canvass_session
from tests.redis_urls import PRIVACY_REDIS_URL
from tests.webapp.privacy.seed import IRIS_CODE, SeededPerson, add_user
from webapp.db import utcnow
from webapp.jobs.retention import arm_daily_purge, retention_job_id
from webapp.jobs.retention import purge_expired_personal_data as purge_job
from webapp.models import (
    Assignment,
    AuditEvent,
    Campaign,
    Consent,
    ErasedContact,
    InboundSms,
    Invitation,
    Membership,
    Message,
    ProviderEvent,
    User,
)
from webapp.models.messaging import MessagePurpose
from webapp.models.users import Channel, ConsentPurpose, Role
from webapp.services.retention import local_today, purge_expired_personal_data, stays_in_touch
from webapp.settings import Settings

NOW = at_utc(2027, 7, 1, 1, 30)  # 03:30 in Paris, 1 July 2027


def _invoke(app: Flask, args: list[str], **kwargs: object) -> Result:
    """Run a `flask` command in an app context, as the `flask` command line provides one."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=args, **kwargs)


@dataclass(frozen=True)
class Cast:
    expired: Campaign
    active: Campaign
    leaving: User
    staying: User
    changed_mind: User
    team_lead: User
    coordinator: User
    in_both: User


def _consent(session: Session, user: User, granted: bool, minute: int) -> None:
    session.add(
        Consent(
            user_id=user.id,
            purpose=ConsentPurpose.STAY_IN_TOUCH,
            channel=Channel.EMAIL,
            is_granted=granted,
            wording_version="test",
            source="test",
            created_at=at_utc(2027, 1, 1, 10, minute),
        )
    )


def _message(session: Session, campaign: Campaign, user: User | None, key: str) -> None:
    session.add(
        Message(
            campaign_id=campaign.id,
            user_id=user.id if user else None,
            idempotency_key=key,
            channel=Channel.EMAIL,
            purpose=MessagePurpose.BROADCAST,
            recipient=user.email if user else "someone@example.org",
            body="Merci",
        )
    )


@pytest.fixture
def cast(db_session: Session, person: SeededPerson) -> Cast:
    expired = person.campaign
    expired.retention_until = date(2027, 6, 30)
    active = make_campaign(db_session, name="Législatives 2028")
    active.retention_until = date(2028, 12, 31)

    def member(email: str, role: Role = Role.VOLUNTEER) -> User:
        return add_user(db_session, email=email, campaign=expired, role=role)

    staying = member("reste@example.org")
    _consent(db_session, staying, True, 0)
    changed_mind = member("change@example.org")
    _consent(db_session, changed_mind, True, 0)
    _consent(db_session, changed_mind, False, 5)
    team_lead = member("chef@example.org", Role.TEAM_LEAD)
    coordinator = member("coord@example.org", Role.COORDINATOR)
    in_both = member("deux@example.org")
    db_session.add(Membership(user_id=in_both.id, campaign_id=active.id, role=Role.VOLUNTEER))
    make_assignment(db_session, canvass_session=person.canvass_session, user=in_both, team=1)
    later = make_canvass_session(
        db_session, campaign=active, iris_code=IRIS_CODE, starts_at=at_utc(2028, 5, 6, 9)
    )
    make_assignment(db_session, canvass_session=later, user=in_both, team=1)
    for index, user in enumerate((staying, coordinator, in_both, None)):
        _message(db_session, expired, user, f"expired-{index}")
    _message(db_session, active, in_both, "active-0")
    db_session.add(
        InboundSms(
            campaign_id=expired.id, provider_id="SMother", sender="+33600000001", body="Qui ?"
        )
    )
    db_session.commit()
    return Cast(
        expired=expired,
        active=active,
        leaving=person.user,
        staying=staying,
        changed_mind=changed_mind,
        team_lead=team_lead,
        coordinator=coordinator,
        in_both=in_both,
    )


def _purge(app: Flask, session: Session, settings: Settings) -> dict[str, int]:
    with app.app_context():
        report = purge_expired_personal_data(session, settings, now=NOW)
        session.commit()
    return report.as_counts()


def _exists(session: Session, user: User) -> bool:
    return session.scalar(select(func.count()).where(User.id == user.id)) == 1


def test_local_today_is_the_paris_date() -> None:
    assert local_today(at_utc(2027, 6, 30, 22, 30)) == date(2027, 7, 1)
    assert local_today(at_utc(2027, 6, 30, 21, 30)) == date(2027, 6, 30)


def test_stays_in_touch_reads_the_latest_decision_per_channel(db_session: Session) -> None:
    def consent(channel: Channel, granted: bool, minute: int) -> Consent:
        return Consent(
            id=minute,
            user_id=1,
            purpose=ConsentPurpose.STAY_IN_TOUCH,
            channel=channel,
            is_granted=granted,
            wording_version="t",
            source="t",
            created_at=at_utc(2027, 1, 1, 10, minute),
        )

    assert not stays_in_touch([])
    assert stays_in_touch([consent(Channel.SMS, True, 1)])
    assert not stays_in_touch([consent(Channel.SMS, False, 2), consent(Channel.SMS, True, 1)])
    assert stays_in_touch([consent(Channel.SMS, False, 2), consent(Channel.EMAIL, True, 1)])


def test_purge_spares_volunteers_staying_in_touch(
    app: Flask, settings: Settings, db_session: Session, cast: Cast
) -> None:
    counts = _purge(app, db_session, settings)

    assert not _exists(db_session, cast.leaving)
    assert not _exists(db_session, cast.changed_mind)
    assert not _exists(db_session, cast.team_lead)
    assert _exists(db_session, cast.staying)
    assert _exists(db_session, cast.coordinator)
    assert _exists(db_session, cast.in_both)
    assert counts["campaigns"] == 1
    assert counts["people_erased"] == 3
    assert counts["memberships_ended"] == 1
    assert counts["people_kept"] == 1
    assert db_session.scalar(select(func.count()).select_from(ErasedContact)) == 5


def test_active_campaign_member_loses_only_the_expired_one(
    app: Flask, settings: Settings, db_session: Session, cast: Cast
) -> None:
    _purge(app, db_session, settings)

    campaigns = db_session.scalars(
        select(Membership.campaign_id).where(Membership.user_id == cast.in_both.id)
    ).all()
    sessions = db_session.scalars(
        select(Assignment.session_id).where(Assignment.user_id == cast.in_both.id)
    ).all()
    messages = db_session.scalars(
        select(Message.idempotency_key).where(Message.user_id == cast.in_both.id)
    ).all()
    assert campaigns == [cast.active.id]
    assert len(sessions) == 1
    assert messages == ["active-0"]


def test_expired_campaign_keeps_messages_of_those_staying(
    app: Flask, settings: Settings, db_session: Session, cast: Cast
) -> None:
    _purge(app, db_session, settings)

    keys = db_session.scalars(select(Message.idempotency_key).order_by(Message.id)).all()
    assert keys == ["expired-0", "active-0"]
    assert db_session.scalar(select(func.count()).select_from(InboundSms)) == 0


def test_purge_is_idempotent(
    app: Flask, settings: Settings, db_session: Session, cast: Cast
) -> None:
    _purge(app, db_session, settings)

    second = _purge(app, db_session, settings)

    assert second["people_erased"] == 0
    assert second["memberships_ended"] == 0
    assert second["people_kept"] == 1
    assert sum(v for k, v in second.items() if k.startswith("deleted_")) == 0


def test_nothing_is_purged_before_the_retention_date(
    app: Flask, settings: Settings, db_session: Session, cast: Cast
) -> None:
    cast.expired.retention_until = date(2027, 7, 2)
    db_session.commit()

    counts = _purge(app, db_session, settings)

    assert counts["campaigns"] == 0
    assert _exists(db_session, cast.leaving)


def test_purge_runs_on_the_retention_date_itself(
    app: Flask, settings: Settings, db_session: Session, cast: Cast
) -> None:
    cast.expired.retention_until = date(2027, 7, 1)
    db_session.commit()

    assert _purge(app, db_session, settings)["campaigns"] == 1
    assert not _exists(db_session, cast.leaving)


def test_purge_logs_counts_and_no_contact(
    app: Flask,
    settings: Settings,
    db_session: Session,
    cast: Cast,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)

    _purge(app, db_session, settings)

    assert "@" not in caplog.text
    assert "+33" not in caplog.text
    assert "Quelinval" not in caplog.text


def test_old_audit_events_callbacks_and_invitations_go(
    app: Flask, settings: Settings, db_session: Session, person: SeededPerson
) -> None:
    old, recent = NOW - timedelta(days=366), NOW - timedelta(days=10)
    db_session.add_all(
        [
            AuditEvent(action="read", object_type="session", created_at=old),
            AuditEvent(action="read", object_type="session", created_at=recent),
            ProviderEvent(
                provider="sendgrid",
                event_key="old",
                payload={},
                processed_at=NOW - timedelta(days=31),
            ),
            ProviderEvent(provider="sendgrid", event_key="pending", payload={}, processed_at=None),
            Invitation(
                campaign_id=person.campaign.id,
                email="ancien@example.org",
                role=Role.COORDINATOR,
                token_hash="d4" * 32,
                expires_at=NOW - timedelta(days=31),
            ),
        ]
    )
    db_session.commit()

    counts = _purge(app, db_session, settings)

    assert counts["deleted_audit_events"] == 1
    assert counts["deleted_provider_events"] == 1
    # The seeded invitation expired in January too.
    assert counts["deleted_invitations"] == 2
    assert db_session.scalars(select(ProviderEvent.event_key)).all() == [
        "SM" + "a1" * 16 + ":delivered",
        "pending",
    ]


def test_job_commits_and_returns_counts(app: Flask, db_session: Session, cast: Cast) -> None:
    cast.expired.retention_until = local_today(utcnow()) - timedelta(days=1)
    db_session.commit()

    with app.app_context():
        counts = purge_job()

    assert counts["people_erased"] == 3
    assert not _exists(db_session, cast.leaving)


def test_cli_purge_prints_counts(app: Flask, db_session: Session, cast: Cast) -> None:
    cast.expired.retention_until = local_today(utcnow())
    db_session.commit()

    result = _invoke(app, ["privacy", "purge"])

    assert result.exit_code == 0, result.output
    assert result.output == (
        "campaigns due: 1, people erased: 3, memberships ended: 1, people kept: 1\n"
    )


def test_daily_option_needs_redis(app: Flask, db_session: Session) -> None:
    result = _invoke(app, ["privacy", "purge", "--daily"])

    assert result.exit_code == 1
    assert "cron" in result.output


def test_daily_job_rearms_once(settings: Settings) -> None:
    redis = Redis.from_url(PRIVACY_REDIS_URL)
    redis.flushdb()
    queue_settings = replace(settings, redis_url=PRIVACY_REDIS_URL)
    try:
        first = arm_daily_purge(queue_settings)
        second = arm_daily_purge(queue_settings)

        registry = ScheduledJobRegistry(DEFAULT_QUEUE, connection=redis)
        assert first == second == retention_job_id(local_today(utcnow() + timedelta(days=1)))
        assert registry.get_job_ids() == [first]
        job = Job.fetch(first, connection=redis)
        assert job.args == (True,)
        assert job.func_name == "webapp.jobs.retention.purge_expired_personal_data"
    finally:
        redis.flushdb()
        redis.close()
