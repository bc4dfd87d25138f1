"""Cut each planned session's doors into walking routes, one per team, and store them."""

import logging
import secrets
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import cache, partial

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from routing.geo import GeoPoint
from routing.route_types import Door, TurfPlan, TurfProblem
from routing.street_changes import STREET_CHANGE_M
from routing.street_graph import StreetGraph, StreetWay, build_street_graph
from routing.turf import plan_turf
from targeting.names import fold_name
from webapp.models import Address, Assignment, CanvassSession, DoorVisit, Route, StreetClosure
from webapp.models import StreetWay as StreetWayRow
from webapp.models.planning import AssignmentStatus, SessionStatus
from webapp.services.replaced_links import give_up_links
from webapp.services.route_notice_state import record_notified
from webapp.services.started_sessions import sessions_with_visits

logger = logging.getLogger(__name__)

ACCESS_TOKEN_BYTES = 32

# Called after each session's routes are stored, with (sessions done, sessions in all).
SessionProgress = Callable[[int, int], None]

# Gives the street graph of the imported ways when called.
StreetGraphSource = Callable[[], StreetGraph]


@dataclass(frozen=True)
class RouteSettings:
    walking_speed_m_per_min: float = 70.0
    minutes_per_address: float = 1.5
    time_limit_s: float = 3.0
    token_days: int = 14
    street_change_m: int = STREET_CHANGE_M


def load_street_graph(
    session: Session, excluded_way_ids: Collection[int] | None = None
) -> StreetGraph:
    """Build the walking graph from the imported OpenStreetMap ways, minus excluded rows.

    `excluded_way_ids` are `street_ways.id` values, such as the ways of closed streets.
    """
    query = select(StreetWayRow).order_by(StreetWayRow.id)
    if excluded_way_ids:
        query = query.where(StreetWayRow.id.not_in(list(excluded_way_ids)))
    ways = [
        StreetWay(
            way_id=row.osm_id,
            name=row.name,
            highway=row.highway,
            coordinates=tuple((p[0], p[1]) for p in row.coordinates),
        )
        for row in session.scalars(query)
    ]
    return build_street_graph(ways)


def new_access_token() -> str:
    """Draw an unguessable route token, URL-safe."""
    return secrets.token_urlsafe(ACCESS_TOKEN_BYTES)


def has_street_network(session: Session) -> bool:
    """Tell whether any street way is imported, without which no route can be cut."""
    return session.scalar(select(StreetWayRow.id).limit(1)) is not None


def street_graph_once(session: Session) -> StreetGraphSource:
    """Return a source that loads the street graph on its first call and keeps it.

    A planning run needs the graph for the walking-time limits and for the routes. With
    one source for both, the run reads the ways and builds the graph once. A failed
    build is not kept, so the next call tries again.
    """
    return cache(partial(load_street_graph, session))


def list_session_teams(session: Session, session_id: int) -> list[int]:
    """Return the session's team numbers that still have someone who has not declined."""
    return sorted(
        set(
            session.scalars(
                select(Assignment.team).where(
                    Assignment.session_id == session_id,
                    Assignment.status != AssignmentStatus.DECLINED,
                )
            )
        )
    )


def load_closed_streets(session: Session, session_id: int) -> tuple[set[int], set[str]]:
    """Return the closed way ids of a session and the closed street names, folded.

    The names are those of the closed ways and those of the streets closed by name alone.
    """
    rows = session.execute(
        select(StreetClosure.street_way_id, StreetWayRow.name, StreetClosure.street_key)
        .outerjoin(StreetWayRow, StreetWayRow.id == StreetClosure.street_way_id)
        .where(StreetClosure.session_id == session_id)
    ).all()
    way_ids = {way_id for way_id, _, _ in rows if way_id is not None}
    names = {fold_name(name) for _, name, _ in rows if name}
    names.update(key for _, _, key in rows if key)
    return way_ids, names


