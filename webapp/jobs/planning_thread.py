"""Planning runs in a thread of the web process, for the laptop demo without a worker.

The request for a run commits it, starts its thread and returns the redirect at once,
so the run's page follows it as it follows a run on a worker. Runs take turns, as on a
single worker, because SQLite has a single writer anyway.
"""

import logging
import threading

from flask import Flask

from webapp.db import utcnow
from webapp.jobs.context import job_session
from webapp.jobs.planning import run_planning_job
from webapp.models import JobRun
from webapp.services.planning import ACTIVE_STATUSES, PlanningErrorCode, mark_run_failed

logger = logging.getLogger(__name__)

# The thread that plans takes it, so a run requested meanwhile waits, still queued.
_turn = threading.Lock()


def planning_thread_name(job_run_id: int) -> str:
    return f"planning-{job_run_id}"


def start_planning_thread(app: Flask, job_run_id: int) -> threading.Thread:
    """Run the job of a committed run in a new thread of this process and return it.

    The thread gets the run's id only and opens its own sessions in its own app context.
    It is a daemon: stopping the server abandons a run under way, whose row stays
    running until it is stale (`PLANNING_RUN_STALE_AFTER`).
    """
    thread = threading.Thread(
        target=_run_in_thread,
        args=(app, job_run_id),
        name=planning_thread_name(job_run_id),
        daemon=True,
    )
    thread.start()
    return thread


def _run_in_thread(app: Flask, job_run_id: int) -> None:
    log_ids = {"job_id": job_run_id}
    with app.app_context():
        if not _turn.acquire(blocking=False):
            logger.info("Planning run %s waits for the run under way", job_run_id, extra=log_ids)
            _turn.acquire()
        try:
            logger.info("Planning thread of run %s started", job_run_id, extra=log_ids)
            status = run_planning_job(job_run_id)
        except Exception:
            logger.exception(
                "Planning thread of run %s stopped on an error", job_run_id, extra=log_ids
            )
            _fail_unfinished(job_run_id)
            return
        finally:
            _turn.release()
    logger.info("Planning thread of run %s ended: %s", job_run_id, status, extra=log_ids)


def _fail_unfinished(job_run_id: int) -> None:
    """Give the run a terminal failed status unless the job gave it one.

    NOTE: an error after the plan's commit, while the job records the success, also
    lands here: the run then reads as failed although its plan is saved.
    """
    try:
        with job_session() as session:
            run = session.get(JobRun, job_run_id)
            if run is not None and run.status in ACTIVE_STATUSES:
                mark_run_failed(run, PlanningErrorCode.UNEXPECTED, utcnow())
                session.commit()
    except Exception:
        logger.exception(
            "Planning run %s could not be marked failed", job_run_id, extra={"job_id": job_run_id}
        )
