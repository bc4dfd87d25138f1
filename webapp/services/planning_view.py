"""Read-only queries behind the sessions pages: session rows, teams, routes and the
outcome of the last planning run as stored in the database."""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from targeting.names import fold_name
from webapp.db import utcnow
from webapp.jobs.live_progress import live_progress
from webapp.models import (
    Address,
    Assignment,
    CanvassSession,
    Iris,
    IrisScore,
    JobRun,
    LeftOutVolunteer,
    Message,
    Route,
    User,
)
from webapp.models.canvass import DoorOutcome
from webapp.models.jobs import JobStatus
from webapp.models.messaging import MessageStatus
from webapp.models.planning import AssignmentStatus, SessionStatus
from webapp.services.closable_streets import list_closable_streets, list_closed_street_names
from webapp.services.closed_points import PointsOnClosedStreets, find_points_on_closed_streets
from webapp.services.door_progress import (
    DoorProgress,
    count_door_progress,
    latest_outcomes_by_route,
)
from webapp.services.dwelling_tallies import (
    DwellingResults,
    count_dwelling_results,
    latest_visits_in_session,
)
from webapp.services.planning import PLANNING_JOB_KIND, StoredCounts
from webapp.services.planning_weights import WeightRow, run_weights, weight_rows
from webapp.services.replanning import routed_in_other_sessions
from webapp.services.team_partners import count_coming_per_team, partner_team


@dataclass(frozen=True)
class SessionRow:
    """One session of the list, with its counts of assigned volunteers, routes and addresses.

    `door_count` is the number of addresses on its routes, `dwelling_count` the estimated
    dwellings behind them.
    """

    id: int
    starts_at: datetime
    ends_at: datetime
    iris_code: str
    iris_name: str
    meeting_point: str
    min_volunteers: int
    max_volunteers: int
    status: SessionStatus
    assigned_count: int
    route_count: int
    door_count: int
    dwelling_count: int
    # Where the routes end, empty when they come back to the meeting point.
    end_point: str = ""

    @property
    def is_short(self) -> bool:
        return self.status == SessionStatus.PLANNED and self.assigned_count < self.min_volunteers


@dataclass(frozen=True)
class TeamMember:
    user_id: int
    first_name: str
    last_name: str
    has_declined: bool = False
    is_locked: bool = False
    # Declined because a coordinator marked the team absent, which can be undone.
    is_marked_absent: bool = False


@dataclass(frozen=True)
class Team:
    number: int
    members: tuple[TeamMember, ...]

    @property
    def is_absent(self) -> bool:
        return all(member.has_declined for member in self.members)

    @property
    def is_alone(self) -> bool:
        """Tell whether one person alone is still coming: canvassers go in pairs."""
        return sum(not member.has_declined for member in self.members) == 1

    @property
    def can_be_marked_present(self) -> bool:
        """Tell whether the team is absent because a coordinator marked it so."""
        return self.is_absent and any(member.is_marked_absent for member in self.members)


@dataclass(frozen=True)
class RouteRow:
    team: int
    door_count: int
    dwelling_count: int
    length_m: int
    minutes: int
    access_token: str
    # The route's doors done and to come back to, as its route page counts them.
    progress: DoorProgress = field(default_factory=DoorProgress)
    # When the team, marked absent, marked itself present again from its route link.
    present_declared_at: datetime | None = None


@dataclass(frozen=True)
class ClosedStreet:
    name: str
    door_count: int


