"""The app and database session a job runs with."""

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, has_app_context
from sqlalchemy.orm import Session

from webapp.db import SESSION_FACTORY_KEY

_worker_app: Flask | None = None


def set_worker_app(app: Flask) -> None:
    """Remember the app the worker built once, for jobs run outside its context."""
    global _worker_app  # noqa: PLW0603 - one app per worker process
    _worker_app = app


@contextmanager
def job_session() -> Iterator[Session]:
    """Yield a session of its own, in an app context, closed when the job ends.

    Jobs never share the request's session: the job commits its own unit of work.
    """
    if has_app_context():
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        session = app.extensions[SESSION_FACTORY_KEY]()
        try:
            yield session
        finally:
            session.close()
        return
    app = _worker_app or _build_app()
    with app.app_context():
        session = app.extensions[SESSION_FACTORY_KEY]()
        try:
            yield session
        finally:
            session.close()


def _build_app() -> Flask:
    from webapp import create_app

    app = create_app()
    set_worker_app(app)
    return app
