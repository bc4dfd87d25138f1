"""Read the parts of a GTFS feed that the transit-time check needs.

A feed is a zip file or a folder of CSV files (GTFS Schedule reference,
https://gtfs.org/schedule/reference/). Only stops.txt, trips.txt, stop_times.txt,
calendar.txt and/or calendar_dates.txt, and the optional frequencies.txt and
transfers.txt are read, and only the columns listed below. Any problem raises
`GtfsError` naming the file, the line and the value, because a half-read timetable
would silently give wrong travel times.

A trip listed in frequencies.txt runs every `headway_secs` from `start_time` up to,
not including, `end_time`; its stop_times.txt rows only give the pattern, timed from
its first stop. `exact_times` 0 (a headway kept on average) and 1 (a fixed schedule)
are both read as runs at the start time, the start time plus the headway, and so on.

transfers.txt is read for its rules between two stops. A rule that names a station
(location_type 1) applies to every stop whose parent_station it is, and a rule naming
the stops themselves wins over it. Rows that name a trip or a route (from_trip_id,
to_trip_id, from_route_id, to_route_id) are counted and skipped, so the stop rules and
the default change time apply to those changes: the scan does not tell one route from
another at a stop.
"""

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from routing.transit_changes import TransferType

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
    "frequencies.txt": ("trip_id", "start_time", "end_time", "headway_secs"),
    "transfers.txt": ("from_stop_id", "to_stop_id", "transfer_type"),
}
WEEKDAY_COLUMNS = REQUIRED_COLUMNS["calendar.txt"][1:8]
# Generic nodes (3) and boarding areas (4) may have no coordinates, and no vehicle
# calls at them.
UNLOCATED_TYPES = {"3", "4"}
# transfers.txt columns that tie a rule to trips or routes rather than to stops alone.
TRIP_AND_ROUTE_COLUMNS = ("from_trip_id", "to_trip_id", "from_route_id", "to_route_id")


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


@dataclass(frozen=True, slots=True)
class Frequency:
    """A trip repeated every `headway_s` seconds from `start_s` up to, not including,
    `end_s` (seconds after midnight of the service day, past 86,400 after midnight)."""

    start_s: int
    end_s: int
    headway_s: int

    def run_starts(self) -> range:
        return range(self.start_s, self.end_s, self.headway_s)


@dataclass(frozen=True, slots=True)
class GtfsTransfer:
    """A rule for changing from a vehicle at `from_stop` to one at `to_stop`. Only a
    `TransferType.MIN_TIME` rule has `min_s`."""

    from_stop: str
    to_stop: str
    kind: TransferType
    min_s: int | None


@dataclass(slots=True)
class GtfsFeed:
    stops: list[GtfsStop] = field(default_factory=list)
    trips: dict[str, tuple[str, str]] = field(default_factory=dict)  # trip: (route, service)
    calls: dict[str, list[StopCall]] = field(default_factory=dict)  # trip: calls by sequence
    service_days: dict[str, set[date]] = field(default_factory=dict)
    # trip: its repetitions, sorted by start. Such a trip has no run of its own.
    frequencies: dict[str, list[Frequency]] = field(default_factory=dict)
    transfers: list[GtfsTransfer] = field(default_factory=list)
    # station (location_type 1): the stops in it (location_type 0 or empty).
    platforms: dict[str, list[str]] = field(default_factory=dict)
    # transfers.txt rows skipped because they name a trip or a route.
    trip_or_route_transfers: int = 0

    def pattern_start_s(self, trip: str) -> int:
        """Return the time of a trip's first stop, from which its pattern is timed."""
        first = self.calls[trip][0]
        start = first.arrival_s if first.arrival_s is not None else first.departure_s
        assert start is not None, "read_feed checks that a repeated trip starts with a time"
        return start


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
    if files.has("frequencies.txt"):
        _read_frequencies(files, feed)
    if files.has("transfers.txt"):
        _read_transfers(files, feed)
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
    stations: set[str] = set()
    parents: dict[str, str] = {}
    for line, row in files.rows("stops.txt"):
        code = row["stop_id"]
        if not code:
            raise _fail("stops.txt", line, "stop_id", code, "empty stop_id")
        if code in seen:
            raise _fail("stops.txt", line, "stop_id", code, "duplicate stop_id")
        seen.add(code)
        location_type = row.get("location_type", "")
        if location_type == "1":
            stations.add(code)
        elif location_type in ("", "0") and row.get("parent_station", ""):
            parents[code] = row["parent_station"]
        if location_type in UNLOCATED_TYPES and not row["stop_lat"]:
            continue
        lon = _coordinate(row, line, "stop_lon", 180.0)
        lat = _coordinate(row, line, "stop_lat", 90.0)
        feed.stops.append(GtfsStop(code, row.get("stop_name", "")[:200], lon, lat))
    for code, parent in parents.items():
        if parent in stations:
            feed.platforms.setdefault(parent, []).append(code)


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


