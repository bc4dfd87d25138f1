"""Read the parts of a GTFS feed that the transit-time check needs.

A feed is a zip file or a folder of CSV files (GTFS Schedule reference,
https://gtfs.org/schedule/reference/). Only stops.txt, trips.txt, stop_times.txt and
calendar.txt and/or calendar_dates.txt are read, and only the columns listed below.
Any problem raises `GtfsError` naming the file, the line and the value, because a
half-read timetable would silently give wrong travel times.

NOTE: frequencies.txt is not read: a trip it repeats at a headway keeps only the one
run that stop_times.txt gives.
"""

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

REQUIRED_COLUMNS = {
    "stops.txt": ("stop_id", "stop_lat", "stop_lon"),
    "trips.txt": ("route_id", "service_id", "trip_id"),
    "stop_times.txt": ("trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"),
    "calendar.txt": (
        "service_id",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "start_date",
        "end_date",
    ),
    "calendar_dates.txt": ("service_id", "date", "exception_type"),
}
WEEKDAY_COLUMNS = REQUIRED_COLUMNS["calendar.txt"][1:8]
# Generic nodes (3) and boarding areas (4) may have no coordinates, and no vehicle
# calls at them.
UNLOCATED_TYPES = {"3", "4"}


class GtfsError(Exception):
    """A GTFS feed that cannot be imported, with the file and line at fault."""


@dataclass(frozen=True, slots=True)
class GtfsStop:
    code: str
    name: str
    lon: float
    lat: float


@dataclass(frozen=True, slots=True)
class StopCall:
    """A trip calling at a stop: seconds after midnight of the service day (past 86,400
    after midnight), None where the feed leaves the time out."""

    sequence: int
    stop_code: str
    arrival_s: int | None
    departure_s: int | None


@dataclass(slots=True)
class GtfsFeed:
    stops: list[GtfsStop] = field(default_factory=list)
    trips: dict[str, tuple[str, str]] = field(default_factory=dict)  # trip: (route, service)
    calls: dict[str, list[StopCall]] = field(default_factory=dict)  # trip: calls by sequence
    service_days: dict[str, set[date]] = field(default_factory=dict)


def parse_gtfs_time(text: str) -> int:
    """Return the seconds of an H:MM:SS or HH:MM:SS time, which may pass 24:00:00."""
    parts = text.strip().split(":")
    if len(parts) != 3 or not all(part.isdigit() for part in parts):
        raise ValueError(f"invalid GTFS time {text!r}: expected HH:MM:SS")
    hours, minutes, seconds = (int(part) for part in parts)
    if minutes > 59 or seconds > 59:
        raise ValueError(f"invalid GTFS time {text!r}: minutes and seconds must be below 60")
    return hours * 3600 + minutes * 60 + seconds


def parse_gtfs_date(text: str) -> date:
    """Return the date of a YYYYMMDD field."""
    value = text.strip()
    if len(value) != 8 or not value.isdigit():
        raise ValueError(f"invalid GTFS date {text!r}: expected YYYYMMDD")
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError as error:
        raise ValueError(f"invalid GTFS date {text!r}: {error}") from None


def read_feed(path: Path) -> GtfsFeed:
    """Read a GTFS zip file or folder into memory, checking every row used."""
    files = _FeedFiles(path)
    for name in ("stops.txt", "trips.txt", "stop_times.txt"):
        if not files.has(name):
            raise GtfsError(f"{path}: {name} is missing")
    if not files.has("calendar.txt") and not files.has("calendar_dates.txt"):
        raise GtfsError(f"{path}: calendar.txt and calendar_dates.txt are both missing")
    feed = GtfsFeed()
    _read_stops(files, feed)
    _read_trips(files, feed)
    _read_stop_times(files, feed)
    if files.has("calendar.txt"):
        _read_calendar(files, feed)
    if files.has("calendar_dates.txt"):
        _read_calendar_dates(files, feed)
    return feed


