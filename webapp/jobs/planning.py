"""Job that plans a campaign and records its progress in a JobRun row."""

import logging
from functools import partial

from flask import current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue
from rq.timeouts import JobTimeoutException
from sqlalchemy import update
from sqlalchemy.orm import Session

from messaging.queues import DEFAULT_JOB_FAILURE_TTL_S, DEFAULT_JOB_RESULT_TTL_S, DEFAULT_QUEUE
from routing.status import SolveStatus
from webapp.db import call_after_commit, utcnow
from webapp.jobs.context import job_session
from webapp.jobs.live_progress import forget_progress, record_progress
from webapp.models import JobRun
from webapp.models.jobs import JobStatus
from webapp.services.planning import (
    PLANNING_JOB_KIND,
    PLANNING_JOB_TIMEOUT_S,
    PLANNING_JOB_TTL_S,
    PlanningError,
    PlanningErrorCode,
    PlanningReport,
    ProgressCallback,
    mark_run_failed,
    mark_run_succeeded,
)
from webapp.services.planning_steps import read_planning_inputs, solve_planning, store_planning
from webapp.services.planning_weights import run_weights
from webapp.settings import Settings
from webapp.settings_access import get_settings

logger = logging.getLogger(__name__)


def planning_job_id(job_run_id: int) -> str:
    """Return the RQ job id of a run, so one run is never queued twice."""
    return f"planning-{job_run_id}"


def enqueue_planning_job(settings: Settings, job_run_id: int) -> None:
    """Put the run's job on the default queue. Call only after the run row is committed.

    There is no `Retry`: a planning that failed is run again by the coordinator, not
    by the queue. In synchronous mode (the laptop demo, no Redis) the job runs here, or
    in a thread of this process with `is_planning_threaded`.
    """
    if settings.is_queue_synchronous:
        if settings.is_planning_threaded:
            # Imported here: the thread module imports this one.
            from webapp.jobs.planning_thread import start_planning_thread

            app = current_app._get_current_object()  # type: ignore[attr-defined]
            start_planning_thread(app, job_run_id)
        else:
            run_planning_job(job_run_id)
        return
    try:
        queue = Queue(DEFAULT_QUEUE, connection=Redis.from_url(settings.redis_url))
        queue.enqueue(
            run_planning_job,
            job_run_id,
            job_id=planning_job_id(job_run_id),
            job_timeout=PLANNING_JOB_TIMEOUT_S,
            ttl=PLANNING_JOB_TTL_S,
            result_ttl=DEFAULT_JOB_RESULT_TTL_S,
            failure_ttl=DEFAULT_JOB_FAILURE_TTL_S,
        )
    except RedisError:
        logger.exception(
            "Planning run %s could not be queued", job_run_id, extra={"job_id": job_run_id}
        )
        _fail_unqueued(job_run_id)
        return
    logger.info("Enqueued planning run %s", job_run_id, extra={"job_id": job_run_id})


def run_planning_job(job_run_id: int) -> str:
    """Plan the run's campaign; progress goes through a second session.

    Idempotent: the run is claimed (queued → running) and committed before any work, so
    a run already running, succeeded or failed is left as it is. The planning reads its
    inputs, ends that read transaction, solves, then writes everything it changes in one
    transaction, which a failure rolls back whole (`planning_steps`). The weights are
    those recorded on the run, or the campaign's for a run recorded without them.
    Progress is written to the row only on PostgreSQL, where a second session can
    commit while the planning's write transaction is open; SQLite would block on its
    single writer, so there it is kept in this process's memory (`live_progress`).
    """
    with job_session() as progress_session, job_session() as session:
        run = _claim(progress_session, job_run_id)
        if run is None:
            current = progress_session.get(JobRun, job_run_id)
            status = current.status if current is not None else "missing"
            logger.info(
                "Planning run %s not claimed: %s", job_run_id, status, extra={"job_id": job_run_id}
            )
            return str(status)
        try:
            return _plan(session, progress_session, run)
        finally:
            forget_progress(job_run_id)


