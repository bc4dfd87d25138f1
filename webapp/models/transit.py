"""A public transport timetable imported from GTFS, for volunteers' transit-time limits.

Only stops near the territory are kept, and a trip is stored as the connections
between its consecutive kept stops. Times are seconds after midnight of the trip's
service day and go past 86,400 for trips that run after midnight, as in GTFS. Every
column is public timetable data.
"""

from datetime import date

from sqlalchemy import Date, Float, ForeignKey, Integer, String
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