@dataclass(frozen=True)
class SessionDetail:
    row: SessionRow
    meeting_lon: float
    meeting_lat: float
    teams: tuple[Team, ...]
    routes: tuple[RouteRow, ...]
    closed_streets: tuple[ClosedStreet, ...] = ()
    closable_streets: tuple[str, ...] = ()
    # Volunteers a coordinator moved from this session to another one.
    moved_members: tuple[TeamMember, ...] = ()
    # Whether the meeting point or the end point lies on a closed street.
    closed_points: PointsOnClosedStreets = field(default_factory=PointsOnClosedStreets)
    # The campaign's other planned sessions not started yet, where a volunteer can be
    # moved by hand.
    move_targets: tuple[SessionRow, ...] = ()
    # By volunteer of this session, the other planned sessions they are on already.
    other_sessions: Mapping[int, frozenset[int]] = field(default_factory=dict)
    # The dwellings of the session's visited addresses, by outcome.
    dwelling_results: DwellingResults = field(default_factory=lambda: count_dwelling_results(()))
    # Whether the session had begun when the page was read: its teams are out, and no
    # manual choice changes them any more.
    has_started: bool = False

    @property
    def can_replan(self) -> bool:
        return self.row.status == SessionStatus.PLANNED and bool(self.teams)

    @property
    def can_lock(self) -> bool:
        return self.row.status == SessionStatus.PLANNED

    @property
    def can_choose(self) -> bool:
        """Tell whether volunteers can still be locked, unlocked or moved by hand."""
        return self.can_lock and not self.has_started

    @property
    def progress(self) -> DoorProgress:
        """Count the doors of the session's routes: some are visited once it has begun."""
        return sum((route.progress for route in self.routes), DoorProgress())

    @property
    def member_count(self) -> int:
        return sum(len(team.members) for team in self.teams)

    def move_targets_for(self, user_id: int) -> tuple[SessionRow, ...]:
        """Return the sessions a volunteer can be moved to: those they are not on yet."""
        held = self.other_sessions.get(user_id, frozenset())
        return tuple(row for row in self.move_targets if row.id not in held)

    def find_team(self, number: int) -> Team | None:
        return next((team for team in self.teams if team.number == number), None)

    def find_route(self, team: int) -> RouteRow | None:
        return next((route for route in self.routes if route.team == team), None)

    def partner_team(self, team: int) -> int | None:
        """Return the team the lone member of `team` would join, as `join_other_team` does."""
        statuses = ((t.number, m.has_declined) for t in self.teams for m in t.members)
        return partner_team(count_coming_per_team(statuses), team)


@dataclass(frozen=True)
class IrisChoice:
    code: str
    name: str
    is_target: bool


@dataclass(frozen=True)
class LeftOutRow:
    user_id: int
    first_name: str
    last_name: str
    reason: str


@dataclass(frozen=True)
class PlanningRunView:
    """A planning run as its progress page and JSON endpoint show it."""

    id: int
    status: JobStatus
    progress_pct: int
    counts: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    created_at: datetime | None = None
    finished_at: datetime | None = None
    # The weights the run planned with, empty for a run recorded without them.
    weights: tuple[WeightRow, ...] = ()
    # Sessions whose locks could not all be kept, when they made the run fail.
    conflicting_sessions: tuple[SessionRow, ...] = ()
    # Sessions under way that the run left as they were (`PlanningReport.kept_session_ids`).
    kept_sessions: tuple[SessionRow, ...] = ()

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)

    @property
    def gap_to_bound(self) -> float | None:
        """Return how far below the proven bound the plan may be, as a fraction of it.

        None when the run recorded no bound or no positive one.
        """
        objective = self.counts.get("objective")
        bound = self.counts.get("bound")
        numbers = (int, float)
        if not isinstance(objective, numbers) or not isinstance(bound, numbers) or bound <= 0:
            return None
        return float(max(bound - objective, 0) / bound)


@dataclass(frozen=True)
class PlanningSummary:
    """What the database contains after the last planning run of a campaign."""

    placed_count: int  # places filled: a volunteer on two sessions fills two
    volunteer_count: int  # distinct volunteers on those places
    left_out: tuple[LeftOutRow, ...]
    short_sessions: tuple[SessionRow, ...]
    route_count: int
    door_count: int
    dwelling_count: int
    queued_message_count: int
    last_run: PlanningRunView | None = None
    # Planned sessions not started yet, where a left-out volunteer can be placed by hand.
    open_sessions: tuple[SessionRow, ...] = ()


def list_session_rows(session: Session, campaign_id: int) -> list[SessionRow]:
    """Return the campaign's sessions, earliest first, with their counts."""
    return _session_rows(session, campaign_id)


