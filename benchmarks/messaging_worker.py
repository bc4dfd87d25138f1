"""One RQ worker process for the messaging benchmark, built from the `TOURNEE_*` environment.

`python -m benchmarks.messaging_worker RATE [--profile FILE]` works on the messages queue,
scheduled jobs included, with the shared send rate set to RATE messages per second,
until it receives SIGTERM; it can write a cProfile of the whole run to FILE.
"""

import argparse
import cProfile
from pathlib import Path

from redis import Redis
from rq import Queue, SimpleWorker

from messaging.queues import MESSAGES_QUEUE
from webapp import create_app
from webapp.jobs import messages
from webapp.jobs.context import set_worker_app


def work(rate_per_s: float) -> None:
    """Run the queue's jobs, and move scheduled ones to it when due, until SIGTERM."""
    messages.SEND_RATE_PER_S = rate_per_s
    app = create_app()
    set_worker_app(app)
    connection = Redis.from_url(app.extensions["tournee.settings"].redis_url)
    queue = Queue(MESSAGES_QUEUE, connection=connection)
    SimpleWorker([queue], connection=connection).work(with_scheduler=True, logging_level="WARNING")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rate", type=float, help="send rate per sender, in messages per second")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the run to this file")
    args = parser.parse_args()
    if args.profile is None:
        work(args.rate)
        return
    profiler = cProfile.Profile()
    profiler.runcall(work, args.rate)
    profiler.dump_stats(args.profile)


if __name__ == "__main__":
    main()
