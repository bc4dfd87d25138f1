"""The audit log: who read, exported or erased personal data, and when."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from webapp.db import utcnow
from webapp.models import AuditEvent, Membership, User

logger = logging.getLogger(__name__)

AUDIT_RETENTION = timedelta(days=365)
PAGE_SIZE = 50
MAX_FIELD_LENGTH = 60


class AuditAction:
    """Action names written by this application; others may add their own."""

    READ = "read"
    EXPORT = "export"
    ERASE = "erase"
    PURGE = "purge"
    CONSENT_CHANGE = "consent_change"


def record_access(  # noqa: PLR0917 - the positional order other areas call it with
    session: Session,
    actor_user_id: int | None,
    action: str,
    object_type: str,
    object_id: int | str | None,
    row_count: int = 0,
    *,
    now: datetime | None = None,
) -> AuditEvent:
    """Add an audit event; flushes only, so it commits with the caller's unit of work.

    `object_id` is an id, never a name, address or phone number: the log must not
    become a second copy of the data it watches over.
    """
    event = AuditEvent(
        actor_user_id=actor_user_id,
        action=action[:MAX_FIELD_LENGTH],
        object_type=object_type[:MAX_FIELD_LENGTH],
        object_id=None if object_id is None else str(object_id)[:MAX_FIELD_LENGTH],
        row_count=max(0, row_count),
        created_at=now or utcnow(),
    )
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class AuditRow:
    """One line of the audit log page; the actor is named only to administrators."""

    created_at: datetime
    actor_name: str | None
    actor_user_id: int | None
    action: str
    object_type: str
    object_id: str | None
    row_count: int


@dataclass(frozen=True)
class AuditPage:
    rows: tuple[AuditRow, ...]
    page: int
    has_next: bool


def list_audit_events(session: Session, campaign_id: int, page: int = 1) -> AuditPage:
    """Return one page of events, newest first, by members of the campaign or the system.

    NOTE: events have no campaign column, so an event is shown when its actor belongs to
    the campaign. The events of a person in two campaigns are shown in both.
    """
    page = max(1, page)
    members = select(Membership.user_id).where(Membership.campaign_id == campaign_id)
    query = (
        select(AuditEvent, User.first_name, User.last_name)
        .outerjoin(User, User.id == AuditEvent.actor_user_id)
        .where(or_(AuditEvent.actor_user_id.is_(None), AuditEvent.actor_user_id.in_(members)))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    )
    found = session.execute(query).all()
    rows = tuple(
        AuditRow(
            created_at=event.created_at,
            actor_name=f"{first} {last}" if first is not None else None,
            actor_user_id=event.actor_user_id,
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            row_count=event.row_count,
        )
        for event, first, last in found[:PAGE_SIZE]
    )
    return AuditPage(rows=rows, page=page, has_next=len(found) > PAGE_SIZE)


def delete_old_audit_events(session: Session, *, now: datetime) -> int:
    """Delete events older than the audit retention; return how many went."""
    cutoff = now - AUDIT_RETENTION
    count = session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.created_at < cutoff)
    )
    session.execute(delete(AuditEvent).where(AuditEvent.created_at < cutoff))
    return int(count or 0)
