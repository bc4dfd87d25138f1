"""Read, claim and update message rows in bulk, for the delivery of a batch.

The claim locks queued and due rows with `FOR UPDATE SKIP LOCKED` on PostgreSQL, so two
workers given the same ids split them instead of waiting for each other. Every status
write names the status it expects to replace, so a row another step has moved on is
left as it is: statuses never go back.
"""

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Integer,
    RowMapping,
    String,
    Table,
    bindparam,
    func,
    or_,
    select,
    update,
)
from sqlalchemy import column as sql_column
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine

from webapp.db import UtcDateTime
from webapp.models import Message
from webapp.models.messaging import MessagePurpose, MessageStatus
from webapp.models.users import Channel

_COLUMNS = (
    Message.id,
    Message.campaign_id,
    Message.user_id,
    Message.channel,
    Message.purpose,
    Message.recipient,
    Message.subject,
    Message.body,
    Message.idempotency_key,
    Message.status,
    Message.send_after,
    Message.attempts,
)


@dataclass(frozen=True)
class OutgoingMessage:
    """The fields of a message row that its delivery reads."""

    id: int
    campaign_id: int
    user_id: int | None
    channel: Channel
    purpose: MessagePurpose
    recipient: str
    subject: str
    body: str
    idempotency_key: str
    status: MessageStatus
    send_after: datetime | None
    attempts: int


def load_messages(session: Session, message_ids: Collection[int]) -> list[OutgoingMessage]:
    """Read the rows without locking them, in id order; unknown ids are left out."""
    rows = session.execute(
        select(*_COLUMNS).where(Message.id.in_(list(message_ids))).order_by(Message.id)
    )
    return [_outgoing(row._mapping) for row in rows]


def claim_messages(
    session: Session, message_ids: Collection[int], now: datetime
) -> dict[int, OutgoingMessage]:
    """Lock the rows still queued and due that no other worker has locked; return them by id."""
    statement = (
        select(*_COLUMNS)
        .where(
            Message.id.in_(list(message_ids)),
            Message.status == MessageStatus.QUEUED,
            or_(Message.send_after.is_(None), Message.send_after <= now),
        )
        .order_by(Message.id)
    )
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    return {row.id: _outgoing(row._mapping) for row in session.execute(statement)}


def _outgoing(row: RowMapping) -> OutgoingMessage:
    return OutgoingMessage(**row)


def current_statuses(session: Session, message_ids: Collection[int]) -> dict[int, MessageStatus]:
    """Return the status of each row that exists."""
    if not message_ids:
        return {}
    rows = session.execute(
        select(Message.id, Message.status).where(Message.id.in_(list(message_ids)))
    )
    return {message_id: status for message_id, status in rows}


def mark_sending(session: Session, message_ids: Collection[int], claimed_at: datetime) -> None:
    """Move claimed rows from queued to sending, counting one more attempt."""
    if not message_ids:
        return
    session.execute(
        update(Message)
        .where(Message.id.in_(list(message_ids)), Message.status == MessageStatus.QUEUED)
        .values(
            status=MessageStatus.SENDING,
            claimed_at=claimed_at,
            attempts=Message.attempts + 1,
            updated_at=claimed_at,
        )
        .execution_options(synchronize_session=False)
    )


def mark_suppressed(session: Session, reasons: Mapping[int, str], at: datetime) -> None:
    """Move queued rows to suppressed, each with its reason."""
    by_reason: dict[str, list[int]] = {}
    for message_id, reason in reasons.items():
        by_reason.setdefault(reason, []).append(message_id)
    for reason, message_ids in by_reason.items():
        session.execute(
            update(Message)
            .where(Message.id.in_(message_ids), Message.status == MessageStatus.QUEUED)
            .values(status=MessageStatus.SUPPRESSED, failure_reason=reason, updated_at=at)
            .execution_options(synchronize_session=False)
        )


def hold_messages(session: Session, openings: Mapping[int, datetime], at: datetime) -> None:
    """Set the time queued rows may go out, for messages held by the push window."""
    _update_from_values(
        session,
        [(key, value) for key, value in openings.items()],
        ("send_after", UtcDateTime()),
        expected=MessageStatus.QUEUED,
        changes={"updated_at": at},
    )


def mark_sent(session: Session, provider_ids: Mapping[int, str], at: datetime) -> None:
    """Record the provider's id of rows in sending that the provider accepted."""
    _update_from_values(
        session,
        [(key, value) for key, value in provider_ids.items()],
        ("provider_id", String(100)),
        expected=MessageStatus.SENDING,
        changes={"status": MessageStatus.SENT.value, "sent_at": at, "updated_at": at},
    )


def _update_from_values(
    session: Session,
    rows: list[tuple[int, object]],
    column: tuple[str, TypeEngine[Any]],
    *,
    expected: MessageStatus,
    changes: Mapping[str, object],
) -> None:
    """Set one column to a value per row, and `changes` on each, where rows are `expected`.

    PostgreSQL gets one UPDATE … FROM unnest(ids, values), a single round trip whose
    SQL is the same for every batch; other databases an executemany.
    """
    if not rows:
        return
    name, type_ = column
    table = _messages_table()
    if session.get_bind().dialect.name != "postgresql":
        statement = (
            update(table)
            .where(table.c.id == bindparam("row_id"), table.c.status == expected.value)
            .values({name: bindparam("row_value"), **changes})
        )
        session.execute(statement, [{"row_id": key, "row_value": value} for key, value in rows])
        return
    given = (
        func.unnest(
            bindparam("row_ids", [key for key, _ in rows], type_=ARRAY(Integer())),
            bindparam("row_values", [value for _, value in rows], type_=ARRAY(type_)),
        )
        .table_valued(sql_column("row_id", Integer()), sql_column("row_value", type_))
        .render_derived(name="given")
    )
    session.execute(
        update(table)
        .where(table.c.id == given.c.row_id, table.c.status == expected.value)
        .values({name: given.c.row_value, **changes})
    )


def _messages_table() -> Table:
    table = Message.__table__
    assert isinstance(table, Table)
    return table


def expire_loaded(session: Session, message_ids: Collection[int]) -> None:
    """Expire the session's loaded copies of these rows, which the bulk updates bypassed."""
    wanted = set(message_ids)
    for instance in list(session.identity_map.values()):
        if isinstance(instance, Message) and instance.id in wanted:
            session.expire(instance)
