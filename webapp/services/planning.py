"""Planning runs: their records, errors, report and progress steps.

A run assigns volunteers, cuts routes and queues the messages
(`webapp.services.planning_steps`). It is recorded in a `JobRun` row of kind
"planning", whose progress the coordinator watches. The work itself runs in
`webapp.jobs.planning.run_planning_job`.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.assignment_types import AssignmentPlan
from routing.status import SolveStatus
from webapp.db import call_after_commit
from webapp.models import Campaign, JobRun, Message, Route
from webapp.models.jobs import JobStatus
from webapp.services.errors import NotFoundError, ServiceError
from webapp.services.message_batch import is_rewrite
from webapp.services.planning_weights import run_parameters
from webapp.services.routes import RouteSettings
from webapp.settings import Settings

logger = logging.getLogger(__name__)

PLANNING_JOB_KIND = "planning"
ACTIVE_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING)

# Limits of the planning job. The assignment and each session's route solve stop at their
# own time limits, so fifteen minutes fits a couple of hundred sessions at the default
# limits (an estimate: loading the street graph and rendering messages add to it).
PLANNING_JOB_TIMEOUT_S = 15 * 60
# A planning that has not started within the hour is stale: the coordinator runs it again.
PLANNING_JOB_TTL_S = 3600
# A run still queued or running after its wait and its timeout lost its worker.
PLANNING_RUN_STALE_AFTER = timedelta(seconds=PLANNING_JOB_TTL_S + PLANNING_JOB_TIMEOUT_S + 60)

# Progress of a run, in percent, at the start of each step.
ASSIGNMENT_START_PCT = 10
ROUTES_START_PCT = 40
MESSAGES_START_PCT = 90
DONE_PCT = 100

ProgressCallback = Callable[[int], None]


class PlanningErrorCode(StrEnum):
    """Why a planning run failed; the pages translate these codes."""

    CAMPAIGN_NOT_FOUND = "campaign_not_found"
    NO_SESSIONS = "no_sessions"
    NO_ASSIGNMENT = "no_assignment"
    TIMEOUT = "timeout"
    INTERRUPTED = "interrupted"
    QUEUE_UNAVAILABLE = "queue_unavailable"
    # The sessions or teams the run read changed before it could store its plan.
    CHANGED_DURING_RUN = "changed_during_run"
    UNEXPECTED = "unexpected"


class PlanningError(ServiceError):
    """The planning cannot be done, so the caller rolls back and nothing changes."""

    def __init__(
        self,
        code: PlanningErrorCode,
        solve_status: SolveStatus | None = None,
        conflicting_session_ids: tuple[int, ...] = (),
    ) -> None:
        super().__init__(
            f"planning failed: {code}" + (f" ({solve_status})" if solve_status else "")
        )
        self.code = code
        self.solve_status = solve_status
        # Sessions holding locks that cannot all be kept, when the locks make it infeasible.
        self.conflicting_session_ids = conflicting_session_ids


@dataclass(frozen=True)
class StoredCounts:
    """Places filled, the distinct volunteers on them and those left out, as stored.

    They count the sessions a run keeps as they are (begun ones) too, and leave out of
    the left-out volunteers those out canvassing on such a session.
    """

    placed: int
    volunteers: int
    left_out: int


@dataclass(frozen=True)
class PlanningReport:
    assignment: AssignmentPlan
    routes: list[Route]
    messages: list[Message]
    # The stored plan's counts; without them, those of the assignment alone.
    stored: StoredCounts | None = None
    # Queued messages the run withdrew: of places or teams that changed.
    withdrawn_count: int = 0
    # Sessions under way the run left as they were: a door is recorded there and they
    # had not ended. Only their own page re-plans them.
    kept_session_ids: tuple[int, ...] = ()

    def counts(self) -> dict[str, Any]:
        """Return the figures a finished run keeps, JSON-safe."""
        placements = self.assignment.placements
        stored = self.stored or StoredCounts(
            placed=len(placements),
            volunteers=len({p.volunteer_id for p in placements}),
            left_out=len(self.assignment.left_out),
        )
        return {
            # Places filled, and the distinct volunteers on them.
            "placed": stored.placed,
            "volunteers": stored.volunteers,
            "left_out": stored.left_out,
            "routes": len(self.routes),
            # Addresses on the routes, and the estimated dwellings behind them.
            "doors": sum(route.door_count for route in self.routes),
            "dwellings": sum(route.dwelling_count for route in self.routes),
            "metres": sum(route.length_m for route in self.routes),
            # Messages new to their recipients, and those written again in place of
            # withdrawn ones (a team or a route link changed).
            "messages": sum(not is_rewrite(message) for message in self.messages),
            "rewritten_messages": sum(is_rewrite(message) for message in self.messages),
            "withdrawn_messages": self.withdrawn_count,
            "solver_status": str(self.assignment.status),
            "objective": round(self.assignment.objective),
            # The highest objective any plan can reach, as the solver proved; None if unknown.
            "bound": None if self.assignment.bound is None else round(self.assignment.bound),
            # Signed points of each objective term, by weight name.
            "terms": {str(term.name): term.points for term in self.assignment.terms},
            # Why each session that nobody was placed on stayed empty, by session id.
            "shortfalls": {
                str(short.session_id): str(short.reason) for short in self.assignment.short_sessions
            },
            "kept_session_ids": list(self.kept_session_ids),
        }


@dataclass(frozen=True)
class PlanningRequest:
    """The run a coordinator asked for, and whether it is new or one already under way."""

    run: JobRun
    is_new: bool


def route_settings(settings: Settings) -> RouteSettings:
    """Return the route limits of the application settings."""
    return RouteSettings(
        walking_speed_m_per_min=settings.walking_speed_m_per_min,
        minutes_per_address=settings.minutes_per_address,
        time_limit_s=settings.route_time_limit_s,
        token_days=settings.route_token_days,
    )


def request_planning(
    session: Session, campaign_id: int, settings: Settings, now: datetime
) -> PlanningRequest:
    """Record a planning run and enqueue its job once the caller commits.

    When a run of the campaign is already queued or running, return it instead: a
    second click on the button starts nothing.
    """
    request = create_planning_run(session, campaign_id, now)
    if request.is_new:
        # Imported here: the job module imports this one.
        from webapp.jobs.planning import enqueue_planning_job

        run_id = request.run.id
        call_after_commit(session, lambda: enqueue_planning_job(settings, run_id))
    return request


def create_planning_run(session: Session, campaign_id: int, now: datetime) -> PlanningRequest:
    """Return the campaign's planning run under way, or add a queued one.

    A new run records the campaign's weights of this moment, and its job plans with
    them even if a coordinator changes the weights while it waits. The campaign row is
    locked until the caller commits, so two requests at the same moment cannot both
    add a run. Runs left queued or running past `PLANNING_RUN_STALE_AFTER` lost their
    worker: they are marked failed.
    """
    campaign = session.scalars(
        select(Campaign).where(Campaign.id == campaign_id).with_for_update()
    ).first()
    if campaign is None:
        raise NotFoundError(f"campaign {campaign_id} not found")
    for run in _active_runs(session, campaign_id):
        if run.created_at >= now - PLANNING_RUN_STALE_AFTER:
            return PlanningRequest(run=run, is_new=False)
        mark_run_failed(run, PlanningErrorCode.INTERRUPTED, now)
        logger.warning(
            "Planning run %s of campaign %s never finished: marked failed",
            run.id,
            campaign_id,
            extra={"campaign_id": campaign_id, "job_id": run.id},
        )
    run = JobRun(
        kind=PLANNING_JOB_KIND,
        campaign_id=campaign_id,
        status=JobStatus.QUEUED,
        progress_pct=0,
        parameters=run_parameters(campaign),
        counts={},
        created_at=now,
    )
    session.add(run)
    session.flush()
    return PlanningRequest(run=run, is_new=True)


def find_active_planning_run(session: Session, campaign_id: int, now: datetime) -> JobRun | None:
    """Return the campaign's latest planning run still queued or running, if not stale."""
    for run in _active_runs(session, campaign_id):
        if run.created_at >= now - PLANNING_RUN_STALE_AFTER:
            return run
    return None