def _plan(session: Session, progress_session: Session, run: JobRun) -> str:
    """Plan a claimed run with `session` and record its outcome with `progress_session`."""
    job_run_id = run.id
    campaign_id = run.campaign_id
    log_ids = {"job_id": job_run_id, "campaign_id": campaign_id}
    progress = (
        _progress_writer(progress_session, run)
        if session.get_bind().dialect.name != "sqlite"
        else partial(record_progress, job_run_id)
    )
    committed: list[bool] = []
    report: PlanningReport | None = None
    try:
        if campaign_id is None:
            raise PlanningError(PlanningErrorCode.CAMPAIGN_NOT_FOUND)
        weights = run_weights(run)
        inputs = read_planning_inputs(session, campaign_id, get_settings(), weights, progress)
        # Ends the read transaction: the solve holds no lock, so pages can write meanwhile.
        session.rollback()
        solution = solve_planning(inputs, progress)
        # Registered before the store, so it runs before the store's message dispatch hooks.
        call_after_commit(session, lambda: committed.append(True))
        report = store_planning(session, inputs, solution, progress)
        session.commit()
    except PlanningError as error:
        session.rollback()
        logger.warning("Planning run %s failed: %s", job_run_id, error, extra=log_ids)
        _fail(progress_session, run, error.code, error.solve_status, error.conflicting_session_ids)
        return str(JobStatus.FAILED)
    except JobTimeoutException:
        session.rollback()
        logger.error("Planning run %s timed out", job_run_id, extra=log_ids)
        _fail(progress_session, run, PlanningErrorCode.TIMEOUT)
        return str(JobStatus.FAILED)
    except Exception:
        if not committed:
            session.rollback()
            logger.exception("Planning run %s failed", job_run_id, extra=log_ids)
            _fail(progress_session, run, PlanningErrorCode.UNEXPECTED)
            return str(JobStatus.FAILED)
        # The plan is saved: only a hook after the commit failed, such as enqueueing
        # the messages, whose rows stay queued in the database.
        logger.exception(
            "Planning run %s saved, but its after-commit work failed", job_run_id, extra=log_ids
        )
    assert report is not None  # set before any commit
    mark_run_succeeded(run, report, utcnow())
    progress_session.commit()
    logger.info(
        "Planning run %s done: %s placed, %s routes, %s messages, assignment %s",
        job_run_id,
        run.counts["placed"],
        run.counts["routes"],
        run.counts["messages"],
        run.counts["solver_status"],
        extra=log_ids,
    )
    return str(JobStatus.SUCCEEDED)


def _claim(session: Session, job_run_id: int) -> JobRun | None:
    claimed = session.execute(
        update(JobRun)
        .where(
            JobRun.id == job_run_id,
            JobRun.kind == PLANNING_JOB_KIND,
            JobRun.status == JobStatus.QUEUED,
        )
        .values(status=JobStatus.RUNNING, progress_pct=0, error=None)
        .execution_options(synchronize_session=False)
    )
    run = (
        session.get(JobRun, job_run_id, populate_existing=True)
        if claimed.rowcount == 1  # type: ignore[attr-defined]
        else None
    )
    # Committing leaves this session idle, so the planning's transaction is never
    # nested inside one of its own.
    session.commit()
    return run


def _progress_writer(session: Session, run: JobRun) -> ProgressCallback:
    def write(pct: int) -> None:
        if pct > run.progress_pct:
            run.progress_pct = pct
            session.commit()

    return write


def _fail(
    session: Session,
    run: JobRun,
    code: PlanningErrorCode,
    solve_status: SolveStatus | None = None,
    conflicting_session_ids: tuple[int, ...] = (),
) -> None:
    mark_run_failed(run, code, utcnow(), solve_status, conflicting_session_ids)
    session.commit()


def _fail_unqueued(job_run_id: int) -> None:
    with job_session() as session:
        run = session.get(JobRun, job_run_id)
        if run is not None and run.status == JobStatus.QUEUED:
            mark_run_failed(run, PlanningErrorCode.QUEUE_UNAVAILABLE, utcnow())
            session.commit()
