"""Re-cut one session's routes after a team drops out or a street closes.

Doors already visited stay where they are: they head the route they were visited on, in
that route's order, and only the doors nobody visited yet are shared again among the
remaining teams. A door to come back to on a closed street leaves its route with the
street's other doors, and returns to it, still to come back to, when the street reopens.
Each remaining team keeps the doors it had to visit unless the change takes them away.
The doors of a reopened street go back to the teams that had them
(`webapp.services.closed_doors`), and those of a team gone go where they fit best
(`recut_routes`). A closed or reopened street, or a team present again, leaves every
other team its doors (`routing.held_walks`). A remaining team keeps
its route row, so the link it was sent keeps working and opens the new walk. A team
already out goes on from its last visited door, walking its new route from that door to
the session's finish. A door its walk has no time for is offered to every walk with time
left, and only the doors that fit no walk are listed as out of time. The report lists
the teams whose doors to visit changed and every team with a walk, so that their
volunteers can be notified on the day (`webapp.services.route_notices`).
"""

import logging
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.geo import GeoPoint
from routing.held_walks import cut_every_walk, replan_walks
from routing.route_types import PlannedRoute, TurfProblem
from routing.status import SolveStatus
from routing.street_graph import StreetGraph
from targeting.names import fold_name
from webapp.models import (
    Address,
    CanvassSession,
    DoorVisit,
    Route,
    StreetClosure,
    StreetWay,
)
from webapp.models.canvass import DoorOutcome
from webapp.models.planning import SessionStatus
from webapp.services.closable_streets import address_street_keys, ways_near_iris
from webapp.services.closed_doors import remember_closed_doors, reopened_doors
from webapp.services.door_progress import (
    DoorProgress,
    count_door_progress,
    latest_outcomes_by_route,
)
from webapp.services.errors import NotFoundError, ServiceError
from webapp.services.resting_teams import resting_teams
from webapp.services.routes import (
    ACCESS_TOKEN_BYTES,
    RouteSettings,
    count_dwellings,
    door_for,
    is_closed_street_name,
    is_on_closed_street,
    list_session_teams,
    load_closed_streets,
    load_dwellings,
    load_street_graph,
    session_end_point,
)

logger = logging.getLogger(__name__)


class ReplanErrorCode(StrEnum):
    SESSION_NOT_PLANNED = "session_not_planned"
    SESSION_OVER = "session_over"
    UNKNOWN_TEAM = "unknown_team"
    TEAM_ALREADY_ABSENT = "team_already_absent"
    TEAM_NOT_ABSENT = "team_not_absent"
    TEAM_NOT_ALONE = "team_not_alone"
    NO_OTHER_TEAM = "no_other_team"
    UNKNOWN_STREET = "unknown_street"
    STREET_NOT_CLOSED = "street_not_closed"
    NO_ROUTE = "no_route"
    # A team asked for more doors while doors of its own are left to visit.
    TEAM_NOT_DONE = "team_not_done"
    # A team asked for more doors, and none is left that it has time for.
    NO_DOOR_LEFT = "no_door_left"


class ReplanError(ServiceError):
    """The session cannot be re-planned, so the caller rolls back and nothing changes."""

    def __init__(self, code: ReplanErrorCode, solve_status: SolveStatus | None = None) -> None:
        super().__init__(f"re-planning rejected: {code}")
        self.code = code
        self.solve_status = solve_status


class UncoveredReason(StrEnum):
    """Why an unvisited door of the session is on no route."""

    STREET_CLOSED = "street_closed"
    OUT_OF_TIME = "out_of_time"
    NO_TEAM = "no_team"


@dataclass(frozen=True)
class UncoveredDoor:
    address_id: int
    reason: UncoveredReason


@dataclass(frozen=True)
class RouteChange:
    """A team whose doors to visit a re-planning changed, with the number it has now."""

    team: int
    to_visit_count: int


