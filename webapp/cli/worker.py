"""`flask worker`: an RQ worker with the scheduler, built on the app created once."""

import os

import click
from flask import current_app
from redis import Redis
from rq import Queue, Worker

from messaging.queues import ALL_QUEUES
from webapp.db import SESSION_FACTORY_KEY
from webapp.jobs.context import set_worker_app
from webapp.settings_access import get_settings


@click.command("worker", help="Run an RQ worker on every queue, with the scheduler for reminders.")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
def worker_command(burst: bool) -> None:
    settings = get_settings()
    connection = Redis.from_url(settings.redis_url)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    set_worker_app(app)
    engine = app.extensions[SESSION_FACTORY_KEY].kw["bind"]
    # Each job runs in a forked work horse: drop the parent's pooled connections there
    # without closing them, so the parent keeps its own.
    os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))
    queues = [Queue(name, connection=connection) for name in ALL_QUEUES]
    Worker(queues, connection=connection).work(with_scheduler=True, burst=burst)
