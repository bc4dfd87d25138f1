"""A campaign: one election, one territory, its own volunteers and settings."""

from datetime import date, datetime, time

from sqlalchemy import JSON, Integer, String, Time
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db import Base, UtcDateTime, utcnow


class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(
        String(200), info={"personal": "none", "retention": "never_personal"}
    )
    election_kind: Mapped[str] = mapped_column(String(40))
    first_round_on: Mapped[date | None]
    second_round_on: Mapped[date | None]
    # INSEE codes of the communes the campaign covers.
    commune_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Candidate names, as in the results files, whose votes count as "ours" for scoring.
    our_candidates: Mapped[list[str]] = mapped_column(JSON, default=list)
    reference_election: Mapped[str] = mapped_column(String(40), default="pres2022_t1")
    sms_sender_name: Mapped[str] = mapped_column(
        String(11), default="Tournee", info={"personal": "none", "retention": "never_personal"}
    )
    retention_until: Mapped[date | None]
    # Planning rules: minutes between two sessions of one volunteer, sessions per week.
    rest_minutes: Mapped[int] = mapped_column(Integer, default=60)
    max_sessions_per_week: Mapped[int] = mapped_column(Integer, default=3)
    # Objective weights a coordinator sets; keys are the planner's weight names.
    planning_weights: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    # Push-message window, Europe/Paris wall clock, Monday to Saturday.
    quiet_hours_start: Mapped[time] = mapped_column(Time, default=time(20, 0))
    quiet_hours_end: Mapped[time] = mapped_column(Time, default=time(8, 0))
    # Hours before polls close on each round day (20:00 in large communes).
    polls_close_at: Mapped[time] = mapped_column(Time, default=time(20, 0))
    # Reminder timing in minutes relative to the session start (negative: before).
    reminder_offsets: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