def _read_frequencies(files: _FeedFiles, feed: GtfsFeed) -> None:
    name = "frequencies.txt"
    spans: dict[str, list[tuple[Frequency, int, str]]] = {}
    for line, row in files.rows(name):
        trip = row["trip_id"]
        if trip not in feed.trips:
            raise _fail(name, line, "trip_id", trip, "trip_id not in trips.txt")
        calls = feed.calls.get(trip)
        if not calls:
            raise _fail(name, line, "trip_id", trip, "trip_id has no stop times in stop_times.txt")
        if calls[0].arrival_s is None and calls[0].departure_s is None:
            raise _fail(
                name,
                line,
                "trip_id",
                trip,
                "the trip's first stop time has no arrival or departure time",
            )
        start = _time(row, line, name, "start_time")
        end = _time(row, line, name, "end_time")
        if end <= start:
            raise _fail(name, line, "end_time", row["end_time"], "not after start_time")
        headway = _whole(row, line, name, "headway_secs")
        if headway == 0:
            raise _fail(
                name, line, "headway_secs", row["headway_secs"], "expected more than 0 seconds"
            )
        exact = row.get("exact_times", "")
        if exact not in ("", "0", "1"):
            raise _fail(name, line, "exact_times", exact, "expected 0, 1 or empty")
        spans.setdefault(trip, []).append((Frequency(start, end, headway), line, row["start_time"]))
    for trip, rows in spans.items():
        rows.sort(key=lambda span: span[0].start_s)
        for (before, _, _), (after, line, text) in zip(rows, rows[1:], strict=False):
            if after.start_s < before.end_s:
                raise _fail(name, line, "start_time", text, "overlaps another row of the trip")
        feed.frequencies[trip] = [frequency for frequency, _, _ in rows]


def _read_transfers(files: _FeedFiles, feed: GtfsFeed) -> None:
    located = {stop.code for stop in feed.stops}
    seen: set[tuple[str, str]] = set()
    # (from stop, to stop): (precision, rule), where precision counts the ends of the
    # rule's row that name a stop rather than a station.
    rules: dict[tuple[str, str], tuple[int, GtfsTransfer]] = {}
    for line, row in files.rows("transfers.txt"):
        if any(row.get(column, "") for column in TRIP_AND_ROUTE_COLUMNS):
            feed.trip_or_route_transfers += 1
            continue
        rule = _transfer(row, line, located)
        if (rule.from_stop, rule.to_stop) in seen:
            raise _fail(
                "transfers.txt", line, "to_stop_id", rule.to_stop, "duplicate rule for these stops"
            )
        seen.add((rule.from_stop, rule.to_stop))
        # A rule naming a station applies to every stop in it, unless a rule naming
        # fewer stations covers the same two stops.
        precision = (rule.from_stop not in feed.platforms) + (rule.to_stop not in feed.platforms)
        for first in feed.platforms.get(rule.from_stop, [rule.from_stop]):
            for second in feed.platforms.get(rule.to_stop, [rule.to_stop]):
                known = rules.get((first, second))
                if known is None or known[0] < precision:
                    spread = GtfsTransfer(first, second, rule.kind, rule.min_s)
                    rules[(first, second)] = (precision, spread)
    feed.transfers = [rule for _, rule in rules.values()]


def _transfer(row: dict[str, str], line: int, located: set[str]) -> GtfsTransfer:
    """Return the checked rule of one transfers.txt row between two stops or stations."""
    name = "transfers.txt"
    text = row["transfer_type"]
    if text not in ("", "0", "1", "2", "3"):
        raise _fail(name, line, "transfer_type", text, "expected 0, 1, 2, 3 or empty")
    kind = TransferType(int(text or "0"))
    for column in ("from_stop_id", "to_stop_id"):
        if row[column] not in located:
            reason = "stop_id not in stops.txt, or a stop without coordinates"
            raise _fail(name, line, column, row[column], reason)
    minimum = None
    if kind is TransferType.MIN_TIME:
        if not row.get("min_transfer_time", ""):
            raise _fail(name, line, "min_transfer_time", "", "required for transfer_type 2")
        minimum = _whole(row, line, name, "min_transfer_time")
    return GtfsTransfer(row["from_stop_id"], row["to_stop_id"], kind, minimum)


def _time(row: dict[str, str], line: int, name: str, column: str) -> int:
    try:
        return parse_gtfs_time(row[column])
    except ValueError as error:
        raise _fail(name, line, column, row[column], str(error)) from None


def _whole(row: dict[str, str], line: int, name: str, column: str) -> int:
    text = row.get(column, "")
    if not (text.isascii() and text.isdigit()):
        raise _fail(name, line, column, text, "not a whole number of seconds")
    return int(text)