def load_session_detail(
    session: Session, campaign_id: int, session_id: int, *, now: datetime | None = None
) -> SessionDetail | None:
    """Return one session of the campaign with its teams and routes, or None.

    `now`, by default the current time, decides which sessions have started.
    """
    rows = _session_rows(session, campaign_id, session_id)
    if not rows:
        return None
    now = now or utcnow()
    canvass = session.get(CanvassSession, session_id)
    assert canvass is not None  # the row query found it
    members: dict[int, list[TeamMember]] = defaultdict(list)
    query = (
        select(Assignment, User.first_name, User.last_name)
        .join(User, User.id == Assignment.user_id)
        .where(Assignment.session_id == session_id)
        .order_by(Assignment.team, User.last_name, User.first_name, User.id)
    )
    moved: list[TeamMember] = []
    for assignment, first_name, last_name in session.execute(query):
        # A volunteer moved to another session belongs to no team here any more.
        place = moved if assignment.moved_to_session_id is not None else members[assignment.team]
        place.append(
            TeamMember(
                user_id=assignment.user_id,
                first_name=first_name,
                last_name=last_name,
                has_declined=assignment.status == AssignmentStatus.DECLINED,
                is_locked=assignment.is_locked,
                is_marked_absent=assignment.status == AssignmentStatus.DECLINED
                and assignment.status_before_absence is not None,
            )
        )
    routes = session.scalars(
        select(Route).where(Route.session_id == session_id).order_by(Route.team)
    ).all()
    outcomes = latest_outcomes_by_route(session, [route.id for route in routes])
    return SessionDetail(
        row=rows[0],
        meeting_lon=canvass.meeting_lon,
        meeting_lat=canvass.meeting_lat,
        teams=tuple(Team(number, tuple(people)) for number, people in sorted(members.items())),
        moved_members=tuple(moved),
        routes=tuple(
            RouteRow(
                team=route.team,
                door_count=route.door_count,
                dwelling_count=route.dwelling_count,
                length_m=route.length_m,
                minutes=round(route.total_minutes),
                access_token=route.access_token,
                progress=_route_progress(route, outcomes.get(route.id, {})),
                present_declared_at=route.present_declared_at,
            )
            for route in routes
        ),
        closed_streets=_closed_streets(session, canvass),
        closed_points=find_points_on_closed_streets(session, canvass),
        closable_streets=tuple(list_closable_streets(session, session_id)),
        move_targets=tuple(
            row
            for row in _not_started(_planned_rows(session, campaign_id), now)
            if row.id != session_id
        ),
        has_started=canvass.starts_at <= now,
        other_sessions=_other_sessions(session, session_id),
        dwelling_results=count_dwelling_results(
            latest_visits_in_session(session, session_id).values()
        ),
    )


def _other_sessions(session: Session, session_id: int) -> dict[int, frozenset[int]]:
    """Return, by volunteer of the session, the other sessions they have not declined."""
    members = select(Assignment.user_id).where(Assignment.session_id == session_id)
    rows = session.execute(
        select(Assignment.user_id, Assignment.session_id).where(
            Assignment.user_id.in_(members),
            Assignment.session_id != session_id,
            Assignment.status != AssignmentStatus.DECLINED,
        )
    )
    found: dict[int, set[int]] = {}
    for user_id, other_id in rows:
        found.setdefault(user_id, set()).add(other_id)
    return {user_id: frozenset(ids) for user_id, ids in found.items()}


def _route_progress(route: Route, outcomes: dict[int, DoorOutcome]) -> DoorProgress:
    return count_door_progress(outcomes.get(address_id) for address_id in route.address_ids)


def _closed_streets(session: Session, canvass: CanvassSession) -> tuple[ClosedStreet, ...]:
    """Return the closed streets, each with its addresses of the IRIS on no route.

    An address is covered, and not counted, when it is on a route of this session or of
    another planned session, or is a door visited before the closure. The count is then
    the one the re-planning reports as not covered for a closed street.
    """
    names = list_closed_street_names(session, canvass.id)
    if not names:
        return ()
    routed = routed_in_other_sessions(session, canvass)
    for address_ids in session.scalars(
        select(Route.address_ids).where(Route.session_id == canvass.id)
    ):
        routed.update(address_ids)
    doors: dict[str, int] = defaultdict(int)
    for address_id, street in session.execute(
        select(Address.id, Address.street).where(Address.iris_code == canvass.iris_code)
    ):
        if address_id not in routed:
            doors[fold_name(street)] += 1
    return tuple(ClosedStreet(name=name, door_count=doors[fold_name(name)]) for name in names)