def is_on_closed_street(address: Address, closed_names: Collection[str]) -> bool:
    """Tell whether the address's street is one of the closed street names (folded)."""
    return is_closed_street_name(address.street, closed_names)


def is_closed_street_name(street: str, closed_names: Collection[str]) -> bool:
    """Tell whether a street name, folded, is one of the closed street names (folded)."""
    return bool(closed_names) and fold_name(street) in closed_names


@dataclass(frozen=True)
class SessionRouting:
    """The inputs of cutting one session's routes, read from the database before the solve.

    `doors` are the IRIS's addresses off the session's closed streets, by address id,
    and `graph` the street graph without its closed ways, None when no street is
    imported.
    """

    session_id: int
    graph: StreetGraph | None
    doors: tuple[Door, ...]
    meeting_point: GeoPoint
    end_point: GeoPoint | None
    max_minutes: int

    @property
    def dwellings(self) -> dict[int, int]:
        return {door.address_id: door.dwellings for door in self.doors}

    def problem(
        self, team_count: int, settings: RouteSettings, excluded_address_ids: Collection[int]
    ) -> TurfProblem:
        """Return the turf problem of `team_count` teams, without the excluded doors."""
        return TurfProblem(
            meeting_point=self.meeting_point,
            doors=tuple(d for d in self.doors if d.address_id not in excluded_address_ids),
            team_count=team_count,
            max_minutes=self.max_minutes,
            walking_speed_m_per_min=settings.walking_speed_m_per_min,
            minutes_per_dwelling=settings.minutes_per_address,
            time_limit_s=settings.time_limit_s,
            end_point=self.end_point,
            street_change_m=settings.street_change_m,
        )


def plan_campaign_routes(
    session: Session,
    campaign_id: int,
    settings: RouteSettings,
    on_session_planned: SessionProgress | None = None,
    street_graph: StreetGraphSource | None = None,
) -> list[Route]:
    """Plan the routes of every planned session of the campaign, earliest first.

    A session whose canvassing has begun keeps its routes (see
    `webapp.services.started_sessions`).

    A door goes into one session's routes at most: doors already routed for an earlier
    session of the campaign are not offered to later ones. The street graph comes from
    `street_graph` when given. A planning run reads, solves and stores in separate
    steps instead (`webapp.services.planning_steps`), with the teams its assignment
    forms.
    """
    graph = street_graph() if street_graph is not None else load_street_graph(session)
    sessions = list_planned_sessions(session, campaign_id)
    routed: set[int] = set()
    stored: list[Route] = []
    begun = sessions_with_visits(session, campaign_id)
    for done, canvass_session in enumerate(sessions, 1):
        if canvass_session.id in begun:
            # Its routes stay, with their visits and links: their doors are taken.
            routes = list(
                session.scalars(select(Route).where(Route.session_id == canvass_session.id))
            )
        else:
            routes = plan_session_routes(
                session, canvass_session, graph, settings, excluded_address_ids=routed
            )
        routed.update(address_id for route in routes for address_id in route.address_ids)
        stored.extend(routes)
        if on_session_planned is not None:
            on_session_planned(done, len(sessions))
    return stored


def list_planned_sessions(session: Session, campaign_id: int) -> list[CanvassSession]:
    """Return the campaign's planned sessions in the order their routes are cut."""
    return list(
        session.scalars(
            select(CanvassSession)
            .where(
                CanvassSession.campaign_id == campaign_id,
                CanvassSession.status == SessionStatus.PLANNED,
            )
            .order_by(CanvassSession.starts_at, CanvassSession.id)
        )
    )


