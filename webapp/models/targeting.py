"""Score of each IRIS for a campaign, with its explanation and the coordinator's choice."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db import Base, UtcDateTime, utcnow


class IrisScore(Base):
    __tablename__ = "iris_scores"
    __table_args__ = (UniqueConstraint("campaign_id", "iris_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    iris_code: Mapped[str] = mapped_column(ForeignKey("iris.code"))
    rank: Mapped[int]
    score: Mapped[float] = mapped_column(Float)
    registered: Mapped[float] = mapped_column(Float)
    abstentions: Mapped[float] = mapped_column(Float)
    expressed: Mapped[float] = mapped_column(Float)
    our_votes: Mapped[float] = mapped_column(Float)
    potential: Mapped[float] = mapped_column(Float)
    households: Mapped[float] = mapped_column(Float)
    # True when fewer than 11 households live there: no figure may be shown.
    is_suppressed: Mapped[bool] = mapped_column(Boolean)
    # Station number -> share of that station's addresses lying in this IRIS.
    contributions: Mapped[dict[str, Any]] = mapped_column(JSON)
    is_target: Mapped[bool] = mapped_column(Boolean, default=False)
    # Languages (ISO 639-1) a team should speak there, set by the coordinator.
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    @property
    def abstention_rate(self) -> float:
        return self.abstentions / self.registered if self.registered else 0.0

    @property
    def our_share(self) -> float:
        return self.our_votes / self.expressed if self.expressed else 0.0
