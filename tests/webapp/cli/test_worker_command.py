"""`flask worker` picks its queues: plannings and preparations first, or the ones named."""

import pytest
from flask import Flask

from webapp.cli import worker as worker_cli


class RecordingWorker:
    """Stands in for RQ's worker and records the queues it was given, in order."""

    queues: list[str] = []

    def __init__(self, queues: list[object], connection: object) -> None:
        RecordingWorker.queues = [queue.name for queue in queues]  # type: ignore[attr-defined]

    def work(self, *, with_scheduler: bool, burst: bool) -> None:
        assert with_scheduler


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> type[RecordingWorker]:
    monkeypatch.setattr(worker_cli, "Worker", RecordingWorker)
    RecordingWorker.queues = []
    return RecordingWorker


def run_worker(app: Flask, *args: str) -> int:
    with app.app_context():
        return app.test_cli_runner().invoke(args=["worker", "--burst", *args]).exit_code


def test_default_queue_comes_before_messages(app: Flask, recorded: type[RecordingWorker]) -> None:
    assert run_worker(app) == 0
    assert recorded.queues == ["default", "messages"]


def test_named_queue_only(app: Flask, recorded: type[RecordingWorker]) -> None:
    assert run_worker(app, "--queue", "messages") == 0
    assert recorded.queues == ["messages"]


def test_unknown_queue_is_refused(app: Flask, recorded: type[RecordingWorker]) -> None:
    assert run_worker(app, "--queue", "reports") == 2
    assert recorded.queues == []