def plan_session_routes(
    session: Session,
    canvass_session: CanvassSession,
    graph: StreetGraph,
    settings: RouteSettings,
    excluded_address_ids: set[int] | None = None,
) -> list[Route]:
    """Replace the session's routes by one new route per team of its assignments.

    Teams whose members all declined get no route. Closed streets of the session are
    taken out of the graph and their doors out of the problem. A team that had a route
    keeps its row, so the link its volunteers may have received shows the new route.
    The routes of teams gone are deleted, and their links kept as replaced. Each route
    then counts as notified to its members.

    NOTE: a team whose members changed keeps its link here too. A planning run replaces
    that link and notifies the members (`webapp.services.reformed_teams`).

    Replacing the routes deletes the door visits recorded on them, so a planning run
    leaves a session with visits alone, and a session that has begun is re-planned
    with `webapp.services.replanning`, which keeps them.
    """
    teams = list_session_teams(session, canvass_session.id)
    if not teams:
        return store_session_routes(
            session, canvass_session, [], None, dwellings={}, settings=settings
        )
    routing = read_session_routing(session, canvass_session, graph)
    assert routing.graph is not None  # read with `graph`
    plan = plan_turf(
        routing.graph, routing.problem(len(teams), settings, excluded_address_ids or set())
    )
    routes = store_session_routes(
        session, canvass_session, teams, plan, dwellings=routing.dwellings, settings=settings
    )
    _record_published(session, canvass_session.id, routes)
    return routes


def read_session_routing(
    session: Session, canvass_session: CanvassSession, graph: StreetGraph | None
) -> SessionRouting:
    """Read what cutting the session's routes needs; `graph` is the campaign's whole graph."""
    closed_way_ids, closed_names = load_closed_streets(session, canvass_session.id)
    if closed_way_ids and graph is not None:
        graph = load_street_graph(session, closed_way_ids)
    addresses = session.scalars(
        select(Address).where(Address.iris_code == canvass_session.iris_code).order_by(Address.id)
    )
    return SessionRouting(
        session_id=canvass_session.id,
        graph=graph,
        doors=tuple(door_for(a) for a in addresses if not is_on_closed_street(a, closed_names)),
        meeting_point=GeoPoint(canvass_session.meeting_lon, canvass_session.meeting_lat),
        end_point=session_end_point(canvass_session),
        max_minutes=canvass_session.duration_minutes,
    )


def store_session_routes(
    session: Session,
    canvass_session: CanvassSession,
    teams: list[int],
    plan: TurfPlan | None,
    *,
    dwellings: Mapping[int, int],
    settings: RouteSettings,
) -> list[Route]:
    """Replace the session's routes by the plan's walks, one per team in `teams` order.

    Deletes the door visits on the session's routes and the routes of teams not in
    `teams`, keeping the links of those routes as replaced. Without teams, or without a
    plan, the session is left with no route. Records no member as notified of a route,
    because the caller records that once it has chosen which notices go out.
    """
    previous = _clear_routes(session, canvass_session.id, keep_teams=set(teams))
    if not teams or plan is None:
        for route in previous.values():
            _delete_route(session, route)
        session.flush()
        return []
    routes = _store_routes(
        session, canvass_session, teams, plan, settings, dwellings=dwellings, previous=previous
    )
    logger.info(
        "Routes for session %s: %s teams, %s doors routed (%s dwellings), %s left, status %s",
        canvass_session.id,
        len(teams),
        sum(r.door_count for r in routes),
        sum(r.dwelling_count for r in routes),
        len(plan.unvisited_door_ids),
        plan.status,
        extra={"session_id": canvass_session.id, "campaign_id": canvass_session.campaign_id},
    )
    return routes


def session_end_point(canvass: CanvassSession) -> GeoPoint | None:
    """Return where the session's walks end, None when they come back to the meeting point."""
    if canvass.end_lon is None or canvass.end_lat is None:
        return None
    return GeoPoint(canvass.end_lon, canvass.end_lat)


def door_for(address: Address) -> Door:
    """Describe an address as a door of a route, its number with any suffix (`3 bis`)."""
    number = f"{address.number or ''}{(' ' + address.suffix) if address.suffix else ''}".strip()
    return Door(
        address_id=address.id,
        point=GeoPoint(address.lon, address.lat),
        street=address.street,
        number=number,
        dwellings=max(1, address.dwellings),
    )


