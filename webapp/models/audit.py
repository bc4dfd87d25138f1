"""Who read or changed personal data, and when."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db import Base, UtcDateTime, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"),
        info={"personal": "identifier", "retention": "audit"},
    )
    action: Mapped[str] = mapped_column(
        String(60), info={"personal": "technical", "retention": "audit"}
    )
    object_type: Mapped[str] = mapped_column(
        String(60), info={"personal": "technical", "retention": "audit"}
    )
    object_id: Mapped[str | None] = mapped_column(
        String(60), info={"personal": "technical", "retention": "audit"}
    )
    row_count: Mapped[int] = mapped_column(
        default=0, info={"personal": "technical", "retention": "audit"}
    )
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime, default=utcnow, info={"personal": "technical", "retention": "audit"}
    )
