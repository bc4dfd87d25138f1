"""Progress of a long step (import, scoring, planning) as the page shows it."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db import Base, UtcDateTime, enum_column, utcnow


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class JobRun(Base):
    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    campaign_id: Mapped[int | None]
    status: Mapped[JobStatus] = mapped_column(enum_column(JobStatus, 20), default=JobStatus.QUEUED)
    progress_pct: Mapped[int] = mapped_column(Integer, default=0)
    # Inputs the run was started with, such as the objective weights of a planning run.
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
