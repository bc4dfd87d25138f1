"""`flask territory …`: load a territory's open-data folder."""

from pathlib import Path

import click

from targeting.errors import DataFileError
from webapp.data_errors import describe_data_error
from webapp.db import db_session
from webapp.services.gtfs_import import DEFAULT_MARGIN_M, import_gtfs
from webapp.services.gtfs_reader import GtfsError
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


@territory_group.command(
    "import-gtfs",
    help=(
        "Replace the public transport timetable with the stops of the GTFS feed PATH "
        "(a zip file or a folder) near the imported communes, and the trips calling there."
    ),
)
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--margin-m",
    type=float,
    default=DEFAULT_MARGIN_M,
    show_default=True,
    help="Metres added around the communes' bounding box; stops beyond are left out.",
)
def import_gtfs_command(path: Path, margin_m: float) -> None:
    session = db_session()
    try:
        report = import_gtfs(session, path, margin_m=margin_m)
    except GtfsError as error:
        session.rollback()
        raise click.ClickException(f"{error}. Nothing was imported.") from None
    session.commit()
    click.echo(f"stops: {report.stops}")
    click.echo(f"trips: {report.trips}")
    click.echo(f"connections: {report.connections}")
    click.echo(f"transfers: {report.transfers}")
    click.echo(f"service days: {report.service_days}")
    for reason, count in sorted(report.skipped.items()):
        if count:
            click.echo(f"skipped {reason}: {count}")