def load_planning_run(session: Session, campaign_id: int, run_id: int) -> PlanningRunView | None:
    """Return a planning run of the campaign, or None."""
    run = session.get(JobRun, run_id)
    if run is None or run.kind != PLANNING_JOB_KIND or run.campaign_id != campaign_id:
        return None
    view = _run_view(run)
    conflicting = set(view.counts.get("conflicting_session_ids") or ())
    kept_ids = set(view.counts.get("kept_session_ids") or ())
    if not conflicting and not kept_ids:
        return view
    rows = _session_rows(session, campaign_id)
    return replace(
        view,
        conflicting_sessions=tuple(row for row in rows if row.id in conflicting),
        kept_sessions=tuple(row for row in rows if row.id in kept_ids),
    )


def _progress_pct(run: JobRun) -> int:
    """Return the run's progress: the row's, or the one this process keeps while it plans."""
    live = live_progress(run.id) if run.status == JobStatus.RUNNING else None
    return max(run.progress_pct, live or 0)


def _run_view(run: JobRun) -> PlanningRunView:
    counts = dict(run.counts or {})
    weights: tuple[WeightRow, ...] = ()
    recorded = run_weights(run)
    if recorded is not None:
        terms = counts.get("terms")
        weights = weight_rows(recorded, terms if isinstance(terms, dict) else None)
    return PlanningRunView(
        id=run.id,
        status=run.status,
        progress_pct=_progress_pct(run),
        counts=counts,
        error=run.error,
        created_at=run.created_at,
        finished_at=run.finished_at,
        weights=weights,
    )


def load_last_planning_run(session: Session, campaign_id: int) -> PlanningRunView | None:
    """Return the campaign's latest planning run, or None."""
    run = session.scalars(
        select(JobRun)
        .where(JobRun.kind == PLANNING_JOB_KIND, JobRun.campaign_id == campaign_id)
        .order_by(JobRun.id.desc())
        .limit(1)
    ).first()
    return _run_view(run) if run is not None else None


def list_iris_choices(
    session: Session, campaign_id: int, commune_codes: list[str]
) -> list[IrisChoice]:
    """Return the IRIS a session can take place in: targets by rank, then the others by name."""
    rows = session.execute(
        select(Iris.code, Iris.name, IrisScore.is_target, IrisScore.rank)
        .outerjoin(
            IrisScore,
            (IrisScore.iris_code == Iris.code) & (IrisScore.campaign_id == campaign_id),
        )
        .where(Iris.commune_code.in_(commune_codes))
    ).all()
    targets = sorted((row for row in rows if row.is_target), key=lambda row: row.rank)
    others = sorted(
        (row for row in rows if not row.is_target), key=lambda row: (row.name, row.code)
    )
    return [
        IrisChoice(code=row.code, name=row.name, is_target=bool(row.is_target))
        for row in (*targets, *others)
    ]


def find_territory_centre(session: Session, commune_codes: list[str]) -> tuple[float, float] | None:
    """Return the mean (latitude, longitude) of the communes' addresses, or None."""
    lat, lon = session.execute(
        select(func.avg(Address.lat), func.avg(Address.lon)).where(
            Address.commune_code.in_(commune_codes)
        )
    ).one()
    if lat is None or lon is None:
        return None
    return float(lat), float(lon)


def load_planning_summary(
    session: Session, campaign_id: int, *, now: datetime | None = None
) -> PlanningSummary:
    """Return placements, left-out volunteers, short sessions, routes and queued messages.

    `now`, by default the current time, decides which sessions have started.
    """
    rows = _planned_rows(session, campaign_id)
    left_out = session.execute(
        select(User.id, User.first_name, User.last_name, LeftOutVolunteer.reason)
        .join(User, User.id == LeftOutVolunteer.user_id)
        .where(LeftOutVolunteer.campaign_id == campaign_id)
        .order_by(User.last_name, User.first_name, User.id)
    ).all()
    queued = session.scalar(
        select(func.count(Message.id)).where(
            Message.campaign_id == campaign_id, Message.status == MessageStatus.QUEUED
        )
    )
    return PlanningSummary(
        placed_count=sum(row.assigned_count for row in rows),
        volunteer_count=_count_placed_volunteers(session, campaign_id),
        left_out=tuple(
            LeftOutRow(user_id, first, last, reason) for user_id, first, last, reason in left_out
        ),
        short_sessions=tuple(row for row in rows if row.is_short),
        route_count=sum(row.route_count for row in rows),
        door_count=sum(row.door_count for row in rows),
        dwelling_count=sum(row.dwelling_count for row in rows),
        queued_message_count=queued or 0,
        last_run=load_last_planning_run(session, campaign_id),
        open_sessions=tuple(_not_started(rows, now or utcnow())),
    )


