"""Whether a session's meeting point or end point lies on one of its closed streets.

A point chosen from an address carries that address's exact coordinates, so the point's
street is the street of the addresses at exactly those coordinates. It is compared with
the closed streets by folded name, as the doors of a closed street are
(`routes.is_on_closed_street`).

NOTE: a point typed as coordinates that no address shares has no street here, so it is
never reported on a closed street, whatever its label.
"""

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import Address, CanvassSession
from webapp.services.routes import is_closed_street_name, load_closed_streets


@dataclass(frozen=True)
class PointsOnClosedStreets:
    """Flags for the session's points that lie on one of its closed streets."""

    meeting_point: bool = False
    end_point: bool = False


def find_points_on_closed_streets(
    session: Session, canvass: CanvassSession
) -> PointsOnClosedStreets:
    """Tell whether the session's meeting point and its end point lie on a closed street."""
    _, closed_names = load_closed_streets(session, canvass.id)
    if not closed_names:
        return PointsOnClosedStreets()
    return PointsOnClosedStreets(
        meeting_point=is_point_on_closed_street(
            session, canvass.meeting_lon, canvass.meeting_lat, closed_names
        ),
        end_point=canvass.has_end_point
        and is_point_on_closed_street(session, canvass.end_lon, canvass.end_lat, closed_names),
    )


def is_point_on_closed_street(
    session: Session, lon: float | None, lat: float | None, closed_names: Collection[str]
) -> bool:
    """Tell whether an address at exactly (lon, lat) is on one of the closed streets (folded).

    Two addresses can share a point, such as a corner building numbered on two streets:
    the point is on a closed street when either is.
    """
    if lon is None or lat is None or not closed_names:
        return False
    # NOTE: no index covers the coordinates, so this reads the addresses of the territory.
    # It runs only while a street of the session is closed.
    streets = session.scalars(
        select(Address.street).where(Address.lon == lon, Address.lat == lat).distinct()
    )
    return any(is_closed_street_name(street, closed_names) for street in streets)
