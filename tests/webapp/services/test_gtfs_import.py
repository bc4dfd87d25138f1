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
from webapp.models import (
    TransitConnection,
    TransitServiceDay,
    TransitStop,
    TransitTransfer,
    TransitTrip,
)
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


def sample_with(folder: Path, extra: dict[str, str]) -> Path:
    """Copy the sample feed to `folder` and add the `extra` lines to its files, a new
    file taking them whole (header first)."""
    shutil.copytree(SAMPLE_DIR, folder)
    for name, lines in extra.items():
        path = folder / name
        before = path.read_text(encoding="utf-8") if path.exists() else ""
        path.write_text(before + lines, encoding="utf-8")
    return folder


# Bus F1 runs A-B-C in 6 minutes like line 1. stop_times.txt times its pattern from
# 05:00, and frequencies.txt repeats it every 10 minutes from 12:00 to 12:30 (12:30
# excluded) and from 23:50 to 24:10.
FREQUENCY_FILES = {
    "trips.txt": "F,WEEK,F1\n",
    "stop_times.txt": (
        "F1,05:00:00,05:00:00,A,1\nF1,05:03:00,05:03:00,B,2\nF1,05:06:00,05:06:00,C,3\n"
    ),
    "frequencies.txt": (
        "trip_id,start_time,end_time,headway_secs,exact_times\n"
        "F1,23:50:00,24:10:00,600,1\n"
        "F1,12:00:00,12:30:00,600,0\n"
    ),
}
TRANSFER_FILES = {
    "transfers.txt": (
        "from_stop_id,to_stop_id,transfer_type,min_transfer_time,from_trip_id\n"
        "B,B,3,,\n"
        "A,C,2,300,\n"
        "C,A,,,\n"
        "B,C,1,,\n"
        "FAR,B,2,60,\n"
        "B,A,3,,L1-00\n"
    ),
}


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
        "transfers: 0",
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


def stored_runs(session: Session) -> dict[str, list[tuple[str, str, int, int]]]:
    stops = {s.id: s.stop_code for s in session.scalars(select(TransitStop))}
    runs: dict[str, list[tuple[str, str, int, int]]] = {}
    query = (
        select(TransitTrip.trip_code, TransitConnection)
        .join(TransitTrip, TransitTrip.id == TransitConnection.trip_id)
        .order_by(TransitTrip.trip_code, TransitConnection.departure_s)
    )
    for code, c in session.execute(query):
        leg = (stops[c.departure_stop_id], stops[c.arrival_stop_id], c.departure_s, c.arrival_s)
        runs.setdefault(code, []).append(leg)
    return runs


def test_frequencies_repeat_a_trip(db_session: Session, tmp_path: Path) -> None:
    make_commune(db_session)
    report = import_gtfs(db_session, sample_with(tmp_path / "feed", FREQUENCY_FILES))
    runs = {code: legs for code, legs in stored_runs(db_session).items() if code[:2] == "F1"}

    assert (report.trips, report.connections) == (26, 51)
    assert runs == {
        "F1@12:00:00": [("A", "B", 43200, 43380), ("B", "C", 43380, 43560)],
        "F1@12:10:00": [("A", "B", 43800, 43980), ("B", "C", 43980, 44160)],
        "F1@12:20:00": [("A", "B", 44400, 44580), ("B", "C", 44580, 44760)],
        "F1@23:50:00": [("A", "B", 85800, 85980), ("B", "C", 85980, 86160)],
        "F1@24:00:00": [("A", "B", 86400, 86580), ("B", "C", 86580, 86760)],
    }


