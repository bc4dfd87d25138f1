"""A route as its volunteers see it from the private link: doors by street, no residents.

The sheet names team mates by first name only and carries nothing about a door but its
address, because anyone holding the link can read it.
"""

import hmac
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NoReturn

from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.geo import GeoPoint
from routing.route_types import Door, PlannedRoute
from routing.turf import walk_list
from webapp.models import Address, Assignment, CanvassSession, Route, User
from webapp.models.canvass import DoorOutcome
from webapp.models.planning import AssignmentStatus, SessionStatus
from webapp.name_lists import distinct_first_names
from webapp.services.closed_points import PointsOnClosedStreets, find_points_on_closed_streets
from webapp.services.door_progress import (
    DoorProgress,
    count_door_progress,
    is_door_done,
    latest_outcomes_by_route,
)
from webapp.services.dwelling_tallies import (
    DwellingTally,
    accepts_tally,
    latest_visits_in_session,
)
from webapp.services.errors import NotFoundError, ServiceError
from webapp.services.replaced_links import ReplacedLink, find_replaced_link
from webapp.services.routes import door_for

logger = logging.getLogger(__name__)

_LEADING_DIGITS = re.compile(r"[0-9]+")

# Tokens are stored in a VARCHAR(64), so a longer or non-ASCII one cannot be a real link.
MAX_TOKEN_LENGTH = 64


class RouteLinkNotFoundError(NotFoundError):
    """No route has this access token."""


class RouteLinkReplacedError(RouteLinkNotFoundError):
    """No route has this link any more: it was given up when the team's members changed."""

    def __init__(self, link: ReplacedLink) -> None:
        super().__init__(f"session {link.session_id}, team {link.team}: route link replaced")
        self.link = link


def raise_link_not_found(session: Session, link: str) -> NoReturn:
    """Raise RouteLinkReplacedError for a link given up, RouteLinkNotFoundError otherwise."""
    replaced = find_replaced_link(session, link)
    if replaced is not None:
        raise RouteLinkReplacedError(replaced)
    raise RouteLinkNotFoundError


class RouteLinkExpiredError(ServiceError):
    """The route exists but its access token is past its expiry."""

    def __init__(self, route_id: int) -> None:
        super().__init__(f"route {route_id}: access token expired")
        self.route_id = route_id


@dataclass(frozen=True)
class RouteStop:
    """One door of the walk. ``step`` counts from 1 in walking order, as on the map.

    ``dwellings`` is the import's estimate of the households behind the door.
    """

    step: int
    number: str
    street: str
    lon: float
    lat: float
    dwellings: int = 1
    # The latest outcome recorded at this door, None while no visit is recorded.
    outcome: DoorOutcome | None = None
    # The stored address; None only for a stop built outside a stored route.
    address_id: int | None = None
    # The dwellings per outcome of the address's latest visit in the session, on any
    # route, None when that visit has none or no visit is recorded.
    tally: DwellingTally | None = None

    @property
    def accepts_tally(self) -> bool:
        """Tell whether the team may count this door's dwellings per outcome."""
        return accepts_tally(self.dwellings)

    @property
    def is_visited(self) -> bool:
        """Tell whether a visit is recorded at this door, whatever its outcome."""
        return self.outcome is not None

    @property
    def is_to_come_back(self) -> bool:
        """Tell whether the door's latest outcome is COME_BACK: the team comes back later."""
        return self.outcome == DoorOutcome.COME_BACK

    @property
    def is_done(self) -> bool:
        """Tell whether the door needs no more visit: an outcome other than COME_BACK."""
        return is_door_done(self.outcome)

    @property
    def label(self) -> str:
        return f"{self.number} {self.street}" if self.number else self.street

    @property
    def house_number(self) -> int | None:
        """Return the number without its suffix (3 for "3 bis"), or None when there is none."""
        digits = _LEADING_DIGITS.match(self.number)
        return int(digits.group()) if digits else None


@dataclass(frozen=True)
class StreetSection:
    """Consecutive stops in one street."""

    street: str
    stops: tuple[RouteStop, ...]


