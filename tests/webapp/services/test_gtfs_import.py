"""Importing the made-up GTFS feed into PostgreSQL, and rejecting broken feeds."""

import shutil
import zipfile
from datetime import date
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import make_commune
from webapp.models import TransitConnection, TransitServiceDay, TransitStop, TransitTrip
from webapp.services.gtfs_import import import_gtfs
from webapp.services.gtfs_reader import GtfsError, parse_gtfs_date, parse_gtfs_time

SAMPLE_DIR = Path(__file__).parent / "gtfs_sample"


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    """A writable copy of the sample feed."""
    target = tmp_path / "feed"
    shutil.copytree(SAMPLE_DIR, target)
    return target


def rewrite(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("00:00:00", 0),
        ("7:05:00", 25500),
        ("23:59:59", 86399),
        ("24:50:00", 89400),
        ("25:10:30", 90630),
    ],
)
def test_gtfs_times_pass_midnight(text: str, seconds: int) -> None:
    assert parse_gtfs_time(text) == seconds


@pytest.mark.parametrize("text", ["", "7:05", "07:60:00", "07:05:61", "aa:00:00", "-1:00:00"])
def test_invalid_gtfs_times(text: str) -> None:
    with pytest.raises(ValueError, match="invalid GTFS time"):
        parse_gtfs_time(text)


def test_gtfs_dates() -> None:
    assert parse_gtfs_date("20270310") == date(2027, 3, 10)
    with pytest.raises(ValueError, match="invalid GTFS date"):
        parse_gtfs_date("2027-03-10")


def test_import_keeps_local_stops_and_trips(db_session: Session) -> None:
    make_commune(db_session)
    report = import_gtfs(db_session, SAMPLE_DIR)

    assert (report.stops, report.trips, report.connections) == (3, 21, 41)
    # March 2027: 23 weekdays, minus Wednesday 10, plus Saturday 13.
    assert report.service_days == 23
    assert report.skipped["stops outside the territory"] == 1
    assert report.skipped["untimed stop times"] == 1
    assert count(db_session, TransitStop) == 3
    assert count(db_session, TransitTrip) == 21
    assert count(db_session, TransitConnection) == 41
    assert count(db_session, TransitServiceDay) == 23


def test_import_stores_times_past_midnight(db_session: Session) -> None:
    make_commune(db_session)
    import_gtfs(db_session, SAMPLE_DIR)
    night = db_session.scalars(
        select(TransitConnection)
        .join(TransitTrip, TransitTrip.id == TransitConnection.trip_id)
        .where(TransitTrip.trip_code == "N1-night")
    ).all()

    # B has no time, so the night bus is one ride from A to C.
    assert [(c.departure_s, c.arrival_s) for c in night] == [(89400, 89760)]
    stops = {s.id: s.stop_code for s in db_session.scalars(select(TransitStop))}
    assert (stops[night[0].departure_stop_id], stops[night[0].arrival_stop_id]) == ("A", "C")


def test_import_applies_calendar_dates(db_session: Session) -> None:
    make_commune(db_session)
    import_gtfs(db_session, SAMPLE_DIR)
    days = set(db_session.scalars(select(TransitServiceDay.on_date)))

    assert date(2027, 3, 8) in days  # Monday
    assert date(2027, 3, 10) not in days  # removed
    assert date(2027, 3, 13) in days  # added Saturday
    assert date(2027, 3, 14) not in days  # Sunday
    assert date(2027, 4, 1) not in days


def test_second_import_replaces_first(db_session: Session, feed: Path) -> None:
    make_commune(db_session)
    import_gtfs(db_session, SAMPLE_DIR)
    rewrite(feed, "trips.txt", "N1,WEEK,N1-night\n", "")
    (feed / "stop_times.txt").write_text(
        "\n".join(
            line
            for line in (feed / "stop_times.txt").read_text(encoding="utf-8").splitlines()
            if not line.startswith("N1-night")
        )
        + "\n",
        encoding="utf-8",
    )
    report = import_gtfs(db_session, feed)

    assert report.trips == 20
    assert count(db_session, TransitTrip) == 20
    assert count(db_session, TransitConnection) == 40
    assert count(db_session, TransitStop) == 3


def test_import_reads_zip(db_session: Session, tmp_path: Path) -> None:
    make_commune(db_session)
    archive = tmp_path / "feed.zip"
    with zipfile.ZipFile(archive, "w") as output:
        for path in SAMPLE_DIR.glob("*.txt"):
            output.write(path, path.name)

    assert import_gtfs(db_session, archive).connections == 41


def test_narrow_margin_drops_home_stop(db_session: Session) -> None:
    # Stop A lies 1.2 km west of the commune's box, C and B inside it.
    make_commune(db_session)
    report = import_gtfs(db_session, SAMPLE_DIR, margin_m=500)

    assert report.stops == 2
    assert report.connections == 20