def count_stored_placements(session: Session, campaign_id: int) -> StoredCounts:
    """Return the places, volunteers and left-out volunteers as the summary counts them."""
    placed = session.scalar(
        select(func.count(Assignment.id))
        .join(CanvassSession, CanvassSession.id == Assignment.session_id)
        .where(*_placed_on_planned(campaign_id))
    )
    left_out = session.scalar(
        select(func.count(LeftOutVolunteer.user_id)).where(
            LeftOutVolunteer.campaign_id == campaign_id
        )
    )
    return StoredCounts(
        placed=placed or 0,
        volunteers=_count_placed_volunteers(session, campaign_id),
        left_out=left_out or 0,
    )


def _count_placed_volunteers(session: Session, campaign_id: int) -> int:
    volunteers = session.scalar(
        select(func.count(func.distinct(Assignment.user_id)))
        .join(CanvassSession, CanvassSession.id == Assignment.session_id)
        .where(*_placed_on_planned(campaign_id))
    )
    return volunteers or 0


def _placed_on_planned(campaign_id: int) -> tuple[ColumnElement[bool], ...]:
    # A volunteer who declined, or whose team was marked absent, fills no place.
    return (
        CanvassSession.campaign_id == campaign_id,
        CanvassSession.status == SessionStatus.PLANNED,
        Assignment.status != AssignmentStatus.DECLINED,
    )


def _planned_rows(session: Session, campaign_id: int) -> list[SessionRow]:
    return [
        row for row in _session_rows(session, campaign_id) if row.status == SessionStatus.PLANNED
    ]


def _not_started(rows: list[SessionRow], now: datetime) -> list[SessionRow]:
    """Return the sessions a volunteer can still be placed on or moved to by hand.

    A session that has started is left out: its teams are out walking their routes.
    """
    return [row for row in rows if row.starts_at > now]


def _session_rows(
    session: Session, campaign_id: int, session_id: int | None = None
) -> list[SessionRow]:
    # A volunteer who declined, or whose team was marked absent, is not counted.
    assigned = (
        select(Assignment.session_id, func.count(Assignment.id).label("count"))
        .where(Assignment.status != AssignmentStatus.DECLINED)
        .group_by(Assignment.session_id)
        .subquery()
    )
    routed = (
        select(
            Route.session_id,
            func.count(Route.id).label("count"),
            func.coalesce(func.sum(Route.door_count), 0).label("doors"),
            func.coalesce(func.sum(Route.dwelling_count), 0).label("dwellings"),
        )
        .group_by(Route.session_id)
        .subquery()
    )
    query = (
        select(
            CanvassSession,
            Iris.name,
            func.coalesce(assigned.c.count, 0),
            func.coalesce(routed.c.count, 0),
            func.coalesce(routed.c.doors, 0),
            func.coalesce(routed.c.dwellings, 0),
        )
        .join(Iris, Iris.code == CanvassSession.iris_code)
        .outerjoin(assigned, assigned.c.session_id == CanvassSession.id)
        .outerjoin(routed, routed.c.session_id == CanvassSession.id)
        .where(CanvassSession.campaign_id == campaign_id)
        .order_by(CanvassSession.starts_at, CanvassSession.id)
    )
    if session_id is not None:
        query = query.where(CanvassSession.id == session_id)
    return [
        SessionRow(
            id=canvass.id,
            starts_at=canvass.starts_at,
            ends_at=canvass.ends_at,
            iris_code=canvass.iris_code,
            iris_name=iris_name,
            meeting_point=canvass.meeting_point_label,
            min_volunteers=canvass.min_volunteers,
            max_volunteers=canvass.max_volunteers,
            status=canvass.status,
            assigned_count=int(assigned_count),
            route_count=int(route_count),
            door_count=int(door_count),
            dwelling_count=int(dwelling_count),
            end_point=canvass.end_point_label if canvass.has_end_point else "",
        )
        for (
            canvass,
            iris_name,
            assigned_count,
            route_count,
            door_count,
            dwelling_count,
        ) in session.execute(query)
    ]