@dataclass(frozen=True)
class RouteSheet:
    """Everything the route page and its map show."""

    team: int
    starts_at: datetime
    ends_at: datetime
    is_cancelled: bool
    # Shown beside the date, because other teams may canvass other IRIS at that time.
    iris_name: str
    meeting_point: str
    meeting_lon: float
    meeting_lat: float
    team_first_names: tuple[str, ...]
    length_m: int
    walking_minutes: int
    total_minutes: int
    sections: tuple[StreetSection, ...]
    # [lon, lat] pairs along the streets, from the meeting point to the route's end.
    path: tuple[tuple[float, float], ...]
    # The printed link's code, None until one is generated for the route.
    short_code: str | None = None
    # Where the route ends when not back at the meeting point, e.g. a tram stop.
    end_point: str = ""
    end_lon: float | None = None
    end_lat: float | None = None
    # A coordinator marked the team absent: its remaining doors went to other teams.
    is_team_absent: bool = False
    # Nobody of the team is coming, without a coordinator marking it absent: its members
    # cancelled or joined other teams.
    is_team_empty: bool = False
    # Whether the meeting point or the end point lies on a street closed for the session.
    closed_points: PointsOnClosedStreets = PointsOnClosedStreets()
    # None while `length_m` and the minutes describe the whole route from the meeting
    # point. Once a re-planning walked the team on from its last visited door, they
    # describe the walk left from this step, one past the last step when it has no door.
    walk_start_step: int | None = None

    @property
    def stops(self) -> tuple[RouteStop, ...]:
        return tuple(stop for section in self.sections for stop in section.stops)

    @property
    def door_count(self) -> int:
        return sum(len(section.stops) for section in self.sections)

    @property
    def is_walk_left(self) -> bool:
        """Tell whether the figures describe the walk left after a re-planning."""
        return self.walk_start_step is not None

    @property
    def walk_stops(self) -> tuple[RouteStop, ...]:
        """Return the doors of the walk that `length_m` and the minutes describe."""
        stops = self.stops
        return stops if self.walk_start_step is None else stops[self.walk_start_step - 1 :]

    @property
    def walk_door_count(self) -> int:
        return len(self.walk_stops)

    @property
    def is_started(self) -> bool:
        """Tell whether a visit is recorded at any door of the route."""
        return any(stop.is_visited for stop in self.stops)

    @property
    def progress(self) -> DoorProgress:
        """Count the doors done and to come back to, as the session page counts them."""
        return count_door_progress(stop.outcome for stop in self.stops)

    @property
    def done_count(self) -> int:
        """Count the doors that need no more visit. Doors to come back to are not done."""
        return self.progress.done_count

    @property
    def come_back_count(self) -> int:
        return self.progress.come_back_count

    @property
    def is_coming_back(self) -> bool:
        """Tell whether every door has an outcome and some are still to come back to."""
        stops = self.stops
        return all(stop.is_visited for stop in stops) and any(
            stop.is_to_come_back for stop in stops
        )

    @property
    def resume_step(self) -> int | None:
        """Return the step the team goes on from once it has started, else None.

        That is the first door with no outcome, then, once every door has one, the first
        door to come back to. It is None before any visit and once every door is done.
        """
        stops = self.stops
        if not any(stop.is_visited for stop in stops):
            return None
        unvisited = next((stop.step for stop in stops if not stop.is_visited), None)
        if unvisited is not None:
            return unvisited
        return next((stop.step for stop in stops if stop.is_to_come_back), None)

    @property
    def next_step(self) -> int | None:
        """Return the step of the next door to visit: 1 before any visit, else the resume step."""
        if not self.is_started:
            return 1 if self.stops else None
        return self.resume_step

    def first_come_back_stop(self, *, other_than: int | None = None) -> RouteStop | None:
        """Return the first door to come back to once every door has an outcome, else None.

        `other_than` is the address id of a door to leave out, such as the one just recorded.
        """
        if not self.is_coming_back:
            return None
        return next(
            (stop for stop in self.stops if stop.is_to_come_back and stop.address_id != other_than),
            None,
        )

    @property
    def is_done(self) -> bool:
        """Tell whether every door of the route has an outcome other than COME_BACK."""
        return self.progress.is_finished


