"""The planning job: a real RQ worker on Redis, progress, failures and idempotency."""

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from messaging.queues import DEFAULT_QUEUE, MESSAGES_QUEUE
from routing.assignment_types import AssignmentPlan
from routing.assignment_weights import PlanningWeights, WeightName
from routing.status import SolveStatus
from tests.redis_urls import JOBS_REDIS_URL
from tests.webapp.accounts.html_page import csrf_token
from tests.webapp.planning import bondy_case, session_pages
from tests.webapp.planning.bondy_case import BondyCase
from tests.webapp.services.delivery_support import message_ids_in_jobs
from webapp.db import call_after_commit, utcnow
from webapp.jobs import planning as planning_job
from webapp.jobs.planning import planning_job_id, run_planning_job
from webapp.models import (
    Assignment,
    Campaign,
    CanvassSession,
    JobRun,
    LeftOutVolunteer,
    Message,
    Route,
)
from webapp.models.jobs import JobStatus
from webapp.models.messaging import MessagePurpose
from webapp.models.planning import AssignmentStatus
from webapp.services import planning, planning_steps
from webapp.services.notifications import queue_assignment_messages
from webapp.services.planning import ProgressCallback, request_planning
from webapp.services.planning_steps import (
    PlanningInputs,
    PlanningSolution,
    run_planning,
    solve_planning,
)
from webapp.services.planning_weights import weights_as_dict
from webapp.settings import Settings

