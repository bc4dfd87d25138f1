"""Load a territory's open-data folder into the database, idempotently.

Everything is read and validated before the first row is written, and the caller commits
once, so an invalid file leaves the database as it was.
"""

import json
import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely.geometry
from sqlalchemy import select
from sqlalchemy.orm import Session

from targeting.dwellings import estimate_dwellings
from targeting.names import fold_name
from targeting.placement import locate_points
from targeting.territory import TerritoryData, read_territory
from webapp.models import (
    Address,
    Commune,
    ElectionResult,
    GridSquare,
    Iris,
    PollingStation,
    StreetWay,
)
from webapp.services.closable_streets import accent_count, street_spellings
from webapp.services.routes import refresh_dwelling_counts

logger = logging.getLogger(__name__)

PRESIDENTIAL_2022_ROUND_1 = "pres2022_t1"

ProgressCallback = Callable[[int, str], None]


@dataclass
class ImportReport:
    """What an import wrote, per table, and what it skipped with the reason."""

    inserted: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    totals: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)

    @property
    def changed_rows(self) -> int:
        return sum(self.inserted.values()) + sum(self.updated.values())


def import_territory(
    session: Session, folder: Path, progress: ProgressCallback | None = None
) -> ImportReport:
    """Read every file of `folder` and upsert it; raise DataFileError on an invalid file."""
    report = ImportReport()
    step = progress or (lambda _pct, _label: None)

    step(5, "read")
    data = read_territory(folder)
    step(40, "communes")
    _upsert_communes(session, data, report)
    _upsert_iris(session, data, report)
    step(50, "stations")
    stations = _upsert_stations(session, data, report)
    _upsert_results(session, data, stations, report)
    step(60, "addresses")
    _upsert_addresses(session, data, stations, report)
    session.flush()
    report.updated["routes"] += refresh_dwelling_counts(session)
    step(85, "streets")
    _upsert_streets(session, data, report)
    session.flush()
    step(100, "done")
    logger.info(
        "Imported territory %s: %s rows inserted, %s updated",
        folder.name,
        sum(report.inserted.values()),
        sum(report.updated.values()),
    )
    return report


def _sync(
    session: Session,
    model: type[Any],
    key: str,
    rows: Iterable[dict[str, Any]],
    report: ImportReport,
) -> dict[Any, Any]:
    """Insert missing rows and update changed ones, matching on `key`; return rows by key."""
    existing = {getattr(obj, key): obj for obj in session.scalars(select(model))}
    table = model.__tablename__
    count = 0
    for values in rows:
        count += 1
        obj = existing.get(values[key])
        if obj is None:
            obj = model(**values)
            session.add(obj)
            existing[values[key]] = obj
            report.inserted[table] += 1
            continue
        report.updated[table] += int(_assign(obj, values))
    report.totals[table] = count
    session.flush()
    return existing


def _upsert_communes(session: Session, data: TerritoryData, report: ImportReport) -> None:
    rows = (
        {"code": c.commune_code, "name": c.name, "geometry": _plain(c.geometry)}
        for c in data.commune_boundaries
    )
    _sync(session, Commune, "code", rows, report)


def _upsert_iris(session: Session, data: TerritoryData, report: ImportReport) -> None:
    income = {record.iris_code: record for record in data.iris_income}
    zones = [(record.code, record.geometry) for record in data.iris]
    centres = [_centroid(square.geometry) for square in data.grid_squares]
    square_iris = locate_points(centres, zones)
    households: defaultdict[str, float] = defaultdict(float)
    individuals: defaultdict[str, float] = defaultdict(float)
    for square, iris_code in zip(data.grid_squares, square_iris, strict=True):
        if iris_code is not None:
            households[iris_code] += square.households
            individuals[iris_code] += square.individuals

    rows = []
    for record in data.iris:
        figures = income.get(record.code)
        rows.append(
            {
                "code": record.code,
                "name": record.name,
                "commune_code": record.commune_code,
                "kind": str(record.kind),
                "geometry": _plain(record.geometry),
                "median_income_eur": figures.median_income_eur if figures else None,
                "poverty_rate_pct": figures.poverty_rate_pct if figures else None,
                "households": float(households[record.code]),
                "individuals": float(individuals[record.code]),
            }
        )
    _sync(session, Iris, "code", rows, report)

    squares = (
        {
            "inspire_id": square.inspire_id,
            "commune_code": square.commune_code,
            "iris_code": iris_code,
            "individuals": square.individuals,
            "households": square.households,
            "poor_households": square.poor_households,
            "geometry": _plain(square.geometry),
        }
        for square, iris_code in zip(data.grid_squares, square_iris, strict=True)
    )
    _sync(session, GridSquare, "inspire_id", squares, report)