def load_dwellings(session: Session, address_ids: Collection[int]) -> dict[int, int]:
    """Return the dwellings of each stored address, at least one as the planner counts them."""
    if not address_ids:
        return {}
    rows = session.execute(
        select(Address.id, Address.dwellings).where(Address.id.in_(list(address_ids)))
    )
    return {address_id: max(1, dwellings) for address_id, dwellings in rows}


def count_dwellings(address_ids: Iterable[int], dwellings: Mapping[int, int]) -> int:
    """Return the dwellings behind a route's addresses.

    An address missing from `dwellings` (no longer stored) counts as one dwelling, as it
    counts as one address in `Route.door_count`.
    """
    return sum(dwellings.get(address_id, 1) for address_id in address_ids)


def refresh_dwelling_counts(session: Session) -> int:
    """Recount every stored route's dwellings from its addresses; return the routes changed.

    A territory import may change the addresses' estimates, and the pages read the
    stored count, so the import calls this to keep them in step.
    """
    routes = session.scalars(select(Route).order_by(Route.id)).all()
    dwellings = load_dwellings(session, {a for route in routes for a in route.address_ids})
    changed = 0
    for route in routes:
        count = count_dwellings(route.address_ids, dwellings)
        if route.dwelling_count != count:
            route.dwelling_count = count
            changed += 1
    return changed


def _store_routes(
    session: Session,
    canvass_session: CanvassSession,
    teams: list[int],
    plan: TurfPlan,
    settings: RouteSettings,
    *,
    dwellings: Mapping[int, int],
    previous: Mapping[int, Route],
) -> list[Route]:
    expires_at = canvass_session.ends_at + timedelta(days=settings.token_days)
    stored = []
    for team, planned in zip(teams, plan.routes, strict=False):
        route = previous.get(team)
        if route is None:
            route = Route(session_id=canvass_session.id, team=team, access_token=new_access_token())
            session.add(route)
        route.address_ids = list(planned.door_ids)
        # A planning run clears the session's visits, so every walk leaves the meeting point.
        route.walk_start_index = None
        route.path = [[point.lon, point.lat] for point in planned.path]
        route.length_m = planned.length_m
        route.walking_minutes = round(planned.walking_minutes, 1)
        route.total_minutes = round(planned.total_minutes, 1)
        route.door_count = len(planned.door_ids)
        route.dwelling_count = count_dwellings(planned.door_ids, dwellings)
        route.token_expires_at = expires_at
        stored.append(route)
    for team in set(previous) - set(teams[: len(stored)]):
        _delete_route(session, previous[team])
    session.flush()
    return stored


def _record_published(session: Session, session_id: int, routes: Iterable[Route]) -> None:
    """Record each route as notified to its members: their messages carry its link."""
    members: dict[int, list[int]] = {}
    coming = select(Assignment.id, Assignment.team).where(
        Assignment.session_id == session_id, Assignment.status != AssignmentStatus.DECLINED
    )
    for assignment_id, team in session.execute(coming):
        members.setdefault(team, []).append(assignment_id)
    for route in routes:
        record_notified(route, members.get(route.team, []))
    session.flush()


def _clear_routes(session: Session, session_id: int, *, keep_teams: set[int]) -> dict[int, Route]:
    """Delete the session's door visits and the routes of teams not in `keep_teams`.

    Return the routes kept, by team, for the new plan to reuse.
    """
    routes = session.scalars(select(Route).where(Route.session_id == session_id)).all()
    if routes:
        session.execute(delete(DoorVisit).where(DoorVisit.route_id.in_([r.id for r in routes])))
    reused: dict[int, Route] = {}
    for route in routes:
        if route.team in keep_teams:
            reused[route.team] = route
        else:
            _delete_route(session, route)
    session.flush()
    return reused


def _delete_route(session: Session, route: Route) -> None:
    """Delete a route, keeping its links as replaced for whoever was sent them."""
    give_up_links(session, route)
    session.delete(route)
