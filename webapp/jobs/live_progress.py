"""Progress of the planning runs this process plans on SQLite, kept in memory.

On SQLite the planning's store step holds the only write lock until it commits, and
reports its progress meanwhile, so a second session could not commit that progress as
it does on PostgreSQL. The job records it here instead, and the run's page reads it
while the row's status is running. Only the process that plans sees it: the laptop
demo serves its pages and plans in one process.
"""

import threading

_lock = threading.Lock()
_progress_pct: dict[int, int] = {}


def record_progress(job_run_id: int, pct: int) -> None:
    """Record the run's progress in percent, unless it is lower than the one recorded."""
    with _lock:
        if pct > _progress_pct.get(job_run_id, 0):
            _progress_pct[job_run_id] = pct


def live_progress(job_run_id: int) -> int | None:
    """Return the progress this process keeps for the run, or None."""
    with _lock:
        return _progress_pct.get(job_run_id)


def forget_progress(job_run_id: int) -> None:
    """Drop the run's progress once its final status is committed."""
    with _lock:
        _progress_pct.pop(job_run_id, None)
