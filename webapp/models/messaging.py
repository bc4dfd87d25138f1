"""Outgoing messages (one row per recipient and purpose) and suppressed addresses."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db import Base, UtcDateTime, enum_column, utcnow
from webapp.models.users import Channel


class MessageStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
    SUPPRESSED = "suppressed"


class MessagePurpose(StrEnum):
    ASSIGNMENT_CONFIRMATION = "assignment_confirmation"
    SESSION_REMINDER = "session_reminder"
    SESSION_SOON = "session_soon"
    SESSION_THANKS = "session_thanks"
    SESSION_CHANGED = "session_changed"
    # A team's doors to visit changed on the day of the session (`route_notices`).
    # Stored in a VARCHAR without a CHECK constraint, so a new member needs no migration.
    ROUTE_CHANGED = "route_changed"
    BROADCAST = "broadcast"
    STOP_CONFIRMATION = "stop_confirmation"
    # A service message to the campaign's staff about their work (a volunteer cancelled).
    COORDINATOR_NOTICE = "coordinator_notice"


# Purposes whose messages go out without a consent row, because the recipient gets them
# as staff of the campaign. Opt-outs and erasures still stop them.
CONSENT_EXEMPT_PURPOSES = frozenset({MessagePurpose.COORDINATOR_NOTICE})


class BroadcastStatus(StrEnum):
    DRAFT = "draft"
    # Stored by the request; the preparation job writes the rows, then sets scheduled or
    # sending.
    PREPARING = "preparing"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"


class Message(Base):
    __tablename__ = "messages"
    # Opt-outs, stop replies and erasures look rows up by channel and address.
    __table_args__ = (Index("ix_messages_channel_recipient", "channel", "recipient"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"),
        index=True,
        info={"personal": "technical", "retention": "campaign"},
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"),
        index=True,
        info={"personal": "identifier", "retention": "campaign"},
    )
    # Unique per recipient, purpose and subject matter, so planning twice queues nothing new.
    idempotency_key: Mapped[str] = mapped_column(
        String(200), unique=True, info={"personal": "technical", "retention": "campaign"}
    )
    channel: Mapped[Channel] = mapped_column(
        enum_column(Channel, 10), info={"personal": "technical", "retention": "campaign"}
    )
    purpose: Mapped[MessagePurpose] = mapped_column(
        enum_column(MessagePurpose, 40), info={"personal": "technical", "retention": "campaign"}
    )
    recipient: Mapped[str] = mapped_column(
        String(254), info={"personal": "contact", "retention": "campaign"}
    )
    subject: Mapped[str] = mapped_column(
        String(300), default="", info={"personal": "message_content", "retention": "campaign"}
    )
    body: Mapped[str] = mapped_column(
        Text, info={"personal": "message_content", "retention": "campaign"}
    )
    status: Mapped[MessageStatus] = mapped_column(
        enum_column(MessageStatus, 20),
        default=MessageStatus.QUEUED,
        index=True,
        info={"personal": "technical", "retention": "campaign"},
    )
    # Indexed: delivery reports and reconciliations find their row by this id.
    provider_id: Mapped[str | None] = mapped_column(
        String(100), index=True, info={"personal": "technical", "retention": "campaign"}
    )
    attempts: Mapped[int] = mapped_column(
        Integer, default=0, info={"personal": "technical", "retention": "campaign"}
    )
    last_error: Mapped[str | None] = mapped_column(
        String(300), info={"personal": "technical", "retention": "campaign"}
    )
    send_after: Mapped[datetime | None] = mapped_column(
        UtcDateTime, info={"personal": "technical", "retention": "campaign"}
    )
    sent_at: Mapped[datetime | None] = mapped_column(
        UtcDateTime, info={"personal": "technical", "retention": "campaign"}
    )
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime, default=utcnow, info={"personal": "technical", "retention": "campaign"}
    )
    updated_at: Mapped[datetime] = mapped_column(
        UtcDateTime,
        default=utcnow,
        onupdate=utcnow,
        info={"personal": "technical", "retention": "campaign"},
    )
    # When a worker claimed the row (queued → sending); a stale claim means a crash.
    claimed_at: Mapped[datetime | None] = mapped_column(
        UtcDateTime, info={"personal": "technical", "retention": "campaign"}
    )
    delivered_at: Mapped[datetime | None] = mapped_column(
        UtcDateTime, info={"personal": "technical", "retention": "campaign"}
    )
    # Provider-independent failure class (rate_limited, invalid_recipient, …) for coordinators.
    failure_reason: Mapped[str | None] = mapped_column(
        String(40), info={"personal": "technical", "retention": "campaign"}
    )
    broadcast_id: Mapped[int | None] = mapped_column(
        ForeignKey("broadcasts.id", ondelete="SET NULL"),
        index=True,
        info={"personal": "technical", "retention": "campaign"},
    )


class Suppression(Base):
    """An address that must not be messaged again, for one campaign or (no campaign) all."""

    __tablename__ = "suppressions"
    __table_args__ = (UniqueConstraint("campaign_id", "channel", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"),
        index=True,
        info={"personal": "technical", "retention": "campaign"},
    )
    channel: Mapped[Channel] = mapped_column(
        enum_column(Channel, 10), info={"personal": "consent_proof", "retention": "campaign"}
    )
    address: Mapped[str] = mapped_column(
        String(254), info={"personal": "contact", "retention": "campaign"}
    )
    reason: Mapped[str] = mapped_column(
        String(40), info={"personal": "consent_proof", "retention": "campaign"}
    )
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime, default=utcnow, info={"personal": "consent_proof", "retention": "campaign"}
    )


class Broadcast(Base):
    """A push message to a segment of volunteers, sent now or at a set time."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, 10))
    # Segment definition, e.g. {"kind": "session", "session_id": 3}.
    segment: Mapped[dict[str, Any]] = mapped_column(JSON)
    subject: Mapped[str] = mapped_column(
        String(300),
        default="",
        info={
            "personal": "none",
            "retention": "never_personal",
            "note": "written by the campaign for many recipients",
        },
    )
    body: Mapped[str] = mapped_column(
        Text,
        info={
            "personal": "none",
            "retention": "never_personal",
            "note": "written by the campaign for many recipients",
        },
    )
    status: Mapped[BroadcastStatus] = mapped_column(
        enum_column(BroadcastStatus, 20), default=BroadcastStatus.DRAFT
    )
    scheduled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Key of the form submission that created it, so a double submit creates one broadcast.
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"),
        info={"personal": "identifier", "retention": "account"},
    )
    recipient_count: Mapped[int] = mapped_column(
        Integer, default=0, info={"personal": "none", "retention": "never_personal"}
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ProviderEvent(Base):
    """A status callback stored raw before it is processed; replays are ignored."""

    __tablename__ = "provider_events"
    __table_args__ = (UniqueConstraint("provider", "event_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(
        String(20), info={"personal": "technical", "retention": "delivery_log"}
    )
    # Twilio: message id + status; SendGrid: sg_event_id.
    event_key: Mapped[str] = mapped_column(
        String(200), info={"personal": "technical", "retention": "delivery_log"}
    )
    payload: Mapped[dict[str, Any]] = mapped_column(
        JSON,
        info={
            "personal": "contact",
            "retention": "delivery_log",
            "note": "the callback as received: recipient and status",
        },
    )
    received_at: Mapped[datetime] = mapped_column(
        UtcDateTime, default=utcnow, info={"personal": "technical", "retention": "delivery_log"}
    )
    processed_at: Mapped[datetime | None] = mapped_column(
        UtcDateTime, info={"personal": "technical", "retention": "delivery_log"}
    )


class InboundSms(Base):
    """A reply from a volunteer: a stop keyword suppresses, anything else goes to a human."""

    __tablename__ = "inbound_sms"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"),
        index=True,
        info={"personal": "technical", "retention": "campaign"},
    )
    provider_id: Mapped[str] = mapped_column(
        String(100), unique=True, info={"personal": "technical", "retention": "campaign"}
    )
    sender: Mapped[str] = mapped_column(
        String(20), info={"personal": "contact", "retention": "campaign"}
    )
    body: Mapped[str] = mapped_column(
        Text, info={"personal": "message_content", "retention": "campaign"}
    )
    is_stop: Mapped[bool] = mapped_column(
        Boolean, default=False, info={"personal": "consent_proof", "retention": "campaign"}
    )
    is_handled: Mapped[bool] = mapped_column(
        Boolean, default=False, info={"personal": "technical", "retention": "campaign"}
    )
    received_at: Mapped[datetime] = mapped_column(
        UtcDateTime, default=utcnow, info={"personal": "technical", "retention": "campaign"}
    )


class ErasedContact(Base):
    """A keyed hash of an erased person's phone or e-mail, so they are never contacted again.

    The hash is an HMAC with the application's secret key: the address cannot be read
    back, but a new message to the same address can be recognised and suppressed.
    """

    __tablename__ = "erased_contacts"
    __table_args__ = (UniqueConstraint("channel", "address_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[Channel] = mapped_column(
        enum_column(Channel, 10), info={"personal": "technical", "retention": "erasure_list"}
    )
    address_hash: Mapped[str] = mapped_column(
        String(64), info={"personal": "contact_hash", "retention": "erasure_list"}
    )
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime, default=utcnow, info={"personal": "technical", "retention": "erasure_list"}
    )
