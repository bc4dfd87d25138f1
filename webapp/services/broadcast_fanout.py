"""Write a broadcast's message rows in one INSERT … SELECT, however many recipients it has.

The database picks the recipients itself, with the conditions of
`webapp.services.broadcast_reach` that the estimate counts with. The text is rendered
once per locale, never once per person: an e-mail carries `UNSUBSCRIBE_URL_TAG` where
each person's unsubscribe link goes, and the provider fills it in at send time. The
unique idempotency key per recipient and purpose makes a second run insert nothing.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Select, String, case, cast, literal, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from webapp.db import UtcDateTime
from webapp.models import Broadcast, Message, User
from webapp.models.messaging import MessagePurpose, MessageStatus
from webapp.models.users import Channel
from webapp.services.broadcast_reach import reachable_conditions, recipient_address
from webapp.services.broadcast_segments import Segment
from webapp.services.message_batch import UNSUBSCRIBE_URL_TAG, MessageContent, render_message
from webapp.settings_access import get_settings

BROADCAST_TEMPLATE = "broadcast"
# Rows from which a preparation refreshes the table's planner statistics.
ANALYZE_AFTER_ROWS = 10_000
_COLUMNS = [
    "campaign_id",
    "user_id",
    "idempotency_key",
    "channel",
    "purpose",
    "recipient",
    "subject",
    "body",
    "status",
    "attempts",
    "send_after",
    "created_at",
    "updated_at",
    "broadcast_id",
]


def broadcast_key_prefix(broadcast: Broadcast) -> str:
    """Return the start of the idempotency keys of a broadcast's rows."""
    return f"broadcast:{broadcast.id}:"


def insert_broadcast_messages(session: Session, broadcast: Broadcast, now: datetime) -> list[int]:
    """Insert a queued row per reachable recipient of the broadcast; return the new ids.

    Rows whose key exists already are left as they are and not returned. Needs an app
    context for e-mails (templates and translations).
    """
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(Message).from_select(_COLUMNS, _recipient_rows(broadcast, now))
    has_rows = session.scalar(
        select(Message.id).where(Message.broadcast_id == broadcast.id).limit(1)
    )
    if has_rows is not None:
        # Keys carry the broadcast's id, so only a broadcast prepared before can meet its
        # own keys. A first preparation skips the cost of checking each row.
        statement = statement.on_conflict_do_nothing(index_elements=["idempotency_key"])
    message_ids = sorted(session.scalars(statement.returning(Message.id)))
    if len(message_ids) >= ANALYZE_AFTER_ROWS and dialect is postgresql:
        # Statistics from before the insert call queued rows rare, and the planner would
        # then find a batch's rows through the status index: 60 ms a claim with a million
        # rows queued, until autovacuum analyzes the table. Other sessions see the new
        # statistics when this transaction commits.
        session.execute(text("ANALYZE messages"))
    return message_ids


def _recipient_rows(broadcast: Broadcast, now: datetime) -> Select[Any]:
    """Return the query of the rows to insert, in the order of `_COLUMNS`."""
    channel = broadcast.channel
    address = recipient_address(channel)
    segment = Segment.from_json(broadcast.segment)
    subject, body = _texts(broadcast)
    return (
        select(
            literal(broadcast.campaign_id),
            User.id,
            literal(broadcast_key_prefix(broadcast))
            + cast(User.id, String)
            + literal(f":{channel.value}"),
            literal(channel.value),
            literal(MessagePurpose.BROADCAST.value),
            address,
            subject,
            body,
            literal(MessageStatus.QUEUED.value),
            literal(0),
            literal(broadcast.scheduled_at, UtcDateTime),
            literal(now, UtcDateTime),
            literal(now, UtcDateTime),
            literal(broadcast.id),
        )
        .where(*reachable_conditions(broadcast.campaign_id, channel, segment, now))
        .order_by(User.id)
    )


def _texts(broadcast: Broadcast) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    """Return SQL expressions of the subject and body, rendered once per locale."""
    if broadcast.channel != Channel.EMAIL:
        return literal(""), literal(broadcast.body)
    settings = get_settings()
    rendered: dict[str, MessageContent] = {
        locale: render_message(
            BROADCAST_TEMPLATE,
            Channel.EMAIL,
            locale,
            {"subject": broadcast.subject, "body": broadcast.body},
            unsubscribe_url=UNSUBSCRIBE_URL_TAG,
        )
        for locale in settings.supported_locales
    }
    default = rendered[settings.default_locale]
    subject = case(
        {locale: content.subject for locale, content in rendered.items()},
        value=User.locale,
        else_=default.subject,
    )
    body = case(
        {locale: content.body for locale, content in rendered.items()},
        value=User.locale,
        else_=default.body,
    )
    return subject, body