def test_runs_timed_from_first_stop(db_session: Session, tmp_path: Path) -> None:
    # The pattern starts at FAR, 10 minutes before A: each run reaches A 10 minutes late.
    files = {
        **FREQUENCY_FILES,
        "stop_times.txt": (
            "F1,04:50:00,04:50:00,FAR,0\nF1,05:00:00,05:00:00,A,1\nF1,05:06:00,05:06:00,C,3\n"
        ),
        "frequencies.txt": "trip_id,start_time,end_time,headway_secs\nF1,12:00:00,12:00:01,600\n",
    }
    make_commune(db_session)
    import_gtfs(db_session, sample_with(tmp_path / "feed", files))

    assert stored_runs(db_session)["F1@12:00:00"] == [("A", "C", 43800, 44160)]


def test_transfers_are_stored_between_kept_stops(db_session: Session, tmp_path: Path) -> None:
    make_commune(db_session)
    report = import_gtfs(db_session, sample_with(tmp_path / "feed", TRANSFER_FILES))
    stops = {s.id: s.stop_code for s in db_session.scalars(select(TransitStop))}
    rules = {
        (stops[t.from_stop_id], stops[t.to_stop_id], t.transfer_type, t.min_transfer_s)
        for t in db_session.scalars(select(TransitTransfer))
    }

    assert rules == {
        ("B", "B", 3, None),
        ("A", "C", 2, 300),
        ("C", "A", 0, None),
        ("B", "C", 1, None),
    }
    assert report.transfers == 4
    assert report.skipped["transfers at stops outside the territory"] == 1
    assert report.skipped["transfers between trips or routes"] == 1


def test_cli_reports_transfers(app: Flask, db_session: Session, tmp_path: Path) -> None:
    make_commune(db_session)
    db_session.commit()
    feed = sample_with(tmp_path / "feed", TRANSFER_FILES)
    result = invoke(app, ["territory", "import-gtfs", str(feed)])

    assert result.exit_code == 0, result.output
    assert "transfers: 4" in result.output.splitlines()
    assert "skipped transfers at stops outside the territory: 1" in result.output
    assert "skipped transfers between trips or routes: 1" in result.output


@pytest.mark.parametrize(
    ("name", "old", "new", "message"),
    [
        (
            "frequencies.txt",
            "F1,12:00:00",
            "F9,12:00:00",
            "frequencies.txt, line 3, column trip_id: trip_id not in trips.txt",
        ),
        (
            "frequencies.txt",
            "12:30:00,600,0",
            "12:30:00,0,0",
            "line 3, column headway_secs: expected more than 0 seconds",
        ),
        (
            "frequencies.txt",
            "12:30:00,600,0",
            "12:30:00,10m,0",
            r"line 3, column headway_secs: not a whole number of seconds \(value '10m'\)",
        ),
        (
            "frequencies.txt",
            "12:30:00,600,0",
            "12:30:00,-600,0",
            "line 3, column headway_secs: not a whole number",
        ),
        (
            "frequencies.txt",
            "12:00:00,12:30:00",
            "12:00:00,11:30:00",
            "line 3, column end_time: not after start_time",
        ),
        (
            "frequencies.txt",
            "12:00:00,12:30:00",
            "12:00:00,12:00:00",
            "line 3, column end_time: not after start_time",
        ),
        ("frequencies.txt", "F1,12:00:00", "F1,12h00", "line 3, column start_time: invalid GTFS"),
        ("frequencies.txt", "600,0", "600,2", "line 3, column exact_times: expected 0, 1"),
        (
            "frequencies.txt",
            "F1,12:00:00,12:30:00",
            "F1,23:00:00,23:55:00",
            "line 2, column start_time: overlaps another row of the trip",
        ),
        (
            "stop_times.txt",
            "F1,05:00:00,05:00:00,A,1",
            "F1,,,A,1",
            "frequencies.txt, line 2, column trip_id: the trip's first stop time has no arrival",
        ),
        (
            "trips.txt",
            "F,WEEK,F1\n",
            "F,WEEK,F1\nF,WEEK,F1@12:10:00\n",
            "trip 'F1' repeated at 12:10:00 would share the name 'F1@12:10:00'",
        ),
    ],
)
def test_broken_frequencies_are_rejected(
    db_session: Session, tmp_path: Path, *, name: str, old: str, new: str, message: str
) -> None:
    make_commune(db_session)
    feed = sample_with(tmp_path / "feed", FREQUENCY_FILES)
    rewrite(feed, name, old, new)

    with pytest.raises(GtfsError, match=message):
        import_gtfs(db_session, feed)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("A,C,2,300,", "A,C,2,,", "line 3, column min_transfer_time: required for transfer_type 2"),
        ("A,C,2,300,", "A,C,2,5m,", "line 3, column min_transfer_time: not a whole number"),
        ("A,C,2,300,", "A,C,2,-5,", "line 3, column min_transfer_time: not a whole number"),
        ("B,B,3,,", "B,B,4,,", "line 2, column transfer_type: expected 0, 1, 2, 3 or empty"),
        ("C,A,,,", "C,Z,,,", "line 4, column to_stop_id: stop_id not in stops.txt"),
        ("C,A,,,", "ENTRANCE,A,,,", "line 4, column from_stop_id: .* without coordinates"),
        ("C,A,,,", ",A,,,", "line 4, column from_stop_id: stop_id not in stops.txt"),
        ("B,C,1,,", "C,A,1,,", "line 5, column to_stop_id: duplicate rule for these stops"),
    ],
)
def test_broken_transfers_are_rejected(
    db_session: Session, tmp_path: Path, *, old: str, new: str, message: str
) -> None:
    make_commune(db_session)
    feed = sample_with(tmp_path / "feed", TRANSFER_FILES)
    rewrite(feed, "transfers.txt", old, new)

    with pytest.raises(GtfsError, match=message):
        import_gtfs(db_session, feed)


