"""Daily job that applies the retention rules and erases the people who are due.

Schedule it one of two ways:

- cron, on one machine: `15 3 * * * cd /srv/tournee && flask --app wsgi privacy purge`;
- RQ's scheduler (workers started with `--with-scheduler`): `flask privacy purge --daily`
  runs the purge now and arms a job that runs it again every 24 hours, each run arming
  the next. The job id carries the day, so arming twice on one day queues one job.
"""

import logging
from datetime import date, timedelta

from redis import Redis
from rq import Queue

from messaging.queues import DEFAULT_JOB_FAILURE_TTL_S, DEFAULT_JOB_RESULT_TTL_S, DEFAULT_QUEUE
from webapp.db import utcnow
from webapp.jobs.context import job_session
from webapp.services import retention
from webapp.settings import Settings
from webapp.settings_access import get_settings

logger = logging.getLogger(__name__)

RETENTION_JOB_PREFIX = "retention-purge-"
RETENTION_INTERVAL = timedelta(days=1)
RETENTION_JOB_TIMEOUT_S = 3600


def purge_expired_personal_data(is_rearmed: bool = False) -> dict[str, int]:
    """Erase the people whose campaign's retention date has come; return counts only.

    Idempotent: everything it deletes is chosen by date, so a second run the same day
    finds nothing to do. The unit of work commits once; the queue and provider clean-up
    of each erasure runs after that commit.
    """
    with job_session() as session:
        settings = get_settings()
        report = retention.purge_expired_personal_data(session, settings, now=utcnow())
        session.commit()
    counts = report.as_counts()
    logger.info(
        "Retention purge: %s campaigns due, %s people erased, %s memberships ended, "
        "%s people kept, %s rows deleted",
        counts["campaigns"],
        counts["people_erased"],
        counts["memberships_ended"],
        counts["people_kept"],
        sum(report.rows_deleted.values()),
    )
    if is_rearmed:
        arm_daily_purge(settings)
    return counts


def retention_job_id(day: date) -> str:
    return f"{RETENTION_JOB_PREFIX}{day.isoformat()}"


def arm_daily_purge(settings: Settings) -> str:
    """Schedule the next run in 24 hours on the default queue; return its job id."""
    run_at = utcnow() + RETENTION_INTERVAL
    job_id = retention_job_id(retention.local_today(run_at))
    queue = Queue(DEFAULT_QUEUE, connection=Redis.from_url(settings.redis_url))
    queue.enqueue_at(
        run_at,
        purge_expired_personal_data,
        True,
        job_id=job_id,
        job_timeout=RETENTION_JOB_TIMEOUT_S,
        result_ttl=DEFAULT_JOB_RESULT_TTL_S,
        failure_ttl=DEFAULT_JOB_FAILURE_TTL_S,
    )
    logger.info("Next retention purge armed for %s", run_at.isoformat(), extra={"job_id": job_id})
    return job_id