def _upsert_stations(
    session: Session, data: TerritoryData, report: ImportReport
) -> dict[tuple[str, int], PollingStation]:
    contours = {(c.commune_code, c.number): _plain(c.geometry) for c in data.station_contours}
    existing = {(s.commune_code, s.number): s for s in session.scalars(select(PollingStation))}
    for record in data.polling_stations:
        key = (record.commune_code, record.number)
        values = {"name": record.name, "address": record.address, "geometry": contours.get(key)}
        station = existing.get(key)
        if station is None:
            station = PollingStation(
                commune_code=record.commune_code, number=record.number, **values
            )
            session.add(station)
            existing[key] = station
            report.inserted["polling_stations"] += 1
        else:
            report.updated["polling_stations"] += int(_assign(station, values))
    report.totals["polling_stations"] = len(data.polling_stations)
    session.flush()
    return existing


def _upsert_results(
    session: Session,
    data: TerritoryData,
    stations: Mapping[tuple[str, int], PollingStation],
    report: ImportReport,
) -> None:
    existing = {
        r.polling_station_id: r
        for r in session.scalars(
            select(ElectionResult).where(ElectionResult.election == PRESIDENTIAL_2022_ROUND_1)
        )
    }
    skipped = 0
    for result in data.presidential_results:
        station = stations.get((result.commune_code, result.number))
        if station is None:
            skipped += 1
            continue
        values = {
            "registered": result.registered,
            "abstentions": result.abstentions,
            "voters": result.voters,
            "blank": result.blank,
            "null": result.null,
            "expressed": result.expressed,
            "votes": dict(result.votes),
        }
        row = existing.get(station.id)
        if row is None:
            session.add(
                ElectionResult(
                    polling_station_id=station.id, election=PRESIDENTIAL_2022_ROUND_1, **values
                )
            )
            report.inserted["election_results"] += 1
        else:
            report.updated["election_results"] += int(_assign(row, values))
    report.totals["election_results"] = len(data.presidential_results) - skipped
    if skipped:
        report.skipped["results_of_unknown_station"] = skipped


def _upsert_addresses(
    session: Session,
    data: TerritoryData,
    stations: Mapping[tuple[str, int], PollingStation],
    report: ImportReport,
) -> None:
    points = [(a.lon, a.lat) for a in data.ban_addresses]
    iris_codes = locate_points(points, [(record.code, record.geometry) for record in data.iris])
    contour_numbers = locate_points(
        points, [(f"{c.commune_code}:{c.number}", c.geometry) for c in data.station_contours]
    )
    roll = {e.ban_id: (e.commune_code, e.station_number) for e in data.reu_addresses if e.ban_id}
    dwellings = estimate_dwellings(points, data.grid_squares)
    # The address file often drops accents ("Allee des Azalees"): a street takes the
    # spelling of its ways when that one has more accents.
    spellings = street_spellings(
        (way.name for way in data.osm_streets), {a.street for a in data.ban_addresses}
    )

    def spelled(street: str) -> str:
        best = spellings.get(fold_name(street), street)
        return best if accent_count(best) > accent_count(street) else street

    rows = []
    from_contour = 0
    for address, iris_code, contour_key, dwelling_count in zip(
        data.ban_addresses, iris_codes, contour_numbers, dwellings, strict=True
    ):
        station_key = roll.get(address.ban_id)
        source = "electoral_roll"
        if station_key is None and contour_key is not None:
            commune_code, number = contour_key.split(":")
            station_key = (commune_code, int(number))
            source = "contour"
            from_contour += 1
        station = stations.get(station_key) if station_key else None
        rows.append(
            {
                "ban_id": address.ban_id,
                "number": address.number,
                "suffix": address.suffix or "",
                "street": spelled(address.street),
                "postcode": address.postcode,
                "commune_code": address.commune_code,
                "lon": address.lon,
                "lat": address.lat,
                "iris_code": iris_code,
                "polling_station_id": station.id if station else None,
                "station_source": source if station else None,
                "dwellings": dwelling_count,
            }
        )
    _sync(session, Address, "ban_id", rows, report)
    report.skipped["addresses_outside_every_iris"] = sum(1 for code in iris_codes if code is None)
    report.skipped["addresses_without_station"] = sum(
        1 for row in rows if row["polling_station_id"] is None
    )
    report.totals["addresses_station_from_contour"] = from_contour


def _upsert_streets(session: Session, data: TerritoryData, report: ImportReport) -> None:
    rows = (
        {
            "osm_id": way.osm_id,
            "name": way.name,
            "highway": way.highway,
            "coordinates": [list(point) for point in way.coordinates],
        }
        for way in data.osm_streets
    )
    _sync(session, StreetWay, "osm_id", rows, report)


def _assign(obj: object, values: Mapping[str, Any]) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _plain(geometry: Mapping[str, Any]) -> dict[str, Any]:
    """Return the GeoJSON as JSON would load it back, so a re-import compares equal."""
    plain: dict[str, Any] = json.loads(json.dumps(geometry))
    return plain


def _centroid(geometry: Mapping[str, Any]) -> tuple[float, float]:
    point = shapely.geometry.shape(geometry).centroid
    return (point.x, point.y)
