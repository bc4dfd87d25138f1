"""Retention: what the daily purge erases once a campaign's retention date has come.

On and after a campaign's `retention_until` (a date in Europe/Paris), its volunteers and
team leads are erased exactly as on their own request, except those whose latest
stay-in-touch consent, on any channel, is granted. Someone who also volunteers for a
campaign whose date has not come keeps their account and loses only what ties them to
the expired campaign. The campaign's remaining messages and SMS replies go too, except
those of the people who stay. Staff accounts are kept: they follow their account.

Beyond campaigns, the purge also deletes audit events older than a year, provider
callbacks processed more than 30 days ago and invitations expired for 30 days.
"""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, delete, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Delete

from webapp.models import (
    Assignment,
    Campaign,
    CanvassSession,
    Consent,
    InboundSms,
    Invitation,
    LeftOutVolunteer,
    Membership,
    Message,
    ProviderEvent,
    User,
)
from webapp.models.users import ConsentPurpose, Role
from webapp.services.audit import AuditAction, delete_old_audit_events, record_access
from webapp.services.erasure import PersonNotFoundError, erase_person
from webapp.services.localtime import to_local_naive
from webapp.settings import Settings

logger = logging.getLogger(__name__)

PURGED_ROLES = (Role.VOLUNTEER, Role.TEAM_LEAD)
DELIVERY_LOG_RETENTION = timedelta(days=30)
EXPIRED_INVITATION_RETENTION = timedelta(days=30)


@dataclass
class PurgeReport:
    """Counts only: the purge never reports who it erased."""

    campaigns: int = 0
    people_erased: int = 0
    memberships_ended: int = 0
    people_kept: int = 0
    rows_deleted: dict[str, int] = field(default_factory=dict)

    def add(self, table: str, count: int) -> None:
        self.rows_deleted[table] = self.rows_deleted.get(table, 0) + count

    def as_counts(self) -> dict[str, int]:
        return {
            "campaigns": self.campaigns,
            "people_erased": self.people_erased,
            "memberships_ended": self.memberships_ended,
            "people_kept": self.people_kept,
            **{f"deleted_{table}": count for table, count in sorted(self.rows_deleted.items())},
        }


def local_today(now: datetime) -> date:
    """Return the date in Europe/Paris at `now`, the calendar retention dates use."""
    return to_local_naive(now).date()


def expired_campaign_ids(session: Session, today: date) -> list[int]:
    """Return the campaigns whose retention date is today or past."""
    return list(
        session.scalars(
            select(Campaign.id)
            .where(Campaign.retention_until.is_not(None), Campaign.retention_until <= today)
            .order_by(Campaign.id)
        )
    )


def stays_in_touch(consents: list[Consent]) -> bool:
    """Tell whether the latest stay-in-touch decision on some channel is a grant."""
    latest: dict[str, Consent] = {}
    for consent in sorted(consents, key=lambda c: (c.created_at, c.id)):
        if consent.purpose == ConsentPurpose.STAY_IN_TOUCH:
            latest[consent.channel] = consent
    return any(consent.is_granted for consent in latest.values())


def purge_expired_personal_data(
    session: Session, settings: Settings, *, now: datetime
) -> PurgeReport:
    """Apply every retention rule that has come due; flushes only, the caller commits.

    Idempotent: a second run finds no one left to erase and nothing old left to delete.
    """
    report = PurgeReport()
    today = local_today(now)
    for campaign_id in expired_campaign_ids(session, today):
        report.campaigns += 1
        _purge_campaign(session, settings, campaign_id, today, report)
    report.add("audit_events", delete_old_audit_events(session, now=now))
    report.add("provider_events", _delete_old_provider_events(session, now))
    report.add("invitations", _delete_expired_invitations(session, now))
    session.flush()
    if report.people_erased or report.memberships_ended:
        record_access(
            session,
            None,
            AuditAction.PURGE,
            "retention",
            None,
            report.people_erased + report.memberships_ended,
            now=now,
        )
    return report


def _purge_campaign(
    session: Session, settings: Settings, campaign_id: int, today: date, report: PurgeReport
) -> None:
    members = session.scalars(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.campaign_id == campaign_id, Membership.role.in_(PURGED_ROLES))
        .order_by(User.id)
    ).all()
    staying: set[int] = set()
    for user in members:
        if stays_in_touch(user.consents):
            staying.add(user.id)
            report.people_kept += 1
        elif _has_active_campaign(session, user.id, campaign_id, today):
            _end_membership(session, user.id, campaign_id, report)
            report.memberships_ended += 1
        else:
            try:
                erased = erase_person(session, user.id, reason="retention", settings=settings)
            except PersonNotFoundError:
                continue
            report.people_erased += 1
            for table, count in erased.deleted.items():
                report.add(table, count)
    _delete_campaign_messages(session, campaign_id, staying, report)


def _has_active_campaign(session: Session, user_id: int, campaign_id: int, today: date) -> bool:
    other = session.scalars(
        select(Membership.id)
        .join(Campaign, Campaign.id == Membership.campaign_id)
        .where(
            Membership.user_id == user_id,
            Membership.campaign_id != campaign_id,
            (Campaign.retention_until.is_(None)) | (Campaign.retention_until > today),
        )
    ).first()
    return other is not None


def _end_membership(session: Session, user_id: int, campaign_id: int, report: PurgeReport) -> None:
    sessions = select(CanvassSession.id).where(CanvassSession.campaign_id == campaign_id)
    statements = {
        "assignments": delete(Assignment).where(
            Assignment.user_id == user_id, Assignment.session_id.in_(sessions)
        ),
        "left_out_volunteers": delete(LeftOutVolunteer).where(
            LeftOutVolunteer.user_id == user_id, LeftOutVolunteer.campaign_id == campaign_id
        ),
        "messages": delete(Message).where(
            Message.user_id == user_id, Message.campaign_id == campaign_id
        ),
        "memberships": delete(Membership).where(
            Membership.user_id == user_id, Membership.campaign_id == campaign_id
        ),
    }
    for table, statement in statements.items():
        report.add(table, _row_count(session.execute(_no_sync(statement))))


def _delete_campaign_messages(
    session: Session, campaign_id: int, staying: set[int], report: PurgeReport
) -> None:
    kept_phones = set(
        session.scalars(
            select(User.phone_e164).where(User.id.in_(staying), User.phone_e164.is_not(None))
        )
    )
    messages = delete(Message).where(
        Message.campaign_id == campaign_id,
        Message.user_id.is_(None) | Message.user_id.not_in(staying),
    )
    replies = delete(InboundSms).where(
        InboundSms.campaign_id == campaign_id, InboundSms.sender.not_in(kept_phones)
    )
    report.add("messages", _row_count(session.execute(_no_sync(messages))))
    report.add("inbound_sms", _row_count(session.execute(_no_sync(replies))))


def _delete_old_provider_events(session: Session, now: datetime) -> int:
    statement = delete(ProviderEvent).where(
        ProviderEvent.processed_at.is_not(None),
        ProviderEvent.processed_at < now - DELIVERY_LOG_RETENTION,
    )
    return _row_count(session.execute(_no_sync(statement)))


def _delete_expired_invitations(session: Session, now: datetime) -> int:
    statement = delete(Invitation).where(
        and_(
            Invitation.accepted_at.is_(None),
            Invitation.expires_at < now - EXPIRED_INVITATION_RETENTION,
        )
    )
    return _row_count(session.execute(_no_sync(statement)))


def _no_sync(statement: Delete) -> Delete:
    return statement.execution_options(synchronize_session=False)


def _row_count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