@dataclass(frozen=True)
class TeamWalk:
    """A team with a walk after a re-planning, with its number of doors to visit."""

    team: int
    to_visit_count: int


@dataclass(frozen=True)
class ReplanReport:
    """What a re-planning did to one session."""

    session_id: int
    status: SolveStatus
    teams: tuple[int, ...]
    removed_teams: tuple[int, ...]
    routed_door_count: int
    uncovered: tuple[UncoveredDoor, ...]
    # Doors the routes had left to visit before this re-planning.
    routed_before_count: int = 0
    # The same doors, by address id: an uncovered door among them was planned before.
    routed_before: frozenset[int] = frozenset()
    # The doors of the session's routes after this re-planning, counted as the route
    # page and the session page count them (`webapp.services.door_progress`).
    kept: DoorProgress = DoorProgress()
    # Teams with a walk after this re-planning whose set of doors to visit changed
    # (`changed_routes`). A team left without a walk, such as one marked absent, is not
    # listed.
    changed_routes: tuple[RouteChange, ...] = ()
    # Every team with a walk after this re-planning and its number of doors to visit.
    walks: tuple[TeamWalk, ...] = ()
    # Doors the `removed_teams` had to visit before this re-planning. A team that an
    # earlier re-planning left without a walk adds none.
    removed_door_count: int = 0

    @property
    def visited_door_count(self) -> int:
        """Count the doors kept on the routes with a visit recorded, done or to come back to."""
        return self.kept.visited_count

    def uncovered_count(self, reason: UncoveredReason, *, planned: bool | None = None) -> int:
        """Count the uncovered doors for `reason`; with `planned`, only those the routes
        had to visit before (True) or those on no route before (False)."""
        return sum(
            1
            for door in self.uncovered
            if door.reason == reason
            and (planned is None or (door.address_id in self.routed_before) == planned)
        )


def close_street(
    session: Session,
    campaign_id: int,
    session_id: int,
    street: str,
    *,
    settings: RouteSettings,
    now: datetime,
) -> ReplanReport:
    """Close every way named `street` around the session's IRIS and re-cut its routes.

    A street of the IRIS's addresses with no way of that name in the street network is
    closed by name: its doors leave the routes. Raises UNKNOWN_STREET for a name that
    is neither.
    """
    canvass = lock_for_replanning(session, campaign_id, session_id, now)
    key = fold_name(street)
    way_ids = [way.id for way in ways_near_iris(session, canvass.iris_code) if way.key == key]
    if not key or not (way_ids or key in address_street_keys(session, canvass.iris_code)):
        raise ReplanError(ReplanErrorCode.UNKNOWN_STREET)
    closures = session.execute(
        select(StreetClosure.street_way_id, StreetClosure.street_key).where(
            StreetClosure.session_id == session_id
        )
    ).all()
    closed_ways = {way_id for way_id, _ in closures}
    if not way_ids and key not in {closed_key for _, closed_key in closures}:
        session.add(StreetClosure(session_id=session_id, street_key=key))
    for way_id in way_ids:
        if way_id not in closed_ways:
            session.add(StreetClosure(session_id=session_id, street_way_id=way_id))
    session.flush()
    logger.info(
        "Street closed for session %s: %s ways",
        session_id,
        len(way_ids),
        extra={"campaign_id": campaign_id, "session_id": session_id},
    )
    return recut_routes(session, canvass, settings, now, only_changed_teams=True)


