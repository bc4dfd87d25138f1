"""A public transport timetable imported from GTFS, for volunteers' transit-time limits.

Only stops near the territory are kept, and a trip is stored as the connections
between its consecutive kept stops. A trip that GTFS repeats at a headway is stored
once per run. Times are seconds after midnight of the trip's service day and go past
86,400 for trips that run after midnight, as in GTFS. Every column is public timetable
data.
"""

from datetime import date

from sqlalchemy import Date, Float, ForeignKey, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db import Base


def _public() -> dict[str, str]:
    """Return the data-catalogue tag of a column that never contains personal data."""
    return {"personal": "none", "retention": "never_personal"}


class TransitStop(Base):
    """A stop or platform where vehicles call (GTFS stops.txt)."""

    __tablename__ = "transit_stops"

    id: Mapped[int] = mapped_column(primary_key=True, info=_public())
    stop_code: Mapped[str] = mapped_column(String(100), unique=True, info=_public())
    name: Mapped[str] = mapped_column(String(200), info=_public())
    lon: Mapped[float] = mapped_column(Float, info=_public())
    lat: Mapped[float] = mapped_column(Float, info=_public())


class TransitTrip(Base):
    """One run of a vehicle along a route on the days of its service (GTFS trips.txt)."""

    __tablename__ = "transit_trips"

    id: Mapped[int] = mapped_column(primary_key=True, info=_public())
    trip_code: Mapped[str] = mapped_column(String(100), unique=True, info=_public())
    route_code: Mapped[str] = mapped_column(String(100), info=_public())
    service_code: Mapped[str] = mapped_column(String(100), index=True, info=_public())


class TransitServiceDay(Base):
    """A date on which a service runs, from GTFS calendar.txt and calendar_dates.txt."""

    __tablename__ = "transit_service_days"

    service_code: Mapped[str] = mapped_column(String(100), primary_key=True, info=_public())
    on_date: Mapped[date] = mapped_column(Date, primary_key=True, index=True, info=_public())


class TransitConnection(Base):
    """A vehicle leaving one stop and reaching the next kept stop of its trip."""

    __tablename__ = "transit_connections"

    id: Mapped[int] = mapped_column(primary_key=True, info=_public())
    trip_id: Mapped[int] = mapped_column(
        ForeignKey("transit_trips.id", ondelete="CASCADE"), index=True, info=_public()
    )
    departure_stop_id: Mapped[int] = mapped_column(
        ForeignKey("transit_stops.id", ondelete="CASCADE"), info=_public()
    )
    arrival_stop_id: Mapped[int] = mapped_column(
        ForeignKey("transit_stops.id", ondelete="CASCADE"), info=_public()
    )
    departure_s: Mapped[int] = mapped_column(Integer, info=_public())
    arrival_s: Mapped[int] = mapped_column(Integer, info=_public())


class TransitTransfer(Base):
    """A rule for changing from a vehicle at one stop to a vehicle at another, or at the
    same stop (GTFS transfers.txt, rules between stops only).

    `transfer_type` keeps the GTFS value: 0 recommended, 1 timed (the vehicles wait for
    each other), 2 needing `min_transfer_s` seconds, 3 not possible.
    """

    __tablename__ = "transit_transfers"

    from_stop_id: Mapped[int] = mapped_column(
        ForeignKey("transit_stops.id", ondelete="CASCADE"), primary_key=True, info=_public()
    )
    to_stop_id: Mapped[int] = mapped_column(
        ForeignKey("transit_stops.id", ondelete="CASCADE"), primary_key=True, info=_public()
    )
    transfer_type: Mapped[int] = mapped_column(SmallInteger, info=_public())
    min_transfer_s: Mapped[int | None] = mapped_column(Integer, info=_public())
