"""Message workers for the crash test, forked from one process that loaded the app code.

The parent reads `spawn` lines on its standard input and writes back the process id of
each new worker. The test kills workers with SIGKILL. Each worker builds the app
from the `TOURNEE_*` environment like a production worker, after the fork, so no
connection is shared. The parent builds it once first, so that every module is loaded
before the forks and a restart takes a few milliseconds, not seconds.

Argument: the age in seconds of a claim that counts as stale, so that a test of
thousands of messages is not held to the production's two-minute wait after each
crash. The send rates come from the environment like every other setting.
"""

import os
import signal
import sys
from datetime import timedelta

from redis import Redis
from rq import Queue, SimpleWorker

from messaging.queues import MESSAGES_QUEUE
from webapp import create_app
from webapp.db import SESSION_FACTORY_KEY
from webapp.jobs.context import set_worker_app
from webapp.services import delivery_results


def run_worker(stale_claim_s: float) -> None:
    """Work on the messages queue until killed."""
    delivery_results.STALE_CLAIM = timedelta(seconds=stale_claim_s)
    app = create_app()
    set_worker_app(app)
    connection = Redis.from_url(app.extensions["tournee.settings"].redis_url)
    worker = SimpleWorker([Queue(MESSAGES_QUEUE, connection=connection)], connection=connection)
    worker.work(logging_level="WARNING")


def preload() -> None:
    """Build the app once and drop it: the modules it imports stay loaded for the forks.

    The engine is disposed before any fork, so no connection is shared.
    """
    app = create_app()
    app.extensions[SESSION_FACTORY_KEY].kw["bind"].dispose()


def main() -> None:
    stale_claim_s = float(sys.argv[1])
    preload()
    # Killed workers are reaped at once instead of staying as zombies.
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    for line in sys.stdin:
        if line.strip() != "spawn":
            continue
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            try:
                run_worker(stale_claim_s)
            finally:
                os._exit(0)
        print(pid, flush=True)


if __name__ == "__main__":
    main()
