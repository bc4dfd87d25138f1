"""`flask plan run CAMPAIGN_ID` runs the planning job in the terminal."""

from click.testing import Result
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.webapp.planning import bondy_case
from tests.webapp.planning.bondy_case import BondyCase
from webapp.models import CanvassSession, JobRun, Message, Route
from webapp.models.jobs import JobStatus

seeded, db_connection, case = bondy_case.seeded, bondy_case.db_connection, bondy_case.case


def plan_run(app: Flask, campaign_id: int) -> Result:
    """Invoke the command inside an app context, as the `flask` command line does."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=["plan", "run", str(campaign_id)])


def test_command_plans_and_prints_counts(app: Flask, db_session: Session, case: BondyCase) -> None:
    result = plan_run(app, case.campaign_id)

    assert result.exit_code == 0, result.output
    run = db_session.scalars(select(JobRun)).one()
    routes = db_session.scalars(select(Route)).all()
    messages = db_session.scalars(select(Message)).all()
    assert run.status == JobStatus.SUCCEEDED
    assert result.output.splitlines() == [
        "assignment: optimal, 4 placed, 0 left out",
        f"routes: 2, addresses: {sum(r.door_count for r in routes)}, "
        f"dwellings: {sum(r.dwelling_count for r in routes)}, "
        f"metres: {sum(r.length_m for r in routes)}",
        f"messages queued: {len(messages)}",
    ]


def test_command_reports_failure(app: Flask, db_session: Session, case: BondyCase) -> None:
    db_session.delete(db_session.get(CanvassSession, case.session_id))
    db_session.commit()

    result = plan_run(app, case.campaign_id)

    assert result.exit_code == 1
    assert result.output == (
        "Error: La campagne n’a aucune session prévue : créez-en une avant de lancer "
        "la planification.\n"
    )


def test_command_refuses_unknown_campaign_or_run_under_way(
    app: Flask, db_session: Session, case: BondyCase
) -> None:
    db_session.add(
        JobRun(kind="planning", campaign_id=case.campaign_id, status=JobStatus.RUNNING, counts={})
    )
    db_session.commit()
    unknown = plan_run(app, 999_999)
    busy = plan_run(app, case.campaign_id)

    assert (unknown.exit_code, unknown.output) == (1, "Error: campaign 999999 not found\n")
    assert busy.exit_code == 1
    assert "is already under way" in busy.output
