"""`flask worker`: an RQ worker with the scheduler, built on the app created once."""

import os

import click
from flask import current_app
from redis import Redis
from rq import Queue, Worker

from messaging.queues import DEFAULT_QUEUE, MESSAGES_QUEUE
from webapp.db import SESSION_FACTORY_KEY
from webapp.jobs.context import set_worker_app
from webapp.settings_access import get_settings

# A worker on both queues takes plannings and broadcast preparations first: a broadcast's
# send jobs can fill the messages queue for a long while, and a planning of a few
# seconds delays a message by no more than that.
WORKER_QUEUES = (DEFAULT_QUEUE, MESSAGES_QUEUE)


@click.command("worker", help="Run an RQ worker, with the scheduler for reminders.")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.option(
    "--queue",
    "queue_names",
    multiple=True,
    type=click.Choice(WORKER_QUEUES),
    help="Work only on this queue (repeatable); default: default, then messages.",
)
def worker_command(burst: bool, queue_names: tuple[str, ...]) -> None:
    settings = get_settings()
    connection = Redis.from_url(settings.redis_url)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    set_worker_app(app)
    engine = app.extensions[SESSION_FACTORY_KEY].kw["bind"]
    # Each job runs in a forked work horse: drop the parent's pooled connections there
    # without closing them, so the parent keeps its own.
    os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))
    queues = [Queue(name, connection=connection) for name in queue_names or WORKER_QUEUES]
    Worker(queues, connection=connection).work(with_scheduler=True, burst=burst)
