"""`flask plan run`: assignment, routes and messages for a campaign."""

import click
from flask_babel import force_locale

from webapp.db import db_session
from webapp.services.planning import run_planning
from webapp.settings_access import get_settings


@click.group("plan", help="Plan canvassing sessions.")
def plan_group() -> None:
    pass


@plan_group.command("run", help="Assign volunteers, cut routes and queue messages for CAMPAIGN_ID.")
@click.argument("campaign_id", type=int)
def run_command(campaign_id: int) -> None:
    session = db_session()
    with force_locale(get_settings().default_locale):
        report = run_planning(session, campaign_id, get_settings())
        session.commit()
    plan = report.assignment
    routes = report.routes
    placed, left_out = len(plan.placements), len(plan.left_out)
    click.echo(f"assignment: {plan.status}, {placed} placed, {left_out} left out")
    doors = sum(route.door_count for route in routes)
    metres = sum(route.length_m for route in routes)
    click.echo(f"routes: {len(routes)}, doors: {doors}, metres: {metres}")
    click.echo(f"messages queued: {len(report.messages)}")
