"""Canvassing sessions, who is assigned to them, and the routes their teams walk."""

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import Base, UtcDateTime, enum_column, utcnow

if TYPE_CHECKING:
    from webapp.models.territory import Iris
    from webapp.models.users import User


class SessionStatus(StrEnum):
    PLANNED = "planned"
    CANCELLED = "cancelled"
    DONE = "done"


class AssignmentStatus(StrEnum):
    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    ATTENDED = "attended"


class CanvassSession(Base):
    __tablename__ = "canvass_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    meeting_point_label: Mapped[str] = mapped_column(String(300))
    meeting_lon: Mapped[float] = mapped_column(
        Float,
        info={"personal": "none", "retention": "never_personal", "note": "a public meeting place"},
    )
    meeting_lat: Mapped[float] = mapped_column(
        Float,
        info={"personal": "none", "retention": "never_personal", "note": "a public meeting place"},
    )
    # Where the routes end when not back at the meeting point (a public-transport stop).
    end_point_label: Mapped[str] = mapped_column(String(300), default="")
    end_lon: Mapped[float | None] = mapped_column(
        Float,
        info={"personal": "none", "retention": "never_personal", "note": "a public stop"},
    )
    end_lat: Mapped[float | None] = mapped_column(
        Float,
        info={"personal": "none", "retention": "never_personal", "note": "a public stop"},
    )
    iris_code: Mapped[str] = mapped_column(ForeignKey("iris.code"))
    min_volunteers: Mapped[int] = mapped_column(Integer)
    max_volunteers: Mapped[int] = mapped_column(Integer)
    status: Mapped[SessionStatus] = mapped_column(
        enum_column(SessionStatus, 20), default=SessionStatus.PLANNED
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    # Its name goes beside the date wherever a session is shown, because sessions in
    # different IRIS may share a time slot.
    iris: Mapped["Iris"] = relationship()
    assignments: Mapped[list["Assignment"]] = relationship(
        back_populates="session",
        cascade="all, delete-orphan",
        order_by="Assignment.team",
        foreign_keys="Assignment.session_id",
    )
    routes: Mapped[list["Route"]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="Route.team"
    )

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def has_end_point(self) -> bool:
        """Tell whether the routes end at a point of their own instead of the meeting point."""
        return self.end_lon is not None and self.end_lat is not None


class Assignment(Base):
    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("canvass_sessions.id", ondelete="CASCADE"),
        index=True,
        info={"personal": "participation", "retention": "campaign"},
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"),
        index=True,
        info={"personal": "identifier", "retention": "campaign"},
    )
    team: Mapped[int] = mapped_column(
        Integer, info={"personal": "participation", "retention": "campaign"}
    )
    status: Mapped[AssignmentStatus] = mapped_column(
        enum_column(AssignmentStatus, 20),
        default=AssignmentStatus.PROPOSED,
        info={"personal": "participation", "retention": "campaign"},
    )
    # The status before a coordinator marked the team absent. It is kept while the team
    # is absent, so that marking the team present again restores it, and None otherwise.
    status_before_absence: Mapped[AssignmentStatus | None] = mapped_column(
        enum_column(AssignmentStatus, 20),
        info={"personal": "participation", "retention": "campaign"},
    )
    # The session a coordinator moved the volunteer to, leaving this place declined.
    # None for any other decline, and once the volunteer is placed here again.
    moved_to_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("canvass_sessions.id", ondelete="SET NULL"),
        info={"personal": "participation", "retention": "campaign"},
    )
    # A coordinator's manual choice, kept by every later planning run.
    is_locked: Mapped[bool] = mapped_column(
        Boolean, default=False, info={"personal": "participation", "retention": "campaign"}
    )
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime, default=utcnow, info={"personal": "technical", "retention": "campaign"}
    )

    session: Mapped[CanvassSession] = relationship(
        back_populates="assignments", foreign_keys=[session_id]
    )
    user: Mapped["User"] = relationship()


class LeftOutVolunteer(Base):
    """A volunteer the last planning run could not place, with the solver's reason."""

    __tablename__ = "left_out_volunteers"
    __table_args__ = (UniqueConstraint("campaign_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"),
        info={"personal": "participation", "retention": "campaign"},
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"),
        info={"personal": "identifier", "retention": "campaign"},
    )
    reason: Mapped[str] = mapped_column(
        String(40), info={"personal": "participation", "retention": "campaign"}
    )
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime, default=utcnow, info={"personal": "technical", "retention": "campaign"}
    )