def test_import_needs_communes(db_session: Session) -> None:
    with pytest.raises(GtfsError, match="no commune is imported"):
        import_gtfs(db_session, SAMPLE_DIR)


@pytest.mark.parametrize(
    ("name", "old", "new", "message"),
    [
        ("stop_times.txt", "L1-00,07:05:00", "L1-00,07:5x:00", r"line 2, column arrival_time"),
        (
            "stop_times.txt",
            "L1-00,07:05:00,07:05:00,A",
            "L1-00,07:05:00,07:05:00,Z",
            "stop_id not in stops.txt",
        ),
        ("stop_times.txt", "L1-00,07:05:00", "L9-00,07:05:00", "trip_id not in trips.txt"),
        (
            "stop_times.txt",
            "L1-00,07:11:00,07:11:00,C",
            "L1-00,07:01:00,07:01:00,C",
            "arrives at stop sequence 3 before it leaves stop sequence 2",
        ),
        ("stops.txt", "48.904621247", "north", "line 2, column stop_lat: invalid decimal"),
        ("stops.txt", "2.455237852", "200.0", "outside -180..180"),
        ("stops.txt", "B,Arrêt B", "A,Arrêt B", "duplicate stop_id"),
        ("trips.txt", "route_id,", "line,", "required column route_id is missing"),
        ("calendar.txt", "20270331", "20270228", "before start_date"),
        ("calendar.txt", "20270331", "20270231", "invalid GTFS date '20270231'"),
        ("calendar.txt", "WEEK,1,1", "WEEK,2,1", "expected 0 or 1"),
        ("calendar_dates.txt", "WEEK,20270310,2", "WEEK,20270310,3", "expected 1 or 2"),
    ],
)
def test_broken_feed_keeps_previous_timetable(
    db_session: Session, feed: Path, *, name: str, old: str, new: str, message: str
) -> None:
    make_commune(db_session)
    import_gtfs(db_session, SAMPLE_DIR)
    db_session.commit()
    rewrite(feed, name, old, new)

    with pytest.raises(GtfsError, match=message):
        import_gtfs(db_session, feed)
    db_session.rollback()
    assert count(db_session, TransitConnection) == 41


def test_missing_calendars_are_rejected(db_session: Session, feed: Path) -> None:
    make_commune(db_session)
    (feed / "calendar.txt").unlink()
    (feed / "calendar_dates.txt").unlink()

    with pytest.raises(GtfsError, match="calendar.txt and calendar_dates.txt are both missing"):
        import_gtfs(db_session, feed)


def test_missing_stop_times_is_rejected(db_session: Session, feed: Path) -> None:
    make_commune(db_session)
    (feed / "stop_times.txt").unlink()

    with pytest.raises(GtfsError, match="stop_times.txt is missing"):
        import_gtfs(db_session, feed)


def test_plain_file_is_rejected(db_session: Session, tmp_path: Path) -> None:
    make_commune(db_session)
    path = tmp_path / "feed.txt"
    path.write_text("not a feed", encoding="utf-8")

    with pytest.raises(GtfsError, match="not a folder or a zip file"):
        import_gtfs(db_session, path)


def invoke(app: Flask, args: list[str]) -> Result:
    with app.app_context():
        return app.test_cli_runner().invoke(args=args)


def test_cli_imports_feed(app: Flask, db_session: Session) -> None:
    make_commune(db_session)
    db_session.commit()
    result = invoke(app, ["territory", "import-gtfs", str(SAMPLE_DIR)])

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "stops: 3",
        "trips: 21",
        "connections: 41",
        "service days: 23",
        "skipped stops outside the territory: 1",
        "skipped untimed stop times: 1",
    ]
    assert count(db_session, TransitConnection) == 41


def test_cli_reports_broken_feed(app: Flask, db_session: Session, feed: Path) -> None:
    make_commune(db_session)
    db_session.commit()
    rewrite(feed, "stop_times.txt", "L1-00,07:05:00", "L1-00,7h05")
    result = invoke(app, ["territory", "import-gtfs", str(feed)])

    assert result.exit_code == 1
    assert "stop_times.txt, line 2, column arrival_time: invalid GTFS time" in result.output
    assert "Nothing was imported." in result.output
    assert count(db_session, TransitConnection) == 0


def test_cli_rejects_negative_margin(app: Flask, db_session: Session) -> None:
    make_commune(db_session)
    db_session.commit()
    result = invoke(app, ["territory", "import-gtfs", str(SAMPLE_DIR), "--margin-m", "-5"])

    assert result.exit_code == 1
    assert "the margin must be a non-negative number of metres, got -5.0" in result.output