def _active_runs(session: Session, campaign_id: int) -> list[JobRun]:
    return list(
        session.scalars(
            select(JobRun)
            .where(
                JobRun.kind == PLANNING_JOB_KIND,
                JobRun.campaign_id == campaign_id,
                JobRun.status.in_(ACTIVE_STATUSES),
            )
            .order_by(JobRun.id.desc())
        )
    )


def mark_run_succeeded(run: JobRun, report: PlanningReport, now: datetime) -> None:
    """Give the run its terminal succeeded status and the figures of its report."""
    run.counts = report.counts()
    run.progress_pct = DONE_PCT
    run.status = JobStatus.SUCCEEDED
    run.finished_at = now


def mark_run_failed(
    run: JobRun,
    code: PlanningErrorCode,
    now: datetime,
    solve_status: SolveStatus | None = None,
    conflicting_session_ids: tuple[int, ...] = (),
) -> None:
    """Give the run its terminal failed status, its error code and a French message.

    Needs an app context: the message is rendered in the default locale.
    """
    from webapp.planning.progress_labels import planning_error_text

    run.status = JobStatus.FAILED
    run.error = planning_error_text(code, solve_status)
    counts: dict[str, Any] = {"error_code": str(code)}
    if solve_status is not None:
        counts["solver_status"] = str(solve_status)
    if conflicting_session_ids:
        counts["conflicting_session_ids"] = list(conflicting_session_ids)
    run.counts = counts
    run.finished_at = now
