"""Create and list canvassing sessions."""

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import Address, CanvassSession, Iris
from webapp.services.errors import ValidationError
from webapp.services.localtime import local_to_utc


@dataclass(frozen=True)
class SessionDraft:
    """What a coordinator enters; times are wall-clock Europe/Paris."""

    day: date
    start: time
    end: time
    iris_code: str
    min_volunteers: int
    max_volunteers: int
    meeting_address_id: int | None = None
    meeting_lon: float | None = None
    meeting_lat: float | None = None
    meeting_label: str = ""
    # Where the routes end instead of the meeting point, such as a public-transport stop.
    end_lon: float | None = None
    end_lat: float | None = None
    end_label: str = ""


def create_session(session: Session, campaign_id: int, draft: SessionDraft) -> CanvassSession:
    """Validate the draft against the territory and add the session."""
    if draft.end <= draft.start:
        raise ValidationError("end", "end_before_start")
    if not 2 <= draft.min_volunteers <= draft.max_volunteers:
        raise ValidationError("max_volunteers", "bad_bounds")
    iris = session.get(Iris, draft.iris_code)
    if iris is None:
        raise ValidationError("iris_code", "unknown_iris")
    lon, lat, label = _meeting_point(session, draft)
    end_lon, end_lat, end_label = _end_point(draft)
    row = CanvassSession(
        campaign_id=campaign_id,
        starts_at=local_to_utc(datetime.combine(draft.day, draft.start)),
        ends_at=local_to_utc(datetime.combine(draft.day, draft.end)),
        meeting_point_label=label,
        meeting_lon=lon,
        meeting_lat=lat,
        end_point_label=end_label,
        end_lon=end_lon,
        end_lat=end_lat,
        iris_code=iris.code,
        min_volunteers=draft.min_volunteers,
        max_volunteers=draft.max_volunteers,
    )
    session.add(row)
    session.flush()
    return row


def _meeting_point(session: Session, draft: SessionDraft) -> tuple[float, float, str]:
    if draft.meeting_address_id is not None:
        address = session.get(Address, draft.meeting_address_id)
        if address is None:
            raise ValidationError("meeting_point", "unknown_address")
        return address.lon, address.lat, f"{address.label}, {address.postcode}"
    if draft.meeting_lon is None or draft.meeting_lat is None:
        raise ValidationError("meeting_point", "missing")
    if not (-180 <= draft.meeting_lon <= 180 and -90 <= draft.meeting_lat <= 90):
        raise ValidationError("meeting_point", "bad_coordinate")
    return (
        draft.meeting_lon,
        draft.meeting_lat,
        draft.meeting_label or f"{draft.meeting_lat:.5f}, {draft.meeting_lon:.5f}",
    )


def _end_point(draft: SessionDraft) -> tuple[float | None, float | None, str]:
    if draft.end_lon is None and draft.end_lat is None:
        return None, None, ""
    if draft.end_lon is None or draft.end_lat is None:
        raise ValidationError("end_point", "incomplete")
    if not (-180 <= draft.end_lon <= 180 and -90 <= draft.end_lat <= 90):
        raise ValidationError("end_point", "bad_coordinate")
    return (
        draft.end_lon,
        draft.end_lat,
        draft.end_label or f"{draft.end_lat:.5f}, {draft.end_lon:.5f}",
    )


def list_sessions(session: Session, campaign_id: int) -> list[CanvassSession]:
    query = (
        select(CanvassSession)
        .where(CanvassSession.campaign_id == campaign_id)
        .order_by(CanvassSession.starts_at, CanvassSession.id)
    )
    return list(session.scalars(query))