def reopen_street(
    session: Session,
    campaign_id: int,
    session_id: int,
    street: str,
    *,
    settings: RouteSettings,
    now: datetime,
) -> ReplanReport:
    """Lift the session's closure of every way named `street` and re-cut its routes.

    The name is compared folded, like `close_street` does. Raises STREET_NOT_CLOSED
    when no closed way of the session bears that name and no closure names it.
    """
    canvass = lock_for_replanning(session, campaign_id, session_id, now)
    key = fold_name(street)
    closures = [
        closure
        for closure, name in session.execute(
            select(StreetClosure, StreetWay.name)
            .outerjoin(StreetWay, StreetWay.id == StreetClosure.street_way_id)
            .where(StreetClosure.session_id == session_id)
        )
        if key and (closure.street_key == key or (name and fold_name(name) == key))
    ]
    if not closures:
        raise ReplanError(ReplanErrorCode.STREET_NOT_CLOSED)
    for closure in closures:
        session.delete(closure)
    session.flush()
    logger.info(
        "Street reopened for session %s: %s ways",
        session_id,
        len(closures),
        extra={"campaign_id": campaign_id, "session_id": session_id},
    )
    return recut_routes(session, canvass, settings, now, only_changed_teams=True)


def replan_session(
    session: Session,
    campaign_id: int,
    session_id: int,
    *,
    settings: RouteSettings,
    now: datetime,
) -> ReplanReport:
    """Re-cut the session's routes for its teams as they are now."""
    canvass = lock_for_replanning(session, campaign_id, session_id, now)
    return recut_routes(session, canvass, settings, now)


def lock_for_replanning(
    session: Session, campaign_id: int, session_id: int, now: datetime
) -> CanvassSession:
    """Lock the campaign's session for a change of its routes, or raise why it cannot.

    Raises NotFoundError for a session of another campaign, SESSION_NOT_PLANNED and
    SESSION_OVER. The row lock keeps two re-plannings of one session apart.
    """
    canvass = session.scalars(
        select(CanvassSession).where(CanvassSession.id == session_id).with_for_update()
    ).first()
    if canvass is None or canvass.campaign_id != campaign_id:
        raise NotFoundError(f"session {session_id} not found")
    if canvass.status != SessionStatus.PLANNED:
        raise ReplanError(ReplanErrorCode.SESSION_NOT_PLANNED)
    _minutes_left(canvass, now)
    return canvass


