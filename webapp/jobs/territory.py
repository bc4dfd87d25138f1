"""Job that imports a territory folder and records its progress in a JobRun row."""

import logging
from pathlib import Path

from flask_babel import force_locale
from sqlalchemy.orm import Session

from targeting.errors import DataFileError
from webapp.data_errors import describe_data_error
from webapp.db import utcnow
from webapp.jobs.context import job_session
from webapp.models import JobRun
from webapp.models.jobs import JobStatus
from webapp.services.territory_import import import_territory
from webapp.settings_access import get_settings

logger = logging.getLogger(__name__)


def import_territory_job(folder: str, job_run_id: int) -> str:
    """Import `folder` in one transaction; progress goes through a second session.

    Idempotent: the import upserts, so running the job again changes nothing. Progress
    is written only on PostgreSQL, where a second session can commit while the import's
    transaction is open; SQLite would block on its single writer.
    """
    with job_session() as progress_session, job_session() as session:
        run = _start(progress_session, job_run_id)
        report_progress = (
            _progress_writer(progress_session, run)
            if session.get_bind().dialect.name != "sqlite"
            else None
        )
        try:
            report = import_territory(session, Path(folder), report_progress)
        except DataFileError as error:
            session.rollback()
            with force_locale(get_settings().default_locale):
                run.error = describe_data_error(error)
            _finish(progress_session, run, JobStatus.FAILED)
            logger.warning("Territory import job %s failed: %s", job_run_id, error)
            return str(JobStatus.FAILED)
        session.commit()
        run.counts = {
            "totals": report.totals,
            "skipped": report.skipped,
            "changed_rows": report.changed_rows,
        }
        run.progress_pct = 100
        _finish(progress_session, run, JobStatus.SUCCEEDED)
    return str(JobStatus.SUCCEEDED)


def _start(session: Session, job_run_id: int) -> JobRun:
    run = session.get(JobRun, job_run_id)
    if run is None:
        raise LookupError(f"job run {job_run_id} not found")
    run.status = JobStatus.RUNNING
    run.error = None
    session.commit()
    return run


def _progress_writer(session: Session, run: JobRun):  # type: ignore[no-untyped-def]
    def write(pct: int, _label: str) -> None:
        run.progress_pct = pct
        session.commit()

    return write


def _finish(session: Session, run: JobRun, status: JobStatus) -> None:
    run.status = status
    run.finished_at = utcnow()
    session.commit()
