"""`flask privacy …`: the record of processing, the retention purge and erasure by e-mail."""

import json
from dataclasses import asdict

import click
from sqlalchemy import func, select

from webapp.db import db_session
from webapp.jobs.retention import arm_daily_purge, purge_expired_personal_data
from webapp.models import User
from webapp.services.data_catalogue import format_record, record_of_processing
from webapp.services.erasure import erase_person
from webapp.settings_access import get_settings


@click.group("privacy", help="Personal data: record of processing, retention, erasure.")
def privacy_group() -> None:
    pass


@privacy_group.command("record", help="Print the record of processing (GDPR art. 30).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def record_command(as_json: bool) -> None:
    records = record_of_processing()
    if as_json:
        click.echo(json.dumps([asdict(record) for record in records], indent=2))
        return
    click.echo(format_record(records), nl=False)


@privacy_group.command("purge", help="Erase the people whose retention date has come.")
@click.option(
    "--daily", is_flag=True, help="Also arm a job that runs the purge every day (RQ scheduler)."
)
def purge_command(daily: bool) -> None:
    counts = purge_expired_personal_data()
    click.echo(
        f"campaigns due: {counts['campaigns']}, people erased: {counts['people_erased']}, "
        f"memberships ended: {counts['memberships_ended']}, people kept: {counts['people_kept']}"
    )
    if daily:
        if get_settings().is_queue_synchronous:
            raise click.ClickException(
                "the daily job needs Redis: set TOURNEE_IS_QUEUE_SYNCHRONOUS=false, or use cron"
            )
        click.echo(f"next run armed: {arm_daily_purge(get_settings())}")


@privacy_group.command("erase", help="Erase the person with this e-mail address, on request.")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase_command(email: str, yes: bool) -> None:
    session = db_session()
    user_id = session.scalar(select(User.id).where(func.lower(User.email) == email.strip().lower()))
    if user_id is None:
        raise click.ClickException("no account has this e-mail address")
    if not yes:
        click.confirm(f"Erase user {user_id} and everything about them?", abort=True)
    report = erase_person(session, user_id, reason="request by e-mail")
    session.commit()
    click.echo(f"user {user_id} erased: {report.total} rows deleted")
