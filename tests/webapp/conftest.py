"""Fixtures shared by the web app's tests: the laptop demo's app."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import TEST_SECRET_KEY
from webapp import create_app, migrate
from webapp.db import SESSION_FACTORY_KEY
from webapp.settings import Settings


@pytest.fixture
def demo_settings(tmp_path: Path) -> Settings:
    """The settings `make demo` uses: development, a SQLite file, the outbox, no Redis,
    the planning in a thread."""
    return Settings(
        environment="development",
        secret_key=TEST_SECRET_KEY,
        database_url=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        outbox_path=tmp_path / "outbox.jsonl",
        is_rate_limit_enabled=False,
        is_planning_threaded=True,
    )


@pytest.fixture
def demo_app(demo_settings: Settings) -> Iterator[Flask]:
    app = create_app(demo_settings)
    engine = app.extensions[SESSION_FACTORY_KEY].kw["bind"]
    migrate.upgrade(engine)
    yield app
    engine.dispose()
