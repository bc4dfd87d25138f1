"""`flask messages sweep`: recover messages a killed worker or a lost queue left behind."""

import click

from webapp.jobs.sweeper import arm_sweeper, sweep_messages
from webapp.settings_access import get_settings


@click.group("messages", help="Look after queued and sent messages.")
def messages_group() -> None:
    pass


@messages_group.command(
    "sweep",
    help=(
        "Look up stale sends, requeue queued messages and broadcast preparations without "
        "a job and apply pending provider events. Run it every minute from cron, or once "
        "with --every-minute to let RQ's scheduler (started by `flask worker`) repeat it."
    ),
)
@click.option(
    "--every-minute",
    is_flag=True,
    help="Schedule a sweep job that schedules the next one, instead of sweeping now.",
)
def sweep_command(every_minute: bool) -> None:
    if every_minute:
        job_id = arm_sweeper(get_settings())
        click.echo(f"sweeper scheduled: {job_id}")
        return
    report = sweep_messages()
    click.echo(
        f"stale sends looked up: {report.reconciled}, "
        f"queued messages requeued: {report.requeued}, events retried: {report.events}, "
        f"broadcast preparations requeued: {report.preparations}"
    )
