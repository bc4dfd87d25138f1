"""`flask plan run`: assignment, routes and messages for a campaign."""

import click

from webapp.db import db_session, utcnow
from webapp.jobs.planning import run_planning_job
from webapp.models import JobRun
from webapp.models.jobs import JobStatus
from webapp.services.errors import NotFoundError
from webapp.services.planning import create_planning_run


@click.group("plan", help="Plan canvassing sessions.")
def plan_group() -> None:
    pass


@plan_group.command("run", help="Assign volunteers, cut routes and queue messages for CAMPAIGN_ID.")
@click.argument("campaign_id", type=int)
def run_command(campaign_id: int) -> None:
    session = db_session()
    try:
        request = create_planning_run(session, campaign_id, utcnow())
    except NotFoundError:
        raise click.ClickException(f"campaign {campaign_id} not found") from None
    session.commit()
    run_id = request.run.id
    if not request.is_new:
        raise click.ClickException(f"planning run {run_id} of this campaign is already under way")
    # The same job the web page enqueues, run here in this process.
    run_planning_job(run_id)
    session.expire_all()
    run = session.get(JobRun, run_id)
    if run is None or run.status != JobStatus.SUCCEEDED:
        raise click.ClickException(run.error if run and run.error else "planning failed")
    counts = run.counts
    click.echo(
        f"assignment: {counts['solver_status']}, {counts['placed']} placed, "
        f"{counts['left_out']} left out"
    )
    click.echo(
        f"routes: {counts['routes']}, addresses: {counts['doors']}, "
        f"dwellings: {counts['dwellings']}, metres: {counts['metres']}"
    )
    click.echo(f"messages queued: {counts['messages']}")
