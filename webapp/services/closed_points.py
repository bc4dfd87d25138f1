"""Whether a session's meeting point or end point lies on one of its closed streets.

A point chosen from an address carries that address's exact coordinates, so the point's
street is the street of the addresses at exactly those coordinates. It is compared with
the closed streets by folded name, as the doors of a closed street are
(`routes.is_on_closed_street`). A point typed as coordinates that no address shares is
on a closed street when one of the closed ways passes within `NEAR_CLOSED_WAY_M`.

NOTE: a street closed by name alone has no way in the street network, so a typed point
beside it is not reported.
"""

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.geo import GeoPoint, distance_to_line_m
from webapp.models import Address, CanvassSession, StreetWay
from webapp.services.routes import is_closed_street_name, load_closed_streets

# A typed point this close to a closed way is on it. An estimate of half a street's width
# plus its pavement, short enough that a point on a crossing street is reported only
# within that distance of the crossing.
NEAR_CLOSED_WAY_M = 12.0


@dataclass(frozen=True)
class PointsOnClosedStreets:
    """Flags for the session's points that lie on one of its closed streets."""

    meeting_point: bool = False
    end_point: bool = False


def find_points_on_closed_streets(
    session: Session, canvass: CanvassSession
) -> PointsOnClosedStreets:
    """Tell whether the session's meeting point and its end point lie on a closed street."""
    closed_way_ids, closed_names = load_closed_streets(session, canvass.id)
    if not closed_names:
        return PointsOnClosedStreets()
    closed = _ClosedStreets(closed_names, closed_way_ids)
    return PointsOnClosedStreets(
        meeting_point=closed.contains(session, canvass.meeting_lon, canvass.meeting_lat),
        end_point=canvass.has_end_point
        and closed.contains(session, canvass.end_lon, canvass.end_lat),
    )


@dataclass(frozen=True)
class _ClosedStreets:
    """The closed streets of a session: their folded names and their ways' ids."""

    names: Collection[str]
    way_ids: Collection[int]

    def contains(self, session: Session, lon: float | None, lat: float | None) -> bool:
        """Tell whether the point is at an address of a closed street, or beside a closed way."""
        if lon is None or lat is None:
            return False
        # NOTE: no index covers the coordinates, so this reads the addresses of the
        # territory. It runs only while a street of the session is closed.
        streets = list(
            session.scalars(
                select(Address.street).where(Address.lon == lon, Address.lat == lat).distinct()
            )
        )
        # Two addresses can share a point, such as a corner building numbered on two
        # streets: the point is on a closed street when either is.
        if streets:
            return any(is_closed_street_name(street, self.names) for street in streets)
        return self._is_beside_closed_way(session, GeoPoint(lon, lat))

    def _is_beside_closed_way(self, session: Session, point: GeoPoint) -> bool:
        if not self.way_ids:
            return False
        lines = session.scalars(
            select(StreetWay.coordinates).where(StreetWay.id.in_(list(self.way_ids)))
        )
        return any(distance_to_line_m(point, line) <= NEAR_CLOSED_WAY_M for line in lines)