def _minutes_left(canvass: CanvassSession, now: datetime) -> int:
    """Return the whole minutes teams still have: all of them before the start."""
    minutes = int((canvass.ends_at - max(now, canvass.starts_at)).total_seconds() // 60)
    if minutes < 1:
        raise ReplanError(ReplanErrorCode.SESSION_OVER)
    return minutes


def recut_routes(
    session: Session,
    canvass: CanvassSession,
    settings: RouteSettings,
    now: datetime,
    *,
    asking_team: int | None = None,
    hold_others: bool = False,
    only_changed_teams: bool = False,
    hold_teams_out: bool = False,
) -> ReplanReport:
    """Share the session's unvisited doors among its teams as they are now; flush only.

    Each team keeps the doors it had to visit, unless their street is closed or its
    walk has no time left for them (`routing.turf`). The doors of a team gone, and those
    on no route before, go where they fit best. A team marked present again takes back
    the doors it was last notified of (`_previous_walks`). Another team with no door left
    to visit takes a share of the others' doors, except a team that finished its walk:
    it rests unless it is `asking_team` (`webapp.services.resting_teams`). With
    `hold_others`, every team but `asking_team` keeps its route as it is, and
    `asking_team` takes only doors that no other route has to visit. With
    `only_changed_teams`, the doors are cut again only among the teams that take doors
    they did not have to visit, such as doors back from a reopened street, or that have
    none left; every other team keeps its doors, walked again
    (`routing.held_walks`). When that leaves out a door some team had, every door is
    shared again too, and the plan that visits more doors is kept. With
    `hold_teams_out`, the same holds once a team is out, since a cut from the meeting
    point cannot see where the teams are; before that, every door is shared again, so
    that the walks stay balanced.

    NOTE: a walk whose doors did not change may still be reordered or take another path,
    for instance around a closed way. Its team is not notified, and its route page shows
    the new walk. A team whose door to come back to returns with its reopened street is
    not notified either, because that door is not one of the walk's doors to visit.
    """
    teams = list_session_teams(session, canvass.id)
    routes = {
        route.team: route
        for route in session.scalars(select(Route).where(Route.session_id == canvass.id))
    }
    walking = {route.id for team, route in routes.items() if team in teams}
    closed_way_ids, closed_names = load_closed_streets(session, canvass.id)
    latest_by_route = _latest_visits_by_route(session, canvass.id)
    resting = resting_teams(teams, routes, latest_by_route, asking_team)
    if hold_others:
        resting |= {team for team in routes if team != asking_team}
    routed = [team for team in teams if team not in resting]
    visited_by_route = _kept_visits(latest_by_route, walking, closed_names)
    visited = {address_id for ids in visited_by_route.values() for address_id in ids}
    to_visit_before = {team: set(route.address_ids) - visited for team, route in routes.items()}
    resting_doors = {
        a for team, route in routes.items() if team in resting for a in route.address_ids
    }
    elsewhere = routed_in_other_sessions(session, canvass)

    uncovered: list[UncoveredDoor] = []
    open_addresses: list[Address] = []
    for address in session.scalars(
        select(Address).where(Address.iris_code == canvass.iris_code).order_by(Address.id)
    ):
        if address.id in visited or address.id in elsewhere or address.id in resting_doors:
            continue
        if is_on_closed_street(address, closed_names):
            uncovered.append(UncoveredDoor(address.id, UncoveredReason.STREET_CLOSED))
        else:
            open_addresses.append(address)

    # Read before `remember_closed_doors` drops the doors whose street is open again.
    returned = reopened_doors(
        {team: routes[team] for team in routed if team in routes}, {a.id for a in open_addresses}
    )
    closed_ids = {d.address_id for d in uncovered if d.reason == UncoveredReason.STREET_CLOSED}
    remember_closed_doors(
        {team: route for team, route in routes.items() if team not in resting},
        to_visit_before,
        closed_ids,
    )
    positions = {team: _position(session, routes.get(team), latest_by_route) for team in routed}
    planned: dict[int, PlannedRoute] = {}
    status = SolveStatus.EMPTY
    if not teams:
        uncovered.extend(UncoveredDoor(a.id, UncoveredReason.NO_TEAM) for a in open_addresses)
    elif not open_addresses:
        planned = {team: PlannedRoute(team, (), 0, 0.0, 0.0, 0.0, ()) for team in routed}
    else:
        graph = load_street_graph(session, closed_way_ids)
        doors = tuple(door_for(a) for a in open_addresses)
        open_ids = {address.id for address in open_addresses}
        previous_routes = _previous_walks(routed, routes, open_ids, returned)
        problem = TurfProblem(
            meeting_point=GeoPoint(canvass.meeting_lon, canvass.meeting_lat),
            doors=doors,
            team_count=len(routed),
            max_minutes=_minutes_left(canvass, now),
            walking_speed_m_per_min=settings.walking_speed_m_per_min,
            minutes_per_dwelling=settings.minutes_per_address,
            time_limit_s=settings.time_limit_s,
            end_point=session_end_point(canvass),
            previous_routes=previous_routes,
            street_change_m=settings.street_change_m,
        )
        starts = [positions[team] for team in routed]
        is_held = only_changed_teams or (hold_teams_out and any(starts))
        changing = _changing_teams(routed, previous_routes, to_visit_before) if is_held else None
        status, walks, late = _plan_walks(graph, problem, starts, changing)
        planned = dict(zip(routed, walks, strict=True))
        uncovered.extend(
            UncoveredDoor(address_id, UncoveredReason.OUT_OF_TIME) for address_id in late
        )

    removed = _store(
        session,
        canvass,
        # A resting team's route stays as it is: neither walked again nor cut.
        routes={team: route for team, route in routes.items() if team not in resting},
        planned=planned,
        visited_by_route=visited_by_route,
        out_teams={team for team, position in positions.items() if position is not None},
        settings=settings,
    )
    # A resting team walks on as it was, so it still has a walk, unchanged.
    team_walks = [
        *(TeamWalk(team, len(walk.door_ids)) for team, walk in planned.items()),
        *(TeamWalk(team, len(to_visit_before[team])) for team in resting if team in routes),
    ]
    report = ReplanReport(
        session_id=canvass.id,
        status=status,
        teams=tuple(teams),
        removed_teams=tuple(removed),
        routed_door_count=sum(walk.to_visit_count for walk in team_walks),
        uncovered=tuple(uncovered),
        routed_before_count=sum(len(ids) for ids in to_visit_before.values()),
        routed_before=frozenset(i for ids in to_visit_before.values() for i in ids),
        kept=_session_progress(session, canvass.id),
        changed_routes=changed_routes(to_visit_before, planned),
        walks=tuple(sorted(team_walks, key=lambda walk: walk.team)),
        removed_door_count=sum(len(to_visit_before[team]) for team in removed),
    )
    logger.info(
        "Session %s re-planned: %s teams, %s doors routed, %s visited kept, %s uncovered, %s",
        canvass.id,
        len(teams),
        report.routed_door_count,
        report.visited_door_count,
        len(report.uncovered),
        status,
        extra={"campaign_id": canvass.campaign_id, "session_id": canvass.id},
    )
    return report


def _changing_teams(
    teams: list[int],
    previous_routes: tuple[tuple[int, ...], ...],
    to_visit_before: Mapping[int, set[int]],
) -> list[bool]:
    """Tell, in team order, which teams take doors they did not have to visit or have none."""
    return [
        not walk or not set(walk) <= to_visit_before.get(team, set())
        for team, walk in zip(teams, previous_routes, strict=True)
    ]


def _plan_walks(
    graph: StreetGraph,
    problem: TurfProblem,
    starts: list[GeoPoint | None],
    changing: list[bool] | None,
) -> tuple[SolveStatus, list[PlannedRoute], tuple[int, ...]]:
    """Return the status, each team's walk and the doors that fit no walk.

    With `changing`, only those teams' doors are cut again when that does as well as
    cutting every door (`routing.held_walks.replan_walks`). Raises NO_ROUTE when no
    plan is found.
    """
    if changing is None:
        status, walks, late = cut_every_walk(graph, problem, starts)
    else:
        status, walks, late = replan_walks(graph, problem, starts, changing)
    if len(walks) != problem.team_count:
        raise ReplanError(ReplanErrorCode.NO_ROUTE, status)
    return status, walks, late


def _previous_walks(
    teams: list[int],
    routes: Mapping[int, Route],
    open_ids: set[int],
    returned: Mapping[int, list[int]],
) -> tuple[tuple[int, ...], ...]:
    """Return, in team order, the open doors each team had to visit, in walking order.

    A team with none left, such as one marked absent and now present again, takes back
    the open doors it was last notified of, which leave the other teams' walks. So a
    team marked absent by mistake and then present gets its own doors again, and the
    others theirs. Each team then takes back the doors `returned` to it, those a
    closure took from its route (`webapp.services.closed_doors`), unless another
    team's walk has them.
    """
    walks = {
        team: [i for i in routes[team].address_ids if i in open_ids] if team in routes else []
        for team in teams
    }
    returning = {
        team: [i for i in (routes[team].notified_address_ids or ()) if i in open_ids]
        for team in teams
        if team in routes and not walks[team]
    }
    claimed = {i for ids in returning.values() for i in ids}
    kept = {
        team: returning.get(team) or [i for i in walks[team] if i not in claimed] for team in teams
    }
    taken = {i for ids in kept.values() for i in ids}
    back = {team: [i for i in returned.get(team, ()) if i not in taken] for team in teams}
    return tuple(tuple([*kept[team], *back[team]]) for team in teams)


def changed_routes(
    to_visit_before: Mapping[int, set[int]], planned: Mapping[int, PlannedRoute]
) -> tuple[RouteChange, ...]:
    """Return the planned teams whose doors to visit differ from before, in team order.

    The doors are compared as sets. The solver may list the same doors in another order
    on any run, and the route page always shows the current order, so a new order alone
    is no change. A team that had no route row before counts as having had no door.
    """
    return tuple(
        RouteChange(team=team, to_visit_count=len(walk.door_ids))
        for team, walk in sorted(planned.items())
        if set(walk.door_ids) != to_visit_before.get(team, set())
    )


def _latest_visits_by_route(
    session: Session, session_id: int
) -> dict[int, dict[int, tuple[DoorOutcome, str]]]:
    """Return each visited door of the session on the route of its latest visit, by route
    id then address id, with its latest outcome and its street."""
    latest: dict[int, tuple[int, DoorOutcome, str]] = {}
    query = (
        select(DoorVisit.route_id, DoorVisit.address_id, DoorVisit.outcome, Address.street)
        .join(Route, Route.id == DoorVisit.route_id)
        .join(Address, Address.id == DoorVisit.address_id)
        .where(Route.session_id == session_id)
        .order_by(DoorVisit.visited_at, DoorVisit.id)
    )
    for route_id, address_id, outcome, street in session.execute(query):
        latest[address_id] = (route_id, outcome, street)
    by_route: dict[int, dict[int, tuple[DoorOutcome, str]]] = {}
    for address_id, (route_id, outcome, street) in latest.items():
        by_route.setdefault(route_id, {})[address_id] = (outcome, street)
    return by_route


def _kept_visits(
    latest_by_route: Mapping[int, Mapping[int, tuple[DoorOutcome, str]]],
    walking_route_ids: set[int],
    closed_names: set[str],
) -> dict[int, set[int]]:
    """Return the visited doors each route keeps: each door on the route of its latest visit.

    A door whose latest outcome is COME_BACK is not kept, and counts as not visited, in
    two cases. On the route of a team that no longer walks (marked absent, or nobody
    coming), it is shared again among the teams left, so that someone comes back to it.
    On a closed street, it leaves the routes with the street's other doors. Its visits
    stay recorded, so it is kept again once its street reopens.
    """
    visited: dict[int, set[int]] = {}
    for route_id, doors in latest_by_route.items():
        for address_id, (outcome, street) in doors.items():
            if outcome == DoorOutcome.COME_BACK and (
                route_id not in walking_route_ids or is_closed_street_name(street, closed_names)
            ):
                continue
            visited.setdefault(route_id, set()).add(address_id)
    return visited


def _position(
    session: Session,
    route: Route | None,
    latest_by_route: Mapping[int, Mapping[int, tuple[DoorOutcome, str]]],
) -> GeoPoint | None:
    """Return where the route's team is: its last visited door, None before any visit.

    The last door is the latest visit among the doors whose latest visit is on this
    route, a door to come back to on a closed street included: the team is there even
    though the door left its route. Visits recorded at the same time are ordered as
    the route lists their doors, and the door listed last wins.
    """
    if route is None or route.id not in latest_by_route:
        return None
    order = {
        address_id: k
        for k, address_id in enumerate(_done_prefix(route, set(latest_by_route[route.id])))
    }
    visits = [
        visit
        for visit in session.execute(
            select(DoorVisit.address_id, DoorVisit.visited_at).where(DoorVisit.route_id == route.id)
        )
        # A door visited again later on another route is that route's.
        if visit.address_id in order
    ]
    last_id = max(visits, key=lambda visit: (visit.visited_at, order[visit.address_id])).address_id
    address = session.get(Address, last_id)
    return None if address is None else GeoPoint(address.lon, address.lat)


def _session_progress(session: Session, session_id: int) -> DoorProgress:
    """Count the doors of the session's stored routes, done and to come back to."""
    routes = session.scalars(select(Route).where(Route.session_id == session_id)).all()
    outcomes = latest_outcomes_by_route(session, [route.id for route in routes])
    return sum(
        (
            count_door_progress(outcomes.get(route.id, {}).get(i) for i in route.address_ids)
            for route in routes
        ),
        DoorProgress(),
    )


def routed_in_other_sessions(session: Session, canvass: CanvassSession) -> set[int]:
    """Return the doors on routes of the campaign's other planned sessions."""
    query = (
        select(Route.address_ids)
        .join(CanvassSession, CanvassSession.id == Route.session_id)
        .where(
            CanvassSession.campaign_id == canvass.campaign_id,
            CanvassSession.status == SessionStatus.PLANNED,
            CanvassSession.id != canvass.id,
        )
    )
    return {address_id for ids in session.scalars(query) for address_id in ids}


def _done_prefix(route: Route, visited_ids: set[int]) -> list[int]:
    """Return the route's visited doors in its order, then any visited off its list."""
    prefix = [address_id for address_id in route.address_ids if address_id in visited_ids]
    return prefix + sorted(visited_ids - set(prefix))


def _store(
    session: Session,
    canvass: CanvassSession,
    *,
    routes: dict[int, Route],
    planned: dict[int, PlannedRoute],
    visited_by_route: dict[int, set[int]],
    out_teams: set[int],
    settings: RouteSettings,
) -> list[int]:
    """Write the new walks; return the teams whose routes were cut to their done doors.

    `out_teams` are the teams whose walks leave their last visited door. A team left
    without a walk keeps its route row, cut to the doors it visited (none for a team
    that had not started). So the link it was sent keeps working, and shows a route
    again if the team is marked present.
    """
    listed = {address_id for walk in planned.values() for address_id in walk.door_ids}
    listed.update(address_id for done in visited_by_route.values() for address_id in done)
    dwellings = load_dwellings(session, listed)
    for team, walk in planned.items():
        route = routes.get(team)
        if route is None:
            route = Route(
                session_id=canvass.id,
                team=team,
                access_token=secrets.token_urlsafe(ACCESS_TOKEN_BYTES),
                token_expires_at=canvass.ends_at + timedelta(days=settings.token_days),
            )
            session.add(route)
            prefix: list[int] = []
        else:
            prefix = _done_prefix(route, visited_by_route.get(route.id, set()))
        _set_walk(route, prefix, walk.door_ids, walk, dwellings, is_out=team in out_teams)
    removed = []
    for team, route in routes.items():
        if team in planned:
            continue
        removed.append(team)
        done = _done_prefix(route, visited_by_route.get(route.id, set()))
        _set_walk(route, done, (), None, dwellings, is_out=bool(done))
    session.flush()
    return sorted(removed)


def _set_walk(
    route: Route,
    done: Sequence[int],
    to_visit: Sequence[int],
    walk: PlannedRoute | None,
    dwellings: Mapping[int, int],
    *,
    is_out: bool,
) -> None:
    """Give the route its done doors then its new doors; figures describe what is left.

    The path and figures are those of the new walk: from the last visited door for a
    team already out (`is_out`, ``routing.resume``), from the meeting point otherwise.
    `Route.walk_start_index` records which of the two it is. A team out that no longer
    walks, such as one marked absent, gets a walk with no door.
    """
    route.walk_start_index = len(done) if is_out else None
    route.address_ids = [*done, *to_visit]
    route.door_count = len(route.address_ids)
    route.dwelling_count = count_dwellings(route.address_ids, dwellings)
    route.path = [[point.lon, point.lat] for point in walk.path] if walk else []
    route.length_m = walk.length_m if walk else 0
    route.walking_minutes = round(walk.walking_minutes, 1) if walk else 0.0
    route.total_minutes = round(walk.total_minutes, 1) if walk else 0.0
