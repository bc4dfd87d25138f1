"""Open data of a territory: IRIS, polling stations, results, addresses and streets.

Geometries are GeoJSON mappings in WGS84 stored as JSON, so SQLite and PostgreSQL hold
the same rows without a spatial extension.
"""

from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db import Base


class Commune(Base):
    __tablename__ = "communes"

    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(
        String(100), info={"personal": "none", "retention": "never_personal"}
    )
    population: Mapped[int | None]
    geometry: Mapped[dict[str, Any]] = mapped_column(JSON)


class Iris(Base):
    __tablename__ = "iris"

    code: Mapped[str] = mapped_column(String(9), primary_key=True)
    name: Mapped[str] = mapped_column(
        String(120), info={"personal": "none", "retention": "never_personal"}
    )
    commune_code: Mapped[str] = mapped_column(ForeignKey("communes.code"), index=True)
    kind: Mapped[str] = mapped_column(String(1))
    geometry: Mapped[dict[str, Any]] = mapped_column(JSON)
    median_income_eur: Mapped[int | None]
    poverty_rate_pct: Mapped[float | None] = mapped_column(Float)
    # Filosofi 2015 200 m squares summed over the IRIS (a square goes where its centre lies).
    households: Mapped[float] = mapped_column(Float, default=0.0)
    individuals: Mapped[float] = mapped_column(Float, default=0.0)


class GridSquare(Base):
    __tablename__ = "grid_squares"

    inspire_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    commune_code: Mapped[str] = mapped_column(String(5))
    iris_code: Mapped[str | None] = mapped_column(ForeignKey("iris.code"), index=True)
    individuals: Mapped[float] = mapped_column(Float)
    households: Mapped[float] = mapped_column(Float)
    poor_households: Mapped[float] = mapped_column(Float)
    geometry: Mapped[dict[str, Any]] = mapped_column(JSON)


class PollingStation(Base):
    __tablename__ = "polling_stations"
    __table_args__ = (UniqueConstraint("commune_code", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_code: Mapped[str] = mapped_column(ForeignKey("communes.code"))
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(
        String(200), info={"personal": "none", "retention": "never_personal"}
    )
    address: Mapped[str] = mapped_column(
        String(300), info={"personal": "none", "retention": "never_personal"}
    )
    # Approximate contour reconstructed from elector addresses; not the legal boundary.
    geometry: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class ElectionResult(Base):
    __tablename__ = "election_results"
    __table_args__ = (UniqueConstraint("polling_station_id", "election"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    polling_station_id: Mapped[int] = mapped_column(
        ForeignKey("polling_stations.id", ondelete="CASCADE")
    )
    election: Mapped[str] = mapped_column(String(40))
    registered: Mapped[int]
    abstentions: Mapped[int]
    voters: Mapped[int]
    blank: Mapped[int]
    null: Mapped[int]
    expressed: Mapped[int]
    votes: Mapped[dict[str, int]] = mapped_column(JSON)


class Address(Base):
    __tablename__ = "addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    ban_id: Mapped[str] = mapped_column(String(40), unique=True)
    number: Mapped[int | None]
    suffix: Mapped[str] = mapped_column(String(20), default="")
    street: Mapped[str] = mapped_column(String(200), index=True)
    postcode: Mapped[str] = mapped_column(String(5))
    commune_code: Mapped[str] = mapped_column(ForeignKey("communes.code"), index=True)
    lon: Mapped[float] = mapped_column(
        Float,
        info={
            "personal": "none",
            "retention": "never_personal",
            "note": "a public BAN address point",
        },
    )
    lat: Mapped[float] = mapped_column(
        Float,
        info={
            "personal": "none",
            "retention": "never_personal",
            "note": "a public BAN address point",
        },
    )
    iris_code: Mapped[str | None] = mapped_column(ForeignKey("iris.code"), index=True)
    polling_station_id: Mapped[int | None] = mapped_column(
        ForeignKey("polling_stations.id"), index=True
    )
    # "electoral_roll" when the address list names the station, "contour" when inferred.
    station_source: Mapped[str | None] = mapped_column(String(20))
    dwellings: Mapped[int] = mapped_column(Integer, default=1)

    @property
    def label(self) -> str:
        number = (
            f"{self.number}{(' ' + self.suffix) if self.suffix else ''} " if self.number else ""
        )
        return f"{number}{self.street}"


class StreetWay(Base):
    """A walkable OpenStreetMap way; the routing package builds its graph from these."""

    __tablename__ = "street_ways"

    id: Mapped[int] = mapped_column(primary_key=True)
    osm_id: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str | None] = mapped_column(
        String(200), info={"personal": "none", "retention": "never_personal"}
    )
    highway: Mapped[str] = mapped_column(String(40))
    coordinates: Mapped[list[list[float]]] = mapped_column(JSON)
