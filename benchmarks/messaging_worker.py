"""One RQ worker process for the messaging benchmark, built from the `TOURNEE_*` environment.

`python -m benchmarks.messaging_worker [--profile FILE]` works on the messages queue,
scheduled jobs included, with the send rates of its environment, until it receives
SIGTERM; it can write a cProfile of the whole run to FILE.
"""

import argparse
import cProfile
from pathlib import Path

from redis import Redis
from rq import Queue, SimpleWorker

from messaging.queues import MESSAGES_QUEUE
from webapp import create_app
from webapp.jobs.context import set_worker_app


def work() -> None:
    """Run the queue's jobs, and move scheduled ones to it when due, until SIGTERM."""
    app = create_app()
    set_worker_app(app)
    connection = Redis.from_url(app.extensions["tournee.settings"].redis_url)
    queue = Queue(MESSAGES_QUEUE, connection=connection)
    SimpleWorker([queue], connection=connection).work(with_scheduler=True, logging_level="WARNING")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", type=Path, help="write a cProfile of the run to this file")
    args = parser.parse_args()
    if args.profile is None:
        work()
        return
    profiler = cProfile.Profile()
    profiler.runcall(work)
    profiler.dump_stats(args.profile)


if __name__ == "__main__":
    main()
