"""The campaign's message rows for the coordinators' list: counted, filtered, one page at a time.

Rows are read without their subject and body: the list names who a message went to,
how and why, never its text.
"""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, RowMapping, case, func, select
from sqlalchemy.orm import Session

from webapp.models import Message, User
from webapp.models.messaging import MessagePurpose, MessageStatus
from webapp.models.users import Channel
from webapp.services.audit import AuditAction, record_access
from webapp.services.localtime import local_day_bounds
from webapp.services.message_sessions import session_messages_condition

PAGE_SIZE = 50
# Object type of the audit event of a read of the list, with the campaign id.
LIST_OBJECT = "message_list"


class StatusGroup(StrEnum):
    """The outcome of a message as the list groups it: waiting, sent, failed or not sent."""

    WAITING = "waiting"
    SENT = "sent"
    FAILED = "failed"
    # Stopped by a rule (opt-out, consent, erasure) or withdrawn before sending.
    NOT_SENT = "not_sent"


GROUP_STATUSES: dict[StatusGroup, tuple[MessageStatus, ...]] = {
    StatusGroup.WAITING: (MessageStatus.QUEUED, MessageStatus.SENDING),
    StatusGroup.SENT: (MessageStatus.SENT, MessageStatus.DELIVERED),
    StatusGroup.FAILED: (MessageStatus.FAILED,),
    StatusGroup.NOT_SENT: (MessageStatus.SUPPRESSED,),
}
STATUS_GROUP = {status: group for group, statuses in GROUP_STATUSES.items() for status in statuses}


@dataclass(frozen=True)
class MessageFilter:
    """The rows requested. A field left to None matches every value.

    `day` is a day of Paris time, matched against the time the list shows for a row.
    """

    group: StatusGroup | None = None
    channel: Channel | None = None
    purpose: MessagePurpose | None = None
    session_id: int | None = None
    day: date | None = None

    @property
    def is_narrowed(self) -> bool:
        """Tell whether any field leaves some rows out."""
        fields = (self.group, self.channel, self.purpose, self.session_id, self.day)
        return any(value is not None for value in fields)


@dataclass(frozen=True)
class MessageRow:
    """One message as the list shows it. `when` is the planned time of a waiting row."""

    message_id: int
    when: datetime
    is_waiting: bool
    volunteer_name: str | None
    recipient: str
    channel: str
    purpose: str
    status: str
    failure_reason: str | None


@dataclass(frozen=True)
class MessagePage:
    """A page of rows, the page numbers, and the counts per status group of the selection.

    The counts follow every field of the filter but its status group, so that they tell
    how many rows each group would show.
    """

    rows: tuple[MessageRow, ...]
    page: int
    page_count: int
    total: int
    counts: dict[StatusGroup, int]


def count_by_group(
    session: Session, campaign_id: int, message_filter: MessageFilter
) -> dict[StatusGroup, int]:
    """Count the campaign's rows of each status group that pass the filter's other fields."""
    return _count_by_group(session, _scope(session, campaign_id, message_filter))


def _count_by_group(session: Session, scope: list[ColumnElement[bool]]) -> dict[StatusGroup, int]:
    query = select(Message.status, func.count()).where(*scope).group_by(Message.status)
    counts = dict.fromkeys(StatusGroup, 0)
    for status, count in session.execute(query).all():
        counts[STATUS_GROUP[status]] += count
    return counts


def list_messages(
    session: Session, campaign_id: int, message_filter: MessageFilter, page: int = 1
) -> MessagePage:
    """Return one page of the campaign's rows that pass the filter, by `_shown_time`, latest first.

    A page number past the last page gives the last page, and one below 1 the first.
    """
    scope = _scope(session, campaign_id, message_filter)
    counts = _count_by_group(session, scope)
    group = message_filter.group
    total = counts[group] if group is not None else sum(counts.values())
    page_count = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), page_count)
    shown_time = _shown_time()
    query = (
        select(
            Message.id,
            shown_time.label("when"),
            Message.recipient,
            Message.channel,
            Message.purpose,
            Message.status,
            Message.failure_reason,
            User.first_name,
            User.last_name,
        )
        .outerjoin(User, User.id == Message.user_id)
        .where(*scope)
        # NOTE: only the campaign_id index serves this query, so PostgreSQL sorts the
        # campaign's rows for each page. That stays fast for tens of thousands of rows.
        # Rows are sorted by the time the list shows, latest first.
        .order_by(shown_time.desc(), Message.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    if group is not None:
        query = query.where(Message.status.in_(GROUP_STATUSES[group]))
    rows = tuple(_row(found) for found in session.execute(query).mappings().all())
    return MessagePage(rows=rows, page=page, page_count=page_count, total=total, counts=counts)


def read_messages(
    session: Session,
    campaign_id: int,
    message_filter: MessageFilter,
    page: int,
    actor_user_id: int,
) -> MessagePage:
    """Return a page of `list_messages`, and record who read the names and addresses on it.

    Flushes the audit event, and the caller commits. An empty page shows no name or
    address, so it is not recorded.
    """
    found = list_messages(session, campaign_id, message_filter, page)
    if found.rows:
        record_access(
            session, actor_user_id, AuditAction.READ, LIST_OBJECT, campaign_id, len(found.rows)
        )
    return found


def _scope(
    session: Session, campaign_id: int, message_filter: MessageFilter
) -> list[ColumnElement[bool]]:
    """Return the conditions of the campaign and of every field of the filter but its group."""
    conditions = [Message.campaign_id == campaign_id]
    if message_filter.channel is not None:
        conditions.append(Message.channel == message_filter.channel)
    if message_filter.purpose is not None:
        conditions.append(Message.purpose == message_filter.purpose)
    if message_filter.session_id is not None:
        conditions.append(
            session_messages_condition(session, campaign_id, message_filter.session_id)
        )
    if message_filter.day is not None:
        start, end = local_day_bounds(message_filter.day)
        shown_time = _shown_time()
        conditions += [shown_time >= start, shown_time < end]
    return conditions


def _shown_time() -> ColumnElement[datetime]:
    """Return the time a row shows: planned while it waits, then delivered, sent or last
    changed (failed, stopped or withdrawn)."""
    return case(
        (
            Message.status.in_(GROUP_STATUSES[StatusGroup.WAITING]),
            func.coalesce(Message.send_after, Message.created_at),
        ),
        else_=func.coalesce(Message.delivered_at, Message.sent_at, Message.updated_at),
    )


def _row(found: RowMapping) -> MessageRow:
    is_waiting = found["status"] in GROUP_STATUSES[StatusGroup.WAITING]
    when = found["when"]
    name = " ".join(part for part in (found["first_name"], found["last_name"]) if part)
    return MessageRow(
        message_id=found["id"],
        when=when,
        is_waiting=is_waiting,
        volunteer_name=name or None,
        recipient=found["recipient"],
        channel=found["channel"].value,
        purpose=found["purpose"].value,
        status=found["status"].value,
        failure_reason=found["failure_reason"],
    )