def find_route_by_token(session: Session, token: str, *, now: datetime) -> Route:
    """Return the route that `token` opens, or raise if it is unknown or expired."""
    if not token or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        raise RouteLinkNotFoundError
    route = session.scalars(select(Route).where(Route.access_token == token)).first()
    # The database match is checked again in constant time, so a near miss costs the same.
    if route is None or not hmac.compare_digest(route.access_token.encode(), token.encode()):
        raise_link_not_found(session, token)
    if route.token_expires_at <= now:
        raise RouteLinkExpiredError(route.id)
    return route


def load_route_sheet(session: Session, token: str, *, now: datetime) -> RouteSheet:
    """Return the sheet of the route that `token` opens."""
    return sheet_of_route(session, find_route_by_token(session, token, now=now))


def sheet_of_route(session: Session, route: Route) -> RouteSheet:
    """Return the sheet of a route already found by its link."""
    canvass = route.session
    sections = _street_sections(
        route, _doors(session, route), latest_outcomes(session, route), _tallies(session, route)
    )
    return RouteSheet(
        team=route.team,
        starts_at=canvass.starts_at,
        ends_at=canvass.ends_at,
        is_cancelled=canvass.status == SessionStatus.CANCELLED,
        iris_name=canvass.iris.name,
        meeting_point=canvass.meeting_point_label,
        meeting_lon=canvass.meeting_lon,
        meeting_lat=canvass.meeting_lat,
        team_first_names=_team_first_names(session, canvass, route.team),
        **_team_presence(session, canvass, route),
        length_m=route.length_m,
        walking_minutes=round(route.walking_minutes),
        total_minutes=round(route.total_minutes),
        sections=sections,
        path=tuple((float(point[0]), float(point[1])) for point in route.path),
        short_code=route.short_code,
        end_point=canvass.end_point_label if canvass.has_end_point else "",
        end_lon=canvass.end_lon,
        end_lat=canvass.end_lat,
        closed_points=find_points_on_closed_streets(session, canvass),
        walk_start_step=_walk_start_step(route, sections),
    )


def _walk_start_step(route: Route, sections: Sequence[StreetSection]) -> int | None:
    """Return the sheet's step where the walk that the route's figures describe starts.

    An address no longer stored has no step, so the walk starts at its first door that
    has one.
    """
    if route.walk_start_index is None:
        return None
    stops = [stop for section in sections for stop in section.stops]
    walk_ids = set(route.address_ids[route.walk_start_index :])
    return next((stop.step for stop in stops if stop.address_id in walk_ids), len(stops) + 1)


def route_geojson(sheet: RouteSheet) -> dict[str, Any]:
    """Return the path, the meeting point, the end point if any and the doors as GeoJSON.

    Each door carries `is_next`, true for the one door the team visits next, if any.
    """
    features: list[dict[str, Any]] = []
    if len(sheet.path) >= 2:
        features.append(
            _feature("LineString", [list(point) for point in sheet.path], {"kind": "path"})
        )
    features.append(
        _feature(
            "Point",
            [sheet.meeting_lon, sheet.meeting_lat],
            {"kind": "meeting_point", "label": sheet.meeting_point},
        )
    )
    if sheet.end_point and sheet.end_lon is not None and sheet.end_lat is not None:
        features.append(
            _feature(
                "Point",
                [sheet.end_lon, sheet.end_lat],
                {"kind": "end_point", "label": sheet.end_point},
            )
        )
    next_step = sheet.next_step
    features.extend(
        _feature(
            "Point",
            [stop.lon, stop.lat],
            {
                "kind": "door",
                "step": stop.step,
                "label": stop.label,
                "is_done": stop.is_done,
                "is_next": stop.step == next_step,
            },
        )
        for stop in sheet.stops
    )
    return {"type": "FeatureCollection", "features": features}


def _feature(kind: str, coordinates: list[Any], properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": kind, "coordinates": coordinates},
        "properties": properties,
    }


