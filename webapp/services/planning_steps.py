"""A planning run in three steps: read its inputs, solve, then store the plan.

The solve needs no database, so a run keeps no transaction open while the solvers work.
On SQLite, which has a single writer, a run that held its write transaction through
the solve kept every page that writes (an audit row, a door visit) waiting until it
ended. `store_planning` writes the whole plan in the caller's one transaction. It first
checks that the rows the run read have not changed (`planning_snapshot`), and raises
with nothing stored when they have.
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from routing.assignment import assign_volunteers
from routing.assignment_types import AssignmentPlan, AssignmentProblem
from routing.assignment_weights import PlanningWeights
from routing.route_types import TurfPlan
from routing.turf import plan_turf
from webapp.db import utcnow
from webapp.models import Assignment, Campaign, CanvassSession, Message, Route
from webapp.models.planning import SessionStatus
from webapp.services.assignment import AssignmentLimits, build_problem
from webapp.services.assignment_store import (
    TeamSeat,
    read_team_seats,
    store_assignments,
    teams_after_plan,
)
from webapp.services.message_batch import count_withdrawn
from webapp.services.notifications import queue_assignment_messages
from webapp.services.planning import (
    ASSIGNMENT_START_PCT,
    MESSAGES_START_PCT,
    ROUTES_START_PCT,
    PlanningError,
    PlanningErrorCode,
    PlanningReport,
    ProgressCallback,
    route_settings,
)
from webapp.services.planning_snapshot import PlanningSnapshot, take_planning_snapshot
from webapp.services.planning_view import count_stored_placements
from webapp.services.reformed_teams import notify_reformed_teams
from webapp.services.removal_notices import list_placements, notify_removed
from webapp.services.routes import (
    RouteSettings,
    SessionRouting,
    has_street_network,
    list_planned_sessions,
    list_session_teams,
    read_session_routing,
    store_session_routes,
    street_graph_once,
)
from webapp.services.started_sessions import sessions_with_visits
from webapp.services.team_numbers import keep_team_numbers
from webapp.settings import Settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlanningInputs:
    """Everything a run solves from, read from the database before the solve."""

    campaign_id: int
    problem: AssignmentProblem
    # The assignments of the sessions the assignment plans, to tell the teams it forms.
    seats: tuple[TeamSeat, ...]
    # The campaign's planned sessions, in the order their routes are cut.
    session_ids: tuple[int, ...]
    # The sessions not begun, whose routes the run cuts again, by id.
    routings: Mapping[int, SessionRouting]
    # The routed doors of each session begun, whose routes the run keeps.
    kept_doors: Mapping[int, tuple[int, ...]]
    route_settings: RouteSettings
    snapshot: PlanningSnapshot


@dataclass(frozen=True)
class PlanningSolution:
    """The assignment and, for each session not begun, its teams and their walks."""

    assignment: AssignmentPlan
    teams: Mapping[int, list[int]]
    # Sessions without a team have no plan.
    turf_plans: Mapping[int, TurfPlan]


def run_planning(
    session: Session,
    campaign_id: int,
    settings: Settings,
    progress: ProgressCallback | None = None,
    weights: PlanningWeights | None = None,
    *,
    now: datetime | None = None,
) -> PlanningReport:
    """Plan the campaign's sessions end to end in `session`; the caller commits once.

    Without `weights`, the campaign's own weights apply. `now`, the current time by
    default, is the time the plan is stored at. Raises PlanningError when the
    campaign has no planned session or the assignment finds no solution. The caller
    then rolls back, and the previous plan stays whole. Needs an app context (messages
    are rendered from templates). The planning job runs the same steps with its read
    transaction closed during the solve.
    """
    inputs = read_planning_inputs(session, campaign_id, settings, weights, progress)
    solution = solve_planning(inputs, progress)
    return store_planning(session, inputs, solution, progress, now=now)


def read_planning_inputs(
    session: Session,
    campaign_id: int,
    settings: Settings,
    weights: PlanningWeights | None = None,
    progress: ProgressCallback | None = None,
) -> PlanningInputs:
    """Read what the run solves from; writes nothing.

    The street graph is loaded once, for both the walking-time limits and the routes.
    """
    report_progress = progress or _ignore_progress
    campaign = _find_plannable(session, campaign_id)
    report_progress(ASSIGNMENT_START_PCT)
    planned = list_planned_sessions(session, campaign_id)
    # Taken before the other reads, so that a change made during them shows at the store.
    snapshot = take_planning_snapshot(session, campaign_id, [row.id for row in planned])
    street_graph = street_graph_once(session)
    limits = AssignmentLimits(
        max_distance_m=settings.max_distance_m, time_limit_s=settings.assignment_time_limit_s
    )
    problem = build_problem(session, campaign, limits, weights, street_graph)
    begun = sessions_with_visits(session, campaign_id)
    # Without any street, the solve fails at the first session with teams to route, after
    # the assignment, so that an assignment without solution is reported first.
    graph = street_graph() if has_street_network(session) else None
    routings = {
        row.id: read_session_routing(session, row, graph) for row in planned if row.id not in begun
    }
    kept_doors = {
        row.id: tuple(
            address_id
            for route in session.scalars(select(Route).where(Route.session_id == row.id))
            for address_id in route.address_ids
        )
        for row in planned
        if row.id in begun
    }
    return PlanningInputs(
        campaign_id=campaign_id,
        problem=problem,
        seats=read_team_seats(session, [row.id for row in problem.sessions]),
        session_ids=tuple(row.id for row in planned),
        routings=routings,
        kept_doors=kept_doors,
        route_settings=route_settings(settings),
        snapshot=snapshot,
    )


def solve_planning(
    inputs: PlanningInputs, progress: ProgressCallback | None = None
) -> PlanningSolution:
    """Assign the volunteers, then cut each session's routes for the teams formed.

    Uses no database. A door goes into one session's routes at most: doors routed for
    an earlier session, or kept by a session begun, are not offered to later ones.
    Raises PlanningError when the assignment finds no solution.
    """
    report_progress = progress or _ignore_progress
    assignment = keep_team_numbers(inputs.seats, assign_volunteers(inputs.problem))
    logger.info(
        "Assignment for campaign %s: %s placed, %s left out, status %s, objective %s",
        inputs.campaign_id,
        len(assignment.placements),
        len(assignment.left_out),
        assignment.status,
        round(assignment.objective),
        extra={"campaign_id": inputs.campaign_id},
    )
    if not assignment.status.has_solution:
        conflicting = sorted({lock.session_id for lock in assignment.conflicting_locks})
        raise PlanningError(PlanningErrorCode.NO_ASSIGNMENT, assignment.status, tuple(conflicting))
    report_progress(ROUTES_START_PCT)

    teams = teams_after_plan(inputs.seats, assignment, list(inputs.routings))
    turf_plans: dict[int, TurfPlan] = {}
    routed: set[int] = set()
    total = len(inputs.session_ids)
    for done, session_id in enumerate(inputs.session_ids, 1):
        routing = inputs.routings.get(session_id)
        session_teams = teams.get(session_id, [])
        if routing is None:
            routed.update(inputs.kept_doors.get(session_id, ()))
        elif session_teams:
            if routing.graph is None:
                raise ValueError(f"session {session_id}: no street is imported to route it on")
            problem = routing.problem(len(session_teams), inputs.route_settings, routed)
            plan = plan_turf(routing.graph, problem)
            turf_plans[session_id] = plan
            # Only the walks of teams get stored (`store_session_routes`).
            walks = plan.routes[: len(session_teams)]
            routed.update(address_id for walk in walks for address_id in walk.door_ids)
        span = MESSAGES_START_PCT - ROUTES_START_PCT
        report_progress(ROUTES_START_PCT + span * done // max(total, 1))
    return PlanningSolution(assignment=assignment, teams=teams, turf_plans=turf_plans)


def store_planning(
    session: Session,
    inputs: PlanningInputs,
    solution: PlanningSolution,
    progress: ProgressCallback | None = None,
    *,
    now: datetime | None = None,
) -> PlanningReport:
    """Store the assignment, the routes and the messages of a solved run; flushes only.

    Raises PlanningError (CHANGED_DURING_RUN) when the rows the run read have changed
    since, before writing anything. A volunteer the run takes off a session is notified
    (`webapp.services.removal_notices`), and so is a volunteer whose team it changed
    (`webapp.services.reformed_teams`). `now` is the current time by default. Needs an
    app context (messages are rendered from templates).
    """
    now = now or utcnow()
    report_progress = progress or _ignore_progress
    _lock_planned_rows(session, inputs.campaign_id, inputs.session_ids)
    current = take_planning_snapshot(session, inputs.campaign_id, inputs.session_ids)
    if current != inputs.snapshot:
        logger.info(
            "Planning of campaign %s not stored: its sessions or teams changed during the solve",
            inputs.campaign_id,
            extra={"campaign_id": inputs.campaign_id},
        )
        raise PlanningError(PlanningErrorCode.CHANGED_DURING_RUN)
    placements_before = list_placements(session, inputs.campaign_id)
    withdrawn_before = count_withdrawn(session, inputs.campaign_id)
    assigned_ids = [row.id for row in inputs.problem.sessions]
    store_assignments(session, inputs.campaign_id, assigned_ids, solution.assignment)

    routes: list[Route] = []
    team_notices: list[Message] = []
    kept_session_ids: list[int] = []
    for session_id in inputs.session_ids:
        canvass = session.get(CanvassSession, session_id)
        assert canvass is not None  # the snapshot found it unchanged
        routing = inputs.routings.get(session_id)
        if routing is None:
            # Begun: its routes stay, with their visits and links.
            routes.extend(session.scalars(select(Route).where(Route.session_id == session_id)))
            if canvass.ends_at > now:
                kept_session_ids.append(session_id)
            continue
        teams = list_session_teams(session, session_id)
        if teams != solution.teams.get(session_id, []):
            raise RuntimeError(
                f"session {session_id}: teams {teams} stored, "
                f"routes cut for {solution.teams.get(session_id)}"
            )
        session_routes = store_session_routes(
            session,
            canvass,
            teams,
            solution.turf_plans.get(session_id),
            dwellings=routing.dwellings,
            settings=inputs.route_settings,
        )
        if session_routes:
            notices = notify_reformed_teams(session, canvass, session_routes, now=now)
            team_notices += notices.queued
        routes.extend(session_routes)
    report_progress(MESSAGES_START_PCT)
    # Written after the links are replaced, so that they carry the new ones.
    messages = queue_assignment_messages(session, inputs.campaign_id, now=now)
    messages += notify_removed(session, inputs.campaign_id, placements_before, now=now)
    messages += team_notices
    # Counted as the summary page counts them, so that the run's page agrees with it.
    stored = count_stored_placements(session, inputs.campaign_id)
    return PlanningReport(
        assignment=solution.assignment,
        routes=routes,
        messages=messages,
        stored=stored,
        withdrawn_count=count_withdrawn(session, inputs.campaign_id) - withdrawn_before,
        kept_session_ids=tuple(kept_session_ids),
    )


def _find_plannable(session: Session, campaign_id: int) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise PlanningError(PlanningErrorCode.CAMPAIGN_NOT_FOUND)
    planned = session.scalar(
        select(func.count(CanvassSession.id)).where(
            CanvassSession.campaign_id == campaign_id,
            CanvassSession.status == SessionStatus.PLANNED,
        )
    )
    if not planned:
        raise PlanningError(PlanningErrorCode.NO_SESSIONS)
    return campaign


def _lock_planned_rows(session: Session, campaign_id: int, session_ids: tuple[int, ...]) -> None:
    """Lock the planned sessions and the campaign's assignments until the caller commits.

    A change of a session's teams from its page locks the session's row first, so it
    waits for the store. NOTE: SQLite has no row locks. There, a change committed
    between the snapshot check and the first write of the store goes unnoticed.
    """
    session.execute(
        select(CanvassSession.id).where(CanvassSession.id.in_(list(session_ids))).with_for_update()
    ).all()
    session.execute(
        select(Assignment.id)
        .join(CanvassSession, CanvassSession.id == Assignment.session_id)
        .where(CanvassSession.campaign_id == campaign_id)
        .with_for_update(of=Assignment)
    ).all()


def _ignore_progress(_pct: int) -> None:
    return None
