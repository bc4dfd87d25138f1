"""The laptop demo plans in a thread: the launch returns at once, the run's page follows it.

These tests run the demo's settings (a SQLite file, the synchronous queue, the planning
threaded) on the demo's own data. A gate in the progress callback stops the planning
while the test looks at the run, so what it sees does not depend on the solver's speed.
"""

import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from tests.conftest import SAMPLE_DIR
from tests.webapp.accounts.html_page import Page, csrf_token
from tests.webapp.planning.planning_gate import GATE_WAIT_S, PlanningGate
from tests.webapp.targets.members import log_in_as
from webapp.db import SESSION_FACTORY_KEY, Base, utcnow
from webapp.jobs import planning as planning_job
from webapp.jobs import planning_thread
from webapp.jobs.live_progress import live_progress
from webapp.models import Assignment, AuditEvent, JobRun, LeftOutVolunteer, Route, User
from webapp.models.jobs import JobStatus
from webapp.models.planning import AssignmentStatus
from webapp.services import planning_steps
from webapp.services.demo import TODAY_VOLUNTEERS, VOLUNTEER_COUNT, DemoSetup, build_demo
from webapp.services.planning import ROUTES_START_PCT, create_planning_run
from webapp.services.planning_steps import PlanningSolution, run_planning, solve_planning
from webapp.settings import Settings

# Bound of the waits for the planning thread, far above the few seconds it takes.
WAIT_S = GATE_WAIT_S
POLL_S = 0.05
UNEXPECTED_ERROR = (
    "La planification s’est arrêtée sur une erreur inattendue et rien n’a été modifié. "
    "Relancez-la, et prévenez l’administrateur si l’erreur revient."
)


@pytest.fixture
def demo_settings(demo_settings: Settings) -> Settings:
    """The demo's settings with short solver limits: the tests check the flow, not the plan."""
    return replace(demo_settings, route_time_limit_s=0.2, assignment_time_limit_s=2.0)


@pytest.fixture
def demo(demo_app: Flask) -> Iterator[DemoSetup]:
    with demo_app.app_context():
        session: Session = demo_app.extensions[SESSION_FACTORY_KEY]()
        setup = build_demo(session, SAMPLE_DIR, datetime(2027, 3, 8, 10, 5))
        session.commit()
        session.close()
    yield setup
    # No planning thread may outlive the test and its database.
    for thread in threading.enumerate():
        if thread.name.startswith("planning-"):
            thread.join(WAIT_S)


@pytest.fixture
def coordinator(demo_app: Flask, demo: DemoSetup) -> FlaskClient:
    client = demo_app.test_client()
    with demo_app.app_context():
        session: Session = demo_app.extensions[SESSION_FACTORY_KEY]()
        user = session.scalars(select(User).where(User.email == demo.coordinator_email)).one()
        session.close()
    log_in_as(client, user)
    return client


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[PlanningGate]:
    gate = PlanningGate(pct=ROUTES_START_PCT)
    monkeypatch.setattr(planning_job, "solve_planning", gate.wrap(solve_planning))
    yield gate
    # A failed assertion must not leave the planning thread waiting.
    gate.opened.set()