def test_missing_transfer_column_is_rejected(db_session: Session, tmp_path: Path) -> None:
    make_commune(db_session)
    feed = sample_with(tmp_path / "feed", TRANSFER_FILES)
    rewrite(feed, "transfers.txt", "transfer_type,", "kind,")

    with pytest.raises(GtfsError, match="transfers.txt: required column transfer_type is missing"):
        import_gtfs(db_session, feed)


def test_repeated_trip_needs_stop_times(db_session: Session, tmp_path: Path) -> None:
    make_commune(db_session)
    feed = sample_with(tmp_path / "feed", {**FREQUENCY_FILES, "stop_times.txt": ""})

    with pytest.raises(GtfsError, match="line 2, column trip_id: trip_id has no stop times"):
        import_gtfs(db_session, feed)


@pytest.mark.parametrize("rows", ["S,S,2,240\nP1,P2,3,\n", "P1,P2,3,\nS,S,2,240\n"])
def test_station_rules_reach_its_stops(db_session: Session, tmp_path: Path, rows: str) -> None:
    # Station S has platforms P1 and P2 near B. A rule from S to S covers the four
    # platform pairs, and the rule naming P1 and P2 themselves wins over it, in either
    # order.
    files = {
        "stops.txt": (
            "S,Gare S (fictive),48.9049,2.4689,1,\n"
            "P1,Quai 1 (fictif),48.9049,2.4688,0,S\n"
            "P2,Quai 2 (fictif),48.9049,2.4690,,S\n"
        ),
        "transfers.txt": "from_stop_id,to_stop_id,transfer_type,min_transfer_time\n" + rows,
    }
    feed = sample_with(tmp_path / "feed", files)
    rewrite(feed, "stops.txt", "location_type\n", "location_type,parent_station\n")
    make_commune(db_session)
    report = import_gtfs(db_session, feed)
    stops = {s.id: s.stop_code for s in db_session.scalars(select(TransitStop))}
    rules = {
        (stops[t.from_stop_id], stops[t.to_stop_id], t.transfer_type, t.min_transfer_s)
        for t in db_session.scalars(select(TransitTransfer))
    }

    assert rules == {
        ("P1", "P1", 2, 240),
        ("P2", "P2", 2, 240),
        ("P2", "P1", 2, 240),
        ("P1", "P2", 3, None),
    }
    assert report.transfers == 4