def _team_first_names(session: Session, canvass: CanvassSession, team: int) -> tuple[str, ...]:
    # Only the name columns are read: the page must never carry contact details.
    rows = session.execute(
        select(User.first_name, User.last_name)
        .join(Assignment, Assignment.user_id == User.id)
        .where(
            Assignment.session_id == canvass.id,
            Assignment.team == team,
            Assignment.status != AssignmentStatus.DECLINED,
        )
        .order_by(User.first_name, User.id)
    )
    return tuple(distinct_first_names([(first, last) for first, last in rows]))


def _team_presence(session: Session, canvass: CanvassSession, route: Route) -> dict[str, bool]:
    """Tell whether nobody of the team is coming, and whether a coordinator marked it so.

    A route left empty whose team has no member at all (moved to other sessions or
    teams) counts as a team nobody comes to.
    """
    statuses = session.execute(
        select(Assignment.status, Assignment.status_before_absence).where(
            Assignment.session_id == canvass.id, Assignment.team == route.team
        )
    ).all()
    if not statuses:
        return {"is_team_absent": False, "is_team_empty": not route.address_ids}
    is_gone = all(status == AssignmentStatus.DECLINED for status, _ in statuses)
    is_marked = any(before is not None for _, before in statuses)
    return {"is_team_absent": is_gone and is_marked, "is_team_empty": is_gone and not is_marked}


def _doors(session: Session, route: Route) -> list[Door]:
    """Return the route's doors in walking order, leaving out addresses no longer stored."""
    rows = session.scalars(select(Address).where(Address.id.in_(route.address_ids)))
    by_id = {address.id: address for address in rows}
    missing = [address_id for address_id in route.address_ids if address_id not in by_id]
    if missing:
        # NOTE: a territory re-import can delete addresses that a stored route still lists,
        # so the sheet shows the remaining doors rather than failing.
        logger.warning(
            "Route %s lists %s addresses that were not found, left out of its sheet",
            route.id,
            len(missing),
            extra={"session_id": route.session_id},
        )
    return [door_for(by_id[address_id]) for address_id in route.address_ids if address_id in by_id]


def latest_outcomes(session: Session, route: Route) -> dict[int, DoorOutcome]:
    """Return the latest outcome recorded at each visited door of the route, by address id."""
    return latest_outcomes_by_route(session, [route.id]).get(route.id, {})


def _tallies(session: Session, route: Route) -> dict[int, DwellingTally]:
    """Return the dwellings per outcome of each of the route's doors whose latest visit in
    the session has them, by address id."""
    latest = latest_visits_in_session(session, route.session_id, route.address_ids)
    return {
        address_id: visit.tally for address_id, visit in latest.items() if visit.tally is not None
    }


def _street_sections(
    route: Route,
    doors: Sequence[Door],
    outcomes: dict[int, DoorOutcome],
    tallies: dict[int, DwellingTally],
) -> tuple[StreetSection, ...]:
    """Group the doors by street with the routing package's walk list, numbering the stops."""
    planned = PlannedRoute(
        team=route.team,
        door_ids=tuple(door.address_id for door in doors),
        length_m=route.length_m,
        walking_minutes=route.walking_minutes,
        door_minutes=route.total_minutes - route.walking_minutes,
        total_minutes=route.total_minutes,
        path=tuple(GeoPoint(point[0], point[1]) for point in route.path),
    )
    # walk_list keeps the doors' order and splits it into runs, so the n-th number of the
    # stretches is the n-th door.
    remaining = iter(enumerate(doors, start=1))
    sections = []
    for stretch in walk_list(planned, doors):
        stops = []
        for _number in stretch.numbers:
            step, door = next(remaining)
            stops.append(
                RouteStop(
                    step,
                    door.number,
                    door.street,
                    door.point.lon,
                    door.point.lat,
                    door.dwellings,
                    outcome=outcomes.get(door.address_id),
                    address_id=door.address_id,
                    tally=tallies.get(door.address_id),
                )
            )
        sections.append(StreetSection(stretch.street, tuple(stops)))
    return tuple(sections)
