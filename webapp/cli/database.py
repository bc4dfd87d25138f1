"""`flask db …`: schema migrations."""

import click
from flask import current_app

from webapp import migrate
from webapp.db import SESSION_FACTORY_KEY


@click.group("db", help="Manage the database schema.")
def db_group() -> None:
    pass


@db_group.command("upgrade", help="Apply every migration up to REVISION (default: head).")
@click.argument("revision", default="head")
def upgrade_command(revision: str) -> None:
    engine = current_app.extensions[SESSION_FACTORY_KEY].kw["bind"]
    migrate.upgrade(engine, revision)
    click.echo(f"database at {revision}")
