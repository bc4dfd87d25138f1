"""The vehicle runs of a GTFS feed: each trip once, or each repetition of a trip that
frequencies.txt lists.

A run is stored as a trip of its own, so the scan never lets a volunteer stay aboard
from one repetition to the next. Its code is the feed's trip_id, followed for a
repetition by `@` and its start (`T1@07:05:00`), which must not clash with another trip.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from webapp.services.gtfs_reader import GtfsError, GtfsFeed

# The length of TransitTrip.trip_code.
MAX_CODE_LENGTH = 100


@dataclass(frozen=True, slots=True)
class Run:
    """One run of the feed's trip `trip`: its stop times moved by `shift_s` seconds."""

    code: str
    trip: str
    shift_s: int


def format_gtfs_time(seconds: int) -> str:
    """Return HH:MM:SS for seconds after midnight, with hours past 24 after midnight."""
    hours, rest = divmod(seconds, 3600)
    return f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"


def trip_runs(feed: GtfsFeed, trips: Iterable[str]) -> Iterator[Run]:
    """Yield the runs of `trips`, in their order and, for a repeated trip, by start."""
    for trip in trips:
        repeats = feed.frequencies.get(trip)
        if repeats is None:
            yield Run(trip, trip, 0)
            continue
        pattern_start = feed.pattern_start_s(trip)
        for repeat in repeats:
            for start in repeat.run_starts():
                yield Run(_run_code(feed, trip, start), trip, start - pattern_start)


def _run_code(feed: GtfsFeed, trip: str, start_s: int) -> str:
    code = f"{trip}@{format_gtfs_time(start_s)}"
    if code in feed.trips:
        raise GtfsError(
            f"frequencies.txt: trip {trip!r} repeated at {format_gtfs_time(start_s)} "
            f"would share the name {code!r} with a trip of trips.txt"
        )
    if len(code) > MAX_CODE_LENGTH:
        raise GtfsError(
            f"frequencies.txt: trip_id {trip[:80]!r} is too long to name its runs "
            f"(at most {MAX_CODE_LENGTH - 9} characters)"
        )
    return code
