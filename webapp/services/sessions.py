"""Create and list canvassing sessions."""

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import Address, CanvassSession, Iris
from webapp.services.addresses import postal_label
from webapp.services.errors import ValidationError, ValidationErrors
from webapp.services.localtime import local_to_utc
from webapp.services.session_rules import check_bounds, check_day, check_point, check_times


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


def create_session(
    session: Session, campaign_id: int, draft: SessionDraft, *, today: date
) -> CanvassSession:
    """Validate the draft against the territory and add the session.

    `today` is the current day in Europe/Paris; a session cannot be planned before it.
    Raises `ValidationErrors` with every rule the draft breaks.
    """
    errors = [
        *check_day(draft.day, today),
        *check_times(draft.start, draft.end),
        *check_bounds(draft.min_volunteers, draft.max_volunteers),
    ]
    iris = session.get(Iris, draft.iris_code)
    if iris is None:
        errors.append(ValidationError("iris_code", "unknown_iris"))
    meeting, meeting_errors = _meeting_point(session, draft)
    end, end_errors = _end_point(session, draft)
    errors += meeting_errors + end_errors
    if errors or iris is None or meeting is None:
        raise ValidationErrors(errors)
    lon, lat, label = meeting
    end_lon, end_lat, end_label = end
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


def _meeting_point(
    session: Session, draft: SessionDraft
) -> tuple[tuple[float, float, str] | None, list[ValidationError]]:
    if draft.meeting_address_id is not None:
        address = session.get(Address, draft.meeting_address_id)
        if address is None:
            return None, [ValidationError("meeting_point", "unknown_address")]
        return (address.lon, address.lat, postal_label(session, address)), []
    if draft.meeting_lon is None or draft.meeting_lat is None:
        return None, [ValidationError("meeting_point", "missing")]
    errors = check_point(
        session, "meeting_point", draft.iris_code, draft.meeting_lon, draft.meeting_lat
    )
    label = draft.meeting_label or f"{draft.meeting_lat:.5f}, {draft.meeting_lon:.5f}"
    return (draft.meeting_lon, draft.meeting_lat, label), errors


def _end_point(
    session: Session, draft: SessionDraft
) -> tuple[tuple[float | None, float | None, str], list[ValidationError]]:
    if draft.end_lon is None and draft.end_lat is None:
        return (None, None, ""), []
    if draft.end_lon is None or draft.end_lat is None:
        return (None, None, ""), [ValidationError("end_point", "incomplete")]
    errors = check_point(session, "end_point", draft.iris_code, draft.end_lon, draft.end_lat)
    label = draft.end_label or f"{draft.end_lat:.5f}, {draft.end_lon:.5f}"
    return (draft.end_lon, draft.end_lat, label), errors


def list_sessions(session: Session, campaign_id: int) -> list[CanvassSession]:
    query = (
        select(CanvassSession)
        .where(CanvassSession.campaign_id == campaign_id)
        .order_by(CanvassSession.starts_at, CanvassSession.id)
    )
    return list(session.scalars(query))
