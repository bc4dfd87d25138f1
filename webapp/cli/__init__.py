"""`flask` command groups; each builds on the app that `flask` created once."""

from flask import Flask


def register_commands(app: Flask) -> None:
    from webapp.cli.database import db_group
    from webapp.cli.demo import demo_group
    from webapp.cli.i18n import i18n_group
    from webapp.cli.messages import messages_group
    from webapp.cli.plan import plan_group
    from webapp.cli.privacy import privacy_group
    from webapp.cli.territory import territory_group
    from webapp.cli.worker import worker_command

    app.cli.add_command(db_group)
    app.cli.add_command(demo_group)
    app.cli.add_command(i18n_group)
    app.cli.add_command(territory_group)
    app.cli.add_command(plan_group)
    app.cli.add_command(privacy_group)
    app.cli.add_command(worker_command)
    app.cli.add_command(messages_group)
