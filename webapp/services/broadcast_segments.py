"""Which volunteers a broadcast reaches: segments, and who in them may be written to.

A segment is stored as JSON on the broadcast, e.g. {"kind": "session", "session_id": 3}.
Only volunteers (not coordinators) of the campaign with an enabled account are in a
segment; "assigned" means a proposed or confirmed assignment to a session not cancelled.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, selectinload

from webapp.models import Assignment, CanvassSession, Iris, Membership, Suppression, User
from webapp.models.planning import AssignmentStatus, SessionStatus
from webapp.models.users import Channel, Role
from webapp.services.errors import ValidationError
from webapp.services.localtime import local_to_utc

ACTIVE_STATUSES = (AssignmentStatus.PROPOSED, AssignmentStatus.CONFIRMED)
# A date range longer than this is a typing mistake (a year typed wrong).
MAX_RANGE_DAYS = 366


class SegmentKind(StrEnum):
    ALL = "all"
    SESSION = "session"
    IRIS = "iris"
    DATES = "dates"
    UNASSIGNED = "unassigned"


@dataclass(frozen=True)
class Segment:
    """A group of volunteers; only the fields of its kind are set."""

    kind: SegmentKind
    session_id: int | None = None
    iris_code: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the JSON stored on the broadcast."""
        data: dict[str, Any] = {"kind": str(self.kind)}
        if self.session_id is not None:
            data["session_id"] = self.session_id
        if self.iris_code is not None:
            data["iris_code"] = self.iris_code
        if self.date_from is not None:
            data["date_from"] = self.date_from.isoformat()
        if self.date_to is not None:
            data["date_to"] = self.date_to.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Segment":
        """Read a stored segment; raise ValueError when it is malformed."""
        kind = SegmentKind(data["kind"])
        return cls(
            kind=kind,
            session_id=data.get("session_id"),
            iris_code=data.get("iris_code"),
            date_from=date.fromisoformat(data["date_from"]) if data.get("date_from") else None,
            date_to=date.fromisoformat(data["date_to"]) if data.get("date_to") else None,
        )


@dataclass(frozen=True)
class Recipient:
    user_id: int
    address: str
    locale: str


def check_segment(session: Session, campaign_id: int, segment: Segment) -> None:
    """Raise ValidationError("segment", code) when the segment's fields do not hold."""
    if segment.kind == SegmentKind.SESSION:
        canvass = session.get(CanvassSession, segment.session_id) if segment.session_id else None
        if canvass is None or canvass.campaign_id != campaign_id:
            raise ValidationError("segment", "unknown_session")
    elif segment.kind == SegmentKind.IRIS:
        if not segment.iris_code:
            raise ValidationError("segment", "missing_iris")
    elif segment.kind == SegmentKind.DATES:
        if segment.date_from is None or segment.date_to is None:
            raise ValidationError("segment", "missing_dates")
        if segment.date_to < segment.date_from:
            raise ValidationError("segment", "dates_reversed")
        if (segment.date_to - segment.date_from).days > MAX_RANGE_DAYS:
            raise ValidationError("segment", "range_too_long")


def segment_user_ids(campaign_id: int, segment: Segment, now: datetime) -> Select[int]:
    """Return a query of the ids of the segment's volunteers."""
    volunteers = (
        select(User.id)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.campaign_id == campaign_id,
            Membership.role == Role.VOLUNTEER,
            User.is_enabled.is_(True),
        )
    )
    assigned = (
        select(Assignment.user_id)
        .join(CanvassSession, Assignment.session_id == CanvassSession.id)
        .where(
            CanvassSession.campaign_id == campaign_id,
            CanvassSession.status != SessionStatus.CANCELLED,
            Assignment.status.in_(ACTIVE_STATUSES),
        )
    )
    if segment.kind == SegmentKind.ALL:
        return volunteers
    if segment.kind == SegmentKind.UNASSIGNED:
        upcoming = assigned.where(
            CanvassSession.status == SessionStatus.PLANNED, CanvassSession.ends_at > now
        )
        return volunteers.where(User.id.not_in(upcoming))
    if segment.kind == SegmentKind.SESSION:
        assigned = assigned.where(CanvassSession.id == segment.session_id)
    elif segment.kind == SegmentKind.IRIS:
        assigned = assigned.where(CanvassSession.iris_code == segment.iris_code)
    elif segment.kind == SegmentKind.DATES and segment.date_from and segment.date_to:
        assigned = assigned.where(
            CanvassSession.starts_at >= _paris_midnight(segment.date_from),
            CanvassSession.starts_at < _paris_midnight(segment.date_to + timedelta(days=1)),
        )
    return volunteers.where(User.id.in_(assigned))


def _paris_midnight(day: date) -> datetime:
    return local_to_utc(datetime.combine(day, time(0, 0)))


def list_recipients(
    session: Session, campaign_id: int, channel: Channel, segment: Segment, now: datetime
) -> list[Recipient]:
    """Return the segment's volunteers who agreed to `channel` and are not suppressed on it."""
    users = session.scalars(
        select(User)
        .where(User.id.in_(segment_user_ids(campaign_id, segment, now)))
        .options(selectinload(User.consents))
        .order_by(User.id)
    ).all()
    reachable = [
        (user, address)
        for user in users
        if (address := user.email if channel == Channel.EMAIL else user.phone_e164)
        and user.has_consent(channel)
    ]
    suppressed = _suppressed(session, campaign_id, channel, [address for _, address in reachable])
    return [
        Recipient(user_id=user.id, address=address, locale=user.locale)
        for user, address in reachable
        if address not in suppressed
    ]


def _suppressed(
    session: Session, campaign_id: int, channel: Channel, addresses: Sequence[str]
) -> set[str]:
    """Return the addresses suppressed for the campaign or everywhere, among `addresses`."""
    if not addresses:
        return set()
    # The suppression list is far shorter than a segment, so it is read whole.
    listed = session.scalars(
        select(Suppression.address).where(
            Suppression.channel == channel,
            or_(Suppression.campaign_id == campaign_id, Suppression.campaign_id.is_(None)),
        )
    )
    return set(listed) & set(addresses)


@dataclass(frozen=True)
class SessionChoice:
    session_id: int
    starts_at: datetime
    iris_name: str


@dataclass(frozen=True)
class IrisChoice:
    code: str
    name: str


@dataclass(frozen=True)
class SegmentChoices:
    """The sessions and IRIS a coordinator can pick a segment from."""

    sessions: tuple[SessionChoice, ...]
    iris: tuple[IrisChoice, ...]


def list_segment_choices(session: Session, campaign_id: int) -> SegmentChoices:
    """Return the campaign's sessions not cancelled, and the IRIS they canvass."""
    rows = session.execute(
        select(CanvassSession.id, CanvassSession.starts_at, Iris.code, Iris.name)
        .join(Iris, Iris.code == CanvassSession.iris_code)
        .where(
            CanvassSession.campaign_id == campaign_id,
            CanvassSession.status != SessionStatus.CANCELLED,
        )
        .order_by(CanvassSession.starts_at, CanvassSession.id)
    ).all()
    iris = {code: name for _, _, code, name in rows}
    return SegmentChoices(
        sessions=tuple(SessionChoice(s_id, starts_at, name) for s_id, starts_at, _, name in rows),
        iris=tuple(IrisChoice(code, name) for code, name in sorted(iris.items())),
    )