REDIS_URL = JOBS_REDIS_URL


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Jobs through Redis, short solver limits."""
    return replace(
        settings,
        redis_url=REDIS_URL,
        is_queue_synchronous=False,
        assignment_time_limit_s=2.0,
        route_time_limit_s=1.0,
    )


@pytest.fixture
def redis_connection() -> Iterator[Redis]:
    connection = Redis.from_url(REDIS_URL)
    connection.flushdb()
    yield connection
    connection.flushdb()


seeded, db_connection, case = bondy_case.seeded, bondy_case.db_connection, bondy_case.case
coordinator_client = session_pages.coordinator


def add_run(session: Session, campaign_id: int | None, **values: object) -> JobRun:
    run = JobRun(kind="planning", campaign_id=campaign_id, counts={}, **values)
    session.add(run)
    session.commit()
    return run


def run_worker(app: Flask, connection: Redis) -> None:
    with app.app_context():
        worker = SimpleWorker([Queue(DEFAULT_QUEUE, connection=connection)], connection=connection)
        worker.work(burst=True)


def launch(client: FlaskClient) -> str:
    token = csrf_token(client.get("/planification/sessions").get_data(as_text=True))
    response = client.post("/planification/lancer", data={"csrf_token": token})
    assert response.status_code == 302
    return str(response.headers["Location"])


def test_worker_runs_planning_and_records_counts(
    app: Flask,
    coordinator_client: FlaskClient,
    db_session: Session,
    case: BondyCase,
    redis_connection: Redis,
) -> None:
    location = launch(coordinator_client)

    run = db_session.scalars(select(JobRun)).one()
    assert location == f"/planification/execution/{run.id}"
    assert (run.kind, run.campaign_id, run.status, run.progress_pct) == (
        "planning",
        case.campaign_id,
        JobStatus.QUEUED,
        0,
    )
    queue = Queue(DEFAULT_QUEUE, connection=redis_connection)
    assert queue.job_ids == [planning_job_id(run.id)]
    job = queue.fetch_job(planning_job_id(run.id))
    assert job is not None
    assert (job.func_name, job.args, job.timeout) == (
        "webapp.jobs.planning.run_planning_job",
        (run.id,),
        planning.PLANNING_JOB_TIMEOUT_S,
    )
    assert job.retries_left is None
    messages_queue = Queue(MESSAGES_QUEUE, connection=redis_connection)
    assert messages_queue.job_ids == []

    run_worker(app, redis_connection)

    db_session.refresh(run)
    routes = db_session.scalars(select(Route).order_by(Route.team)).all()
    messages = db_session.scalars(select(Message)).all()
    assert run.status == JobStatus.SUCCEEDED
    assert run.progress_pct == 100
    assert run.error is None
    assert run.finished_at is not None
    assert run.counts == {
        "placed": 4,
        "volunteers": 4,
        "left_out": 0,
        "routes": 2,
        "doors": sum(route.door_count for route in routes),
        "dwellings": sum(route.dwelling_count for route in routes),
        "metres": sum(route.length_m for route in routes),
        "messages": len(messages),
        # A first run rewrites and withdraws nothing.
        "rewritten_messages": 0,
        "withdrawn_messages": 0,
        "solver_status": "optimal",
        "objective": run.counts["objective"],
        "bound": run.counts["objective"],
        "terms": run.counts["terms"],
        # The session reached its minimum: no reason to give.
        "shortfalls": {},
        # No door is recorded yet: the run left no session as it was.
        "kept_session_ids": [],
    }
    assert run.counts["objective"] == sum(run.counts["terms"].values())
    assert list(run.counts["terms"]) == [name.value for name in WeightName]
    assert run.parameters == {"weights": weights_as_dict(PlanningWeights())}
    assert [route.team for route in routes] == [1, 2]
    assert run.counts["doors"] > 0
    # A confirmation for each of the four volunteers, by e-mail, their only consent.
    confirmations = [m for m in messages if m.purpose == MessagePurpose.ASSIGNMENT_CONFIRMATION]
    assert len(confirmations) == 4
    # Their send jobs were queued once the planning committed, not before.
    queued = message_ids_in_jobs(redis_connection, messages_queue.job_ids)
    assert queued >= {m.id for m in confirmations}


def test_progress_moves_through_each_step(
    app: Flask, db_session: Session, case: BondyCase, settings: Settings
) -> None:
    seen: list[int] = []

    with app.app_context():
        run_planning(db_session, case.campaign_id, settings, seen.append)

    # Assignment from 10, routes from 40 with one step for the single session, messages at 90.
    assert seen == [10, 40, 90, 90]


def test_job_plans_with_recorded_weights(app: Flask, db_session: Session, case: BondyCase) -> None:
    campaign = db_session.get(Campaign, case.campaign_id)
    assert campaign is not None
    campaign.planning_weights = {"team": 3000}
    run = planning.create_planning_run(db_session, case.campaign_id, utcnow()).run
    # Changed while the run waits: the run keeps the weights it was asked with.
    campaign.planning_weights = {"team": 5}
    db_session.commit()

    with app.app_context():
        run_planning_job(run.id)

    db_session.refresh(run)
    assert run.status == JobStatus.SUCCEEDED
    assert run.parameters["weights"]["team"] == 3000
    # Four volunteers make two teams, at 3,000 points each.
    assert run.counts["terms"]["team"] == 2 * 3000


def test_run_without_weights_uses_campaign_s(
    app: Flask, db_session: Session, case: BondyCase
) -> None:
    campaign = db_session.get(Campaign, case.campaign_id)
    assert campaign is not None
    campaign.planning_weights = {"team": 700}
    run = add_run(db_session, case.campaign_id)

    with app.app_context():
        run_planning_job(run.id)

    db_session.refresh(run)
    assert (run.status, run.parameters) == (JobStatus.SUCCEEDED, {})
    assert run.counts["terms"]["team"] == 2 * 700


def test_job_writes_progress_while_it_runs(
    app: Flask, db_session: Session, case: BondyCase, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = add_run(db_session, case.campaign_id)
    seen: list[tuple[JobStatus, int]] = []
    real_queue = queue_assignment_messages

    def queue_and_look(session: Session, campaign_id: int, *, now: datetime) -> list[Message]:
        db_session.expire_all()
        row = db_session.get(JobRun, run.id)
        assert row is not None
        seen.append((row.status, row.progress_pct))
        # End this read before the job goes on: sessions here share one connection.
        db_session.commit()
        return real_queue(session, campaign_id, now=now)

    monkeypatch.setattr(planning_steps, "queue_assignment_messages", queue_and_look)

    with app.app_context():
        run_planning_job(run.id)

    assert seen == [(JobStatus.RUNNING, 90)]
    db_session.refresh(run)
    assert (run.status, run.progress_pct) == (JobStatus.SUCCEEDED, 100)


def test_posting_twice_starts_one_job(
    coordinator_client: FlaskClient, db_session: Session, redis_connection: Redis
) -> None:
    client = coordinator_client

    first = launch(client)
    second = client.post(
        "/planification/lancer",
        data={"csrf_token": csrf_token(client.get(first).get_data(as_text=True))},
        follow_redirects=True,
    )

    run = db_session.scalars(select(JobRun)).one()
    assert second.request.path == first == f"/planification/execution/{run.id}"
    assert "Une planification est déjà en cours : voici où elle en est." in second.get_data(
        as_text=True
    )
    assert Queue(DEFAULT_QUEUE, connection=redis_connection).job_ids == [planning_job_id(run.id)]


def test_rolled_back_request_enqueues_nothing(
    app: Flask, db_session: Session, case: BondyCase, settings: Settings, redis_connection: Redis
) -> None:
    with app.app_context():
        request_planning(db_session, case.campaign_id, settings, utcnow())
        db_session.rollback()

    assert db_session.scalar(select(func.count(JobRun.id))) == 0
    assert Queue(DEFAULT_QUEUE, connection=redis_connection).job_ids == []


def test_campaign_without_sessions_fails_in_french(
    app: Flask, db_session: Session, case: BondyCase
) -> None:
    db_session.delete(db_session.get(CanvassSession, case.session_id))
    run = add_run(db_session, case.campaign_id)

    with app.app_context():
        status = run_planning_job(run.id)

    db_session.refresh(run)
    assert status == "failed"
    assert run.status == JobStatus.FAILED
    assert run.error == (
        "La campagne n’a aucune session prévue : créez-en une avant de lancer la planification."
    )
    assert run.counts == {"error_code": "no_sessions"}
    assert run.finished_at is not None


def test_error_midway_leaves_nothing_half_done(
    app: Flask, db_session: Session, case: BondyCase, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(_session: Session, _campaign_id: int, *, now: datetime) -> list[Message]:
        raise RuntimeError("template missing")

    monkeypatch.setattr(planning_steps, "queue_assignment_messages", broken)
    run = add_run(db_session, case.campaign_id)

    with app.app_context():
        status = run_planning_job(run.id)

    db_session.refresh(run)
    assert status == "failed"
    assert run.error == (
        "La planification s’est arrêtée sur une erreur inattendue et rien n’a été modifié. "
        "Relancez-la, et prévenez l’administrateur si l’erreur revient."
    )
    assert run.counts == {"error_code": "unexpected"}
    for model in (Assignment, Route, LeftOutVolunteer, Message):
        assert db_session.scalar(select(func.count()).select_from(model)) == 0


def test_failed_hook_after_commit_keeps_the_plan(
    app: Flask, db_session: Session, case: BondyCase, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_queue = queue_assignment_messages

    def queue_then_break(session: Session, campaign_id: int, *, now: datetime) -> list[Message]:
        messages = real_queue(session, campaign_id, now=now)

        def unreachable_queue() -> None:
            raise ConnectionError("queue server down")

        call_after_commit(session, unreachable_queue)
        return messages

    monkeypatch.setattr(planning_steps, "queue_assignment_messages", queue_then_break)
    run = add_run(db_session, case.campaign_id)

    with app.app_context():
        status = run_planning_job(run.id)

    db_session.refresh(run)
    assert status == "succeeded"
    assert (run.status, run.progress_pct, run.counts["placed"]) == (JobStatus.SUCCEEDED, 100, 4)
    assert db_session.scalar(select(func.count(Assignment.id))) == 4


def test_no_assignment_solution_fails_and_says_why(
    app: Flask, db_session: Session, case: BondyCase, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unsolved(*_args: object) -> AssignmentPlan:
        return AssignmentPlan(
            status=SolveStatus.NO_SOLUTION_FOUND,
            placements=(),
            left_out=(),
            short_sessions=(),
            objective=0.0,
            wall_time_s=2.0,
        )

    monkeypatch.setattr(planning_steps, "assign_volunteers", unsolved)
    run = add_run(db_session, case.campaign_id)

    with app.app_context():
        run_planning_job(run.id)

    db_session.refresh(run)
    assert run.status == JobStatus.FAILED
    assert run.error == (
        "L’affectation n’a trouvé aucune solution (aucune solution trouvée dans le temps "
        "imparti) : les affectations précédentes sont conservées."
    )
    assert run.counts == {"error_code": "no_assignment", "solver_status": "no_solution_found"}
    assert db_session.scalar(select(func.count(Route.id))) == 0


def test_change_during_solve_fails_the_run(
    app: Flask, db_session: Session, case: BondyCase, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = add_run(db_session, case.campaign_id)
    with app.app_context():
        run_planning_job(first.id)
    before = sorted(
        (a.user_id, a.team, a.is_locked) for a in db_session.scalars(select(Assignment))
    )
    routes_before = sorted((r.team, list(r.address_ids)) for r in db_session.scalars(select(Route)))

    def solve_then_lock(inputs: PlanningInputs, progress: ProgressCallback) -> PlanningSolution:
        solution = solve_planning(inputs, progress)
        # A coordinator locks a volunteer by hand while the run solves.
        assignment = db_session.scalars(select(Assignment).order_by(Assignment.id)).first()
        assert assignment is not None
        assignment.is_locked = True
        db_session.commit()
        return solution

    monkeypatch.setattr(planning_job, "solve_planning", solve_then_lock)
    second = add_run(db_session, case.campaign_id)

    with app.app_context():
        status = run_planning_job(second.id)

    db_session.expire_all()
    db_session.refresh(second)
    assert status == "failed"
    assert second.counts == {"error_code": "changed_during_run"}
    after = sorted((a.user_id, a.team, a.is_locked) for a in db_session.scalars(select(Assignment)))
    # Only the lock changed: the run stored nothing.
    assert [(user, team) for user, team, _ in after] == [(user, team) for user, team, _ in before]
    assert sum(locked for _, _, locked in after) == 1
    assert sorted((r.team, list(r.address_ids)) for r in db_session.scalars(select(Route))) == (
        routes_before
    )


def test_confirmation_during_solve_keeps_the_run(
    app: Flask, db_session: Session, case: BondyCase, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = add_run(db_session, case.campaign_id)
    with app.app_context():
        run_planning_job(first.id)

    def solve_then_confirm(inputs: PlanningInputs, progress: ProgressCallback) -> PlanningSolution:
        solution = solve_planning(inputs, progress)
        # A volunteer confirms the proposed place while the run solves.
        assignment = db_session.scalars(select(Assignment).order_by(Assignment.id)).first()
        assert assignment is not None
        assignment.status = AssignmentStatus.CONFIRMED
        db_session.commit()
        return solution

    monkeypatch.setattr(planning_job, "solve_planning", solve_then_confirm)
    second = add_run(db_session, case.campaign_id)

    with app.app_context():
        status = run_planning_job(second.id)

    db_session.refresh(second)
    assert status == "succeeded"
    assert second.status == JobStatus.SUCCEEDED


@pytest.mark.parametrize("status", [JobStatus.RUNNING, JobStatus.SUCCEEDED, JobStatus.FAILED])
def test_run_not_queued_is_not_run_again(
    app: Flask, db_session: Session, case: BondyCase, status: JobStatus
) -> None:
    run = add_run(db_session, case.campaign_id, status=status, progress_pct=55)

    with app.app_context():
        outcome = run_planning_job(run.id)

    db_session.refresh(run)
    assert outcome == str(status)
    assert (run.status, run.progress_pct) == (status, 55)
    assert db_session.scalar(select(func.count(Assignment.id))) == 0


def test_unknown_run_is_reported_missing(app: Flask) -> None:
    with app.app_context():
        assert run_planning_job(999_999) == "missing"


def test_stale_run_is_failed_and_replaced(
    app: Flask, db_session: Session, case: BondyCase, settings: Settings, redis_connection: Redis
) -> None:
    stale = add_run(
        db_session,
        case.campaign_id,
        status=JobStatus.RUNNING,
        created_at=utcnow() - planning.PLANNING_RUN_STALE_AFTER - timedelta(minutes=1),
    )

    with app.app_context():
        request = request_planning(db_session, case.campaign_id, settings, utcnow())
        db_session.commit()

    db_session.refresh(stale)
    assert request.is_new
    assert request.run.id != stale.id
    assert stale.status == JobStatus.FAILED
    assert stale.error == (
        "La planification s’est arrêtée avant la fin et rien n’a été modifié. Relancez-la."
    )
    assert Queue(DEFAULT_QUEUE, connection=redis_connection).job_ids == [
        planning_job_id(request.run.id)
    ]


def test_unreachable_queue_fails_the_run(
    app: Flask, db_session: Session, case: BondyCase, settings: Settings
) -> None:
    # Nothing listens on port 1 of the loopback interface.
    closed = replace(settings, redis_url="redis://127.0.0.1:1/15")

    with app.app_context():
        request = request_planning(db_session, case.campaign_id, closed, utcnow())
        db_session.commit()

    db_session.refresh(request.run)
    assert request.run.status == JobStatus.FAILED
    assert request.run.counts == {"error_code": "queue_unavailable"}
