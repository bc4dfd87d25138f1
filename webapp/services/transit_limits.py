"""Public transport times from the imported timetable, to check transit-time limits."""

import logging
import time
from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.assignment_travel import transit_budget_minutes
from routing.assignment_types import SessionInput, VolunteerInput
from routing.transit import Timetable, sorted_timetable
from routing.transit_changes import TransferRule, TransferType
from routing.transit_reach import build_transit_table
from routing.transit_table import TransitTable
from webapp.models import (
    TransitConnection,
    TransitServiceDay,
    TransitStop,
    TransitTransfer,
    TransitTrip,
)

logger = logging.getLogger(__name__)

SECONDS_PER_DAY = 86_400


def timetable_transit_table(
    session: Session, volunteers: Sequence[VolunteerInput], sessions: Sequence[SessionInput]
) -> TransitTable | None:
    """Work out door-to-door transit minutes for riders, on days with a timetable.

    Returns None when no volunteer with a home has a transit-time limit, or when no
    session falls on a day with service: the straight-line estimate then applies.
    """
    riders = sum(v.home is not None and transit_budget_minutes(v) is not None for v in volunteers)
    if not sessions or riders == 0:
        return None
    stops = session.execute(select(TransitStop.id, TransitStop.lon, TransitStop.lat)).all()
    if not stops:
        return None
    started = time.perf_counter()
    stop_ids = np.array([row.id for row in stops], dtype=np.int64)
    order = np.argsort(stop_ids)
    stop_ids = stop_ids[order]
    stop_lon = np.array([row.lon for row in stops], dtype=np.float64)[order]
    stop_lat = np.array([row.lat for row in stops], dtype=np.float64)[order]
    rules = transfer_rules(session, stop_ids)
    timetables: dict[date, Timetable] = {}
    for day in sorted({s.starts_at.date() for s in sessions}):
        timetable = day_timetable(session, day, (stop_ids, stop_lon, stop_lat), rules)
        if timetable is not None:
            timetables[day] = timetable
    table = build_transit_table(timetables, volunteers, sessions)
    logger.info(
        "Transit times for %s volunteers and %s sessions on %s days with service in %.2f s",
        riders,
        len(sessions),
        len(timetables),
        time.perf_counter() - started,
    )
    return table


def transfer_rules(session: Session, stop_ids: np.ndarray) -> list[TransferRule]:
    """Return the stored transfer rules between the stops at indexes of sorted `stop_ids`."""
    rows = session.execute(
        select(
            TransitTransfer.from_stop_id,
            TransitTransfer.to_stop_id,
            TransitTransfer.transfer_type,
            TransitTransfer.min_transfer_s,
        )
    ).all()
    if not rows:
        return []
    from_index = np.searchsorted(stop_ids, [row.from_stop_id for row in rows]).tolist()
    to_index = np.searchsorted(stop_ids, [row.to_stop_id for row in rows]).tolist()
    return [
        TransferRule(first, second, TransferType(row.transfer_type), row.min_transfer_s)
        for first, second, row in zip(from_index, to_index, rows, strict=True)
    ]


def day_timetable(
    session: Session,
    day: date,
    stops: tuple[np.ndarray, np.ndarray, np.ndarray],
    rules: Sequence[TransferRule] = (),
) -> Timetable | None:
    """Return the connections running on `day`, None when no service runs that day.

    They are the trips of `day`'s services, and those of the day before that run past
    midnight, with times moved back by 24 hours. A day whose own services have no trip
    gets None even if night trips of the day before reach into it, because a timetable
    holding only those would turn every daytime trip into a walk. `stops` is (sorted
    ids, lon, lat), and `rules` the transfer rules between their indexes.

    NOTE: GTFS measures times from noon minus 12 hours, and they are read here as local
    clock times. On the two days a year when clocks change, times before the change (in
    the small hours) are one hour off.
    """
    stop_ids, stop_lon, stop_lat = stops
    columns: list[list[int]] = [[], [], [], [], []]
    trip_numbers: dict[tuple[int, int], int] = {}
    for offset in (0, 1):
        services = select(TransitServiceDay.service_code).where(
            TransitServiceDay.on_date == day - timedelta(days=offset)
        )
        query = (
            select(
                TransitConnection.trip_id,
                TransitConnection.departure_stop_id,
                TransitConnection.arrival_stop_id,
                TransitConnection.departure_s,
                TransitConnection.arrival_s,
            )
            .join(TransitTrip, TransitTrip.id == TransitConnection.trip_id)
            .where(TransitTrip.service_code.in_(services))
        )
        if offset:
            query = query.where(TransitConnection.arrival_s >= SECONDS_PER_DAY)
        shift = offset * SECONDS_PER_DAY
        for trip_id, leaves_from, arrives_at, leaves, arrives in session.execute(query):
            number = trip_numbers.setdefault((trip_id, offset), len(trip_numbers))
            row = (leaves_from, arrives_at, leaves - shift, arrives - shift, number)
            for column, value in zip(columns, row, strict=True):
                column.append(value)
        if not trip_numbers:
            return None
    departure_stop, arrival_stop, departure_s, arrival_s, trip = (
        np.array(column, dtype=np.int64) for column in columns
    )
    return sorted_timetable(
        stop_lon,
        stop_lat,
        (
            np.searchsorted(stop_ids, departure_stop).astype(np.int64),
            np.searchsorted(stop_ids, arrival_stop).astype(np.int64),
            departure_s,
            arrival_s,
            trip,
        ),
        rules,
    )