def launch(client: FlaskClient) -> str:
    token = csrf_token(client.get("/planification/sessions").get_data(as_text=True))
    response = client.post("/planification/lancer", data={"csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    return str(response.headers["Location"])


def status_of(client: FlaskClient, run_id: int) -> dict[str, object]:
    response = client.get(f"/planification/execution/{run_id}.json")
    assert response.status_code == 200
    payload = response.get_json()
    assert isinstance(payload, dict)
    return payload


def wait_until_finished(client: FlaskClient, run_id: int) -> dict[str, object]:
    """Poll the run's JSON endpoint as its page does, until the run has finished."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        payload = status_of(client, run_id)
        if payload["is_finished"]:
            return payload
        time.sleep(POLL_S)
    raise AssertionError(f"planning run {run_id} did not finish within {WAIT_S} s")


def planning_thread_of(run_id: int) -> threading.Thread:
    name = planning_thread.planning_thread_name(run_id)
    return next(thread for thread in threading.enumerate() if thread.name == name)


def join_planning_thread(run_id: int) -> None:
    """Wait for the run's thread to end, if it has not yet."""
    name = planning_thread.planning_thread_name(run_id)
    for thread in threading.enumerate():
        if thread.name == name:
            thread.join(WAIT_S)
            assert not thread.is_alive()


def read_run(app: Flask, run_id: int) -> JobRun:
    with app.app_context():
        session: Session = app.extensions[SESSION_FACTORY_KEY]()
        run = session.get(JobRun, run_id)
        session.close()
    assert run is not None
    return run


def count_rows(app: Flask, model: type[Base]) -> int:
    with app.app_context():
        session: Session = app.extensions[SESSION_FACTORY_KEY]()
        count = session.scalar(select(func.count()).select_from(model)) or 0
        session.close()
    return count


def placed_volunteers(app: Flask) -> int:
    with app.app_context():
        session: Session = app.extensions[SESSION_FACTORY_KEY]()
        count = session.scalar(select(func.count(func.distinct(Assignment.user_id)))) or 0
        session.close()
    return count


def test_launch_redirects_before_planning_ends(
    demo_app: Flask, coordinator: FlaskClient, gate: PlanningGate
) -> None:
    location = launch(coordinator)

    run_id = int(location.rsplit("/", 1)[1])
    assert location == f"/planification/execution/{run_id}"
    thread = planning_thread_of(run_id)
    assert gate.reached.wait(WAIT_S)
    # The run's page reads the progress the thread keeps in memory: on SQLite, the job
    # writes no progress to the row, as its store step holds the single write lock.
    running = status_of(coordinator, run_id)
    assert (running["status"], running["progress"], running["is_finished"]) == (
        "running",
        ROUTES_START_PCT,
        False,
    )
    assert running["progress_text"] == "Planification en cours : 40\xa0%"
    page = Page(coordinator.get(location).get_data(as_text=True))
    assert page.by_id("planning-progress").attrs["value"] == "40"
    assert read_run(demo_app, run_id).progress_pct == 0
    # A second click while it runs starts nothing and shows the same run.
    assert launch(coordinator) == location

    gate.opened.set()
    finished = wait_until_finished(coordinator, run_id)
    thread.join(WAIT_S)

    assert not thread.is_alive()
    run = read_run(demo_app, run_id)
    assert (finished["status"], finished["progress"]) == ("succeeded", 100)
    assert (run.status, run.progress_pct, run.error) == (JobStatus.SUCCEEDED, 100, None)
    assert run.counts["placed"] == count_rows(demo_app, Assignment)
    assert run.counts["left_out"] == count_rows(demo_app, LeftOutVolunteer)
    assert run.counts["routes"] == count_rows(demo_app, Route)
    # Every volunteer of the demo is placed on a session or listed as left out.
    assert placed_volunteers(demo_app) + run.counts["left_out"] == VOLUNTEER_COUNT
    assert run.counts["routes"] > 0
    assert count_rows(demo_app, JobRun) == 1
    assert live_progress(run_id) is None


def test_planning_threads_take_turns(
    demo_app: Flask, demo: DemoSetup, gate: PlanningGate, caplog: pytest.LogCaptureFixture
) -> None:
    # Two requests at the same moment can add two runs on SQLite, which has no row locks.
    with demo_app.app_context():
        session: Session = demo_app.extensions[SESSION_FACTORY_KEY]()
        first = create_planning_run(session, demo.campaign_id, utcnow()).run
        second = JobRun(kind="planning", campaign_id=demo.campaign_id, counts={})
        session.add(second)
        session.commit()
        session.close()
    caplog.set_level(logging.INFO)

    first_thread = planning_thread.start_planning_thread(demo_app, first.id)
    assert gate.reached.wait(WAIT_S)
    second_thread = planning_thread.start_planning_thread(demo_app, second.id)
    waiting = f"Planning run {second.id} waits for the run under way"
    deadline = time.monotonic() + WAIT_S
    while waiting not in caplog.messages and time.monotonic() < deadline:
        time.sleep(POLL_S)

    assert waiting in caplog.messages
    assert read_run(demo_app, second.id).status == JobStatus.QUEUED
    gate.opened.set()
    first_thread.join(WAIT_S)
    second_thread.join(WAIT_S)
    assert [read_run(demo_app, run.id).status for run in (first, second)] == [
        JobStatus.SUCCEEDED,
        JobStatus.SUCCEEDED,
    ]
    assert f"Planning thread of run {second.id} ended: succeeded" in caplog.messages


def test_planning_error_fails_the_run(
    demo_app: Flask,
    coordinator: FlaskClient,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*_args: object) -> PlanningSolution:
        raise RuntimeError("solver crashed")

    monkeypatch.setattr(planning_job, "solve_planning", broken)
    caplog.set_level(logging.INFO)

    run_id = int(launch(coordinator).rsplit("/", 1)[1])
    finished = wait_until_finished(coordinator, run_id)
    join_planning_thread(run_id)

    run = read_run(demo_app, run_id)
    assert (finished["status"], finished["error"]) == ("failed", UNEXPECTED_ERROR)
    assert (run.status, run.error, run.counts) == (
        JobStatus.FAILED,
        UNEXPECTED_ERROR,
        {"error_code": "unexpected"},
    )
    assert run.finished_at is not None
    # Only the volunteers placed by hand on today's session are on a session.
    assert count_rows(demo_app, Assignment) == TODAY_VOLUNTEERS
    failed = [r for r in caplog.records if r.getMessage() == f"Planning run {run_id} failed"]
    assert [getattr(r, "job_id", None) for r in failed] == [run_id]
    assert f"Planning thread of run {run_id} ended: failed" in caplog.messages


def test_thread_error_fails_the_run(
    demo_app: Flask,
    coordinator: FlaskClient,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def unreachable_database(_job_run_id: int) -> str:
        raise RuntimeError("disk I/O error")

    monkeypatch.setattr(planning_thread, "run_planning_job", unreachable_database)
    caplog.set_level(logging.INFO)

    run_id = int(launch(coordinator).rsplit("/", 1)[1])
    finished = wait_until_finished(coordinator, run_id)
    join_planning_thread(run_id)

    run = read_run(demo_app, run_id)
    assert finished["status"] == "failed"
    assert (run.status, run.error, run.counts) == (
        JobStatus.FAILED,
        UNEXPECTED_ERROR,
        {"error_code": "unexpected"},
    )
    stopped = [
        r
        for r in caplog.records
        if r.getMessage() == f"Planning thread of run {run_id} stopped on an error"
    ]
    assert [(r.levelno, getattr(r, "job_id", None)) for r in stopped] == [(logging.ERROR, run_id)]


def plan_once(app: Flask, demo: DemoSetup) -> None:
    """Plan the demo as `flask demo run` does, so that session pages name volunteers."""
    with app.app_context():
        session: Session = app.extensions[SESSION_FACTORY_KEY]()
        run_planning(session, demo.campaign_id, app.extensions["tournee.settings"])
        session.commit()
        session.close()


def stored_plan(app: Flask) -> tuple[list[tuple[int, int, int]], list[tuple[int, int, list[int]]]]:
    """Return the assignments (session, volunteer, team) and routes (session, team, doors)."""
    with app.app_context():
        session: Session = app.extensions[SESSION_FACTORY_KEY]()
        assignments = [
            (a.session_id, a.user_id, a.team)
            for a in session.scalars(select(Assignment).order_by(Assignment.id))
        ]
        routes = [
            (r.session_id, r.team, list(r.address_ids))
            for r in session.scalars(select(Route).order_by(Route.id))
        ]
        session.close()
    return assignments, routes


def can_take_write_lock(app: Flask) -> bool:
    """Tell whether a new connection gets SQLite's write lock at once, without waiting."""
    path = app.extensions[SESSION_FACTORY_KEY].kw["bind"].url.database
    connection = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        return False
    finally:
        connection.close()
    return True


def test_pages_write_while_planning_solves(
    demo_app: Flask, demo: DemoSetup, coordinator: FlaskClient, gate: PlanningGate
) -> None:
    plan_once(demo_app, demo)
    with demo_app.app_context():
        session: Session = demo_app.extensions[SESSION_FACTORY_KEY]()
        session_id = session.scalars(select(Assignment.session_id).limit(1)).one()
        session.close()
    audit_before = count_rows(demo_app, AuditEvent)

    run_id = int(launch(coordinator).rsplit("/", 1)[1])
    assert gate.reached.wait(WAIT_S)

    # The solve holds no write transaction: a writer gets SQLite's lock at once, and a
    # session page, which writes an audit row, answers.
    assert can_take_write_lock(demo_app)
    page = coordinator.get(f"/planification/sessions/{session_id}")
    assert page.status_code == 200
    assert count_rows(demo_app, AuditEvent) == audit_before + 1
    gate.opened.set()
    finished = wait_until_finished(coordinator, run_id)
    join_planning_thread(run_id)

    assert finished["status"] == "succeeded"
    run = read_run(demo_app, run_id)
    assert run.counts["placed"] == count_rows(demo_app, Assignment)
    assert run.counts["routes"] == count_rows(demo_app, Route)


def test_change_during_solve_stores_nothing(
    demo_app: Flask, demo: DemoSetup, coordinator: FlaskClient, gate: PlanningGate
) -> None:
    plan_once(demo_app, demo)
    before = stored_plan(demo_app)

    run_id = int(launch(coordinator).rsplit("/", 1)[1])
    assert gate.reached.wait(WAIT_S)
    # A volunteer cancels their place while the run solves.
    with demo_app.app_context():
        session: Session = demo_app.extensions[SESSION_FACTORY_KEY]()
        assignment = session.scalars(select(Assignment).order_by(Assignment.id).limit(1)).one()
        assignment.status = AssignmentStatus.DECLINED
        session.commit()
        cancelled_id = assignment.id
        session.close()
    gate.opened.set()
    finished = wait_until_finished(coordinator, run_id)
    join_planning_thread(run_id)

    run = read_run(demo_app, run_id)
    assert finished["status"] == "failed"
    assert (run.error, run.counts) == (
        "Des sessions ou leurs équipes ont changé pendant la planification, donc rien n’a été "
        "modifié. Relancez-la.",
        {"error_code": "changed_during_run"},
    )
    # The plan before the run stays whole, with the cancellation.
    assert stored_plan(demo_app) == before
    with demo_app.app_context():
        session = demo_app.extensions[SESSION_FACTORY_KEY]()
        cancelled = session.get(Assignment, cancelled_id)
        assert cancelled is not None
        assert cancelled.status == AssignmentStatus.DECLINED
        session.close()


def test_store_error_keeps_the_previous_plan(
    demo_app: Flask, demo: DemoSetup, coordinator: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan_once(demo_app, demo)
    before = stored_plan(demo_app)
    left_out_before = count_rows(demo_app, LeftOutVolunteer)

    def broken(_session: Session, _campaign_id: int) -> list[object]:
        raise RuntimeError("template missing")

    # The messages are the last thing the store writes, after assignments and routes.
    monkeypatch.setattr(planning_steps, "queue_assignment_messages", broken)
    run_id = int(launch(coordinator).rsplit("/", 1)[1])
    finished = wait_until_finished(coordinator, run_id)
    join_planning_thread(run_id)

    assert (finished["status"], finished["error"]) == ("failed", UNEXPECTED_ERROR)
    assert stored_plan(demo_app) == before
    assert count_rows(demo_app, LeftOutVolunteer) == left_out_before


def test_demo_database_uses_wal(demo_app: Flask) -> None:
    engine = demo_app.extensions[SESSION_FACTORY_KEY].kw["bind"]
    with engine.connect() as connection:
        pragmas = [
            connection.execute(text(f"PRAGMA {name}")).scalar()
            for name in ("journal_mode", "busy_timeout", "foreign_keys")
        ]

    # Readers never wait for the planning; a writer waits up to a minute for it.
    assert pragmas == ["wal", 60_000, 1]