class StreetClosure(Base):
    """A street that a session's routes must avoid (works, a market, an event).

    A row closes one way of the street network. A street that only the addresses name,
    such as the paths of a residence missing from OpenStreetMap, has a row with its
    folded name in `street_key` and no way. Its doors leave the routes, and the walking
    graph stays as it is.
    """

    __tablename__ = "street_closures"
    __table_args__ = (
        UniqueConstraint("session_id", "street_way_id"),
        UniqueConstraint("session_id", "street_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("canvass_sessions.id", ondelete="CASCADE"), index=True
    )
    street_way_id: Mapped[int | None] = mapped_column(
        ForeignKey("street_ways.id", ondelete="CASCADE")
    )
    street_key: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Route(Base):
    """The ordered doors one team walks during a session, opened by an unguessable token."""

    __tablename__ = "routes"
    __table_args__ = (UniqueConstraint("session_id", "team"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("canvass_sessions.id", ondelete="CASCADE"), index=True
    )
    team: Mapped[int] = mapped_column(Integer)
    address_ids: Mapped[list[int]] = mapped_column(
        JSON,
        info={"personal": "none", "retention": "never_personal", "note": "public BAN addresses"},
    )
    # [[lon, lat], ...] along the streets, meeting point to meeting point.
    path: Mapped[list[list[float]]] = mapped_column(JSON)
    length_m: Mapped[int] = mapped_column(Integer)
    walking_minutes: Mapped[float] = mapped_column(Float)
    total_minutes: Mapped[float] = mapped_column(Float)
    # Where, in `address_ids`, the walk that `path`, `length_m` and the minutes describe
    # starts. None when it leaves the meeting point and takes every door. Once a
    # re-planning walked a team already out on from its last visited door, it is the
    # index of the walk's first door, after the doors visited by then
    # (`webapp.services.replanning`). It equals the length of `address_ids` when that
    # walk has no door.
    walk_start_index: Mapped[int | None] = mapped_column(Integer)
    # The doors to visit that a street closure took from the route, in walking order.
    # They come back to its team when their street reopens (`webapp.services.closed_doors`).
    closed_address_ids: Mapped[list[int] | None] = mapped_column(
        JSON,
        info={"personal": "none", "retention": "never_personal", "note": "public BAN addresses"},
    )
    # The number of addresses on the route; each address may hold several dwellings.
    door_count: Mapped[int] = mapped_column(Integer)
    # The estimated dwellings behind those addresses, at least one each as planned.
    dwelling_count: Mapped[int] = mapped_column(Integer)
    access_token: Mapped[str] = mapped_column(
        String(64), unique=True, info={"personal": "credential", "retention": "link_expiry"}
    )
    # Short code for a printed link or QR code; it opens the same route as the token.
    short_code: Mapped[str | None] = mapped_column(
        String(16), unique=True, info={"personal": "credential", "retention": "link_expiry"}
    )
    token_expires_at: Mapped[datetime] = mapped_column(
        UtcDateTime, info={"personal": "technical", "retention": "link_expiry"}
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # The doors, done and to visit, that the team was last notified of, and the members
    # notified, as assignment ids. Set when the plan is published, by a change before
    # the notice window, and once a route notice goes out
    # (`webapp.services.route_notice_state`). None while nobody was notified.
    notified_address_ids: Mapped[list[int] | None] = mapped_column(
        JSON,
        info={"personal": "none", "retention": "never_personal", "note": "public BAN addresses"},
    )
    notified_assignment_ids: Mapped[list[int] | None] = mapped_column(
        JSON, info={"personal": "participation", "retention": "campaign"}
    )
    # The same for a route notice held until `notice_held_until`. A change before then
    # withdraws that notice, so these never count as notified.
    held_address_ids: Mapped[list[int] | None] = mapped_column(
        JSON,
        info={"personal": "none", "retention": "never_personal", "note": "public BAN addresses"},
    )
    held_assignment_ids: Mapped[list[int] | None] = mapped_column(
        JSON, info={"personal": "participation", "retention": "campaign"}
    )
    notice_held_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # When a member of the team, marked absent, marked it present again from the route
    # link. Cleared when the team is marked absent again.
    present_declared_at: Mapped[datetime | None] = mapped_column(
        UtcDateTime, info={"personal": "participation", "retention": "campaign"}
    )

    session: Mapped[CanvassSession] = relationship(back_populates="routes")

    def summary(self) -> dict[str, Any]:
        return {
            "team": self.team,
            "addresses": self.door_count,
            "dwellings": self.dwelling_count,
            "length_m": self.length_m,
            "minutes": round(self.total_minutes),
        }


class ReplacedRouteLink(Base):
    """A route link given up when its team's members changed, so that it opens a page saying
    so instead of the route of the new team.

    A row stands for a token or a short code, stored as its SHA-256 digest: the link opens
    nothing any more, and the digest is all that recognising it takes.
    """

    __tablename__ = "replaced_route_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("canvass_sessions.id", ondelete="CASCADE"), index=True
    )
    # The team the link was sent to, as numbered when it was sent.
    team: Mapped[int] = mapped_column(Integer)
    link_digest: Mapped[str] = mapped_column(
        String(64),
        index=True,
        info={
            "personal": "credential",
            "retention": "link_expiry",
            "note": "SHA-256 digest of a route link given up; it opens no route",
        },
    )
    replaced_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