class _FeedFiles:
    """The CSV files of a feed, from a folder or from the root of a zip file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        if path.is_dir():
            self.names = {child.name for child in path.iterdir() if child.is_file()}
        elif zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                self.names = set(archive.namelist())
        else:
            raise GtfsError(f"{path}: not a folder or a zip file")

    def has(self, name: str) -> bool:
        return name in self.names

    def rows(self, name: str) -> Iterator[tuple[int, dict[str, str]]]:
        """Yield (line number, row) with the header on line 1; check required columns."""
        if self.path.is_dir():
            data = (self.path / name).read_bytes()
        else:
            with zipfile.ZipFile(self.path) as archive:
                data = archive.read(name)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise GtfsError(f"{name}: not UTF-8 text ({error})") from None
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = [column.strip() for column in reader.fieldnames or []]
        reader.fieldnames = header
        missing = [column for column in REQUIRED_COLUMNS[name] if column not in header]
        if missing:
            raise GtfsError(f"{name}: required column {', '.join(missing)} is missing")
        for row in reader:
            if None in row:
                raise GtfsError(f"{name}, line {reader.line_num}: more fields than the header")
            yield reader.line_num, {key: (value or "").strip() for key, value in row.items()}


def _fail(name: str, line: int, column: str, value: str, reason: str) -> GtfsError:
    return GtfsError(f"{name}, line {line}, column {column}: {reason} (value {value[:80]!r})")


def _read_stops(files: _FeedFiles, feed: GtfsFeed) -> None:
    seen: set[str] = set()
    for line, row in files.rows("stops.txt"):
        code = row["stop_id"]
        if not code:
            raise _fail("stops.txt", line, "stop_id", code, "empty stop_id")
        if code in seen:
            raise _fail("stops.txt", line, "stop_id", code, "duplicate stop_id")
        seen.add(code)
        if row.get("location_type", "") in UNLOCATED_TYPES and not row["stop_lat"]:
            continue
        lon = _coordinate(row, line, "stop_lon", 180.0)
        lat = _coordinate(row, line, "stop_lat", 90.0)
        feed.stops.append(GtfsStop(code, row.get("stop_name", "")[:200], lon, lat))


def _coordinate(row: dict[str, str], line: int, column: str, bound: float) -> float:
    text = row[column]
    try:
        value = float(text)
    except ValueError:
        raise _fail("stops.txt", line, column, text, "invalid decimal degrees") from None
    if not -bound <= value <= bound:
        raise _fail("stops.txt", line, column, text, f"outside -{bound:g}..{bound:g}")
    return value


def _read_trips(files: _FeedFiles, feed: GtfsFeed) -> None:
    for line, row in files.rows("trips.txt"):
        code = row["trip_id"]
        if not code or not row["service_id"]:
            raise _fail("trips.txt", line, "trip_id", code, "empty trip_id or service_id")
        if code in feed.trips:
            raise _fail("trips.txt", line, "trip_id", code, "duplicate trip_id")
        feed.trips[code] = (row["route_id"], row["service_id"])


def _read_stop_times(files: _FeedFiles, feed: GtfsFeed) -> None:
    located = {stop.code for stop in feed.stops}
    for line, row in files.rows("stop_times.txt"):
        trip = row["trip_id"]
        if trip not in feed.trips:
            raise _fail("stop_times.txt", line, "trip_id", trip, "trip_id not in trips.txt")
        if row["stop_id"] not in located:
            raise _fail(
                "stop_times.txt",
                line,
                "stop_id",
                row["stop_id"],
                "stop_id not in stops.txt, or a stop without coordinates",
            )
        sequence_text = row["stop_sequence"]
        if not sequence_text.isdigit():
            raise _fail(
                "stop_times.txt", line, "stop_sequence", sequence_text, "not a whole number"
            )
        times: list[int | None] = []
        for column in ("arrival_time", "departure_time"):
            text = row[column]
            try:
                times.append(parse_gtfs_time(text) if text else None)
            except ValueError as error:
                raise _fail("stop_times.txt", line, column, text, str(error)) from None
        arrival, departure = times
        if arrival is not None and departure is not None and departure < arrival:
            raise _fail(
                "stop_times.txt",
                line,
                "departure_time",
                row["departure_time"],
                "departure before arrival",
            )
        call = StopCall(int(sequence_text), row["stop_id"], arrival, departure)
        feed.calls.setdefault(trip, []).append(call)
    for calls in feed.calls.values():
        calls.sort(key=lambda call: call.sequence)


def _read_calendar(files: _FeedFiles, feed: GtfsFeed) -> None:
    for line, row in files.rows("calendar.txt"):
        service = row["service_id"]
        flags = [row[column] for column in WEEKDAY_COLUMNS]
        if any(flag not in ("0", "1") for flag in flags):
            raise _fail("calendar.txt", line, "monday..sunday", ",".join(flags), "expected 0 or 1")
        first = _date(row, line, "calendar.txt", "start_date")
        last = _date(row, line, "calendar.txt", "end_date")
        if last < first:
            raise _fail("calendar.txt", line, "end_date", row["end_date"], "before start_date")
        days = feed.service_days.setdefault(service, set())
        day = first
        while day <= last:
            if flags[day.weekday()] == "1":
                days.add(day)
            day += timedelta(days=1)


def _read_calendar_dates(files: _FeedFiles, feed: GtfsFeed) -> None:
    for line, row in files.rows("calendar_dates.txt"):
        day = _date(row, line, "calendar_dates.txt", "date")
        kind = row["exception_type"]
        days = feed.service_days.setdefault(row["service_id"], set())
        if kind == "1":
            days.add(day)
        elif kind == "2":
            days.discard(day)
        else:
            raise _fail("calendar_dates.txt", line, "exception_type", kind, "expected 1 or 2")


def _date(row: dict[str, str], line: int, name: str, column: str) -> date:
    try:
        return parse_gtfs_date(row[column])
    except ValueError as error:
        raise _fail(name, line, column, row[column], str(error)) from None
