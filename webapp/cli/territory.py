"""`flask territory …`: load a territory's open-data folder."""

from pathlib import Path

import click

from targeting.errors import DataFileError
from webapp.data_errors import describe_data_error
from webapp.db import db_session
from webapp.services.territory_import import import_territory


@click.group("territory", help="Import the open data of a territory.")
def territory_group() -> None:
    pass


@territory_group.command(
    "import", help="Import every file of FOLDER (IRIS, stations, results, addresses, streets)."
)
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
def import_command(folder: Path) -> None:
    session = db_session()
    try:
        report = import_territory(session, folder)
    except DataFileError as error:
        session.rollback()
        raise click.ClickException(describe_data_error(error)) from None
    session.commit()
    for table, total in sorted(report.totals.items()):
        click.echo(
            f"{table}: {total} ({report.inserted[table]} new, {report.updated[table]} updated)"
        )
    for reason, count in sorted(report.skipped.items()):
        click.echo(f"skipped {reason}: {count}")
