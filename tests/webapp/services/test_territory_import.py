import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from targeting.errors import DataFileError, Problem
from tests.conftest import SAMPLE_DIR
from tests.factories import make_campaign, make_canvass_session, make_walk_route
from webapp.models import Address, ElectionResult, GridSquare, Iris, PollingStation, StreetWay
from webapp.services.territory_import import import_territory


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_import_counts_on_bondy(db_session: Session) -> None:
    report = import_territory(db_session, SAMPLE_DIR)

    assert count(db_session, Iris) == 22
    assert count(db_session, PollingStation) == 32
    assert count(db_session, Address) == 8413
    assert count(db_session, ElectionResult) == 32
    assert count(db_session, GridSquare) == 188
    assert count(db_session, StreetWay) == 1350
    assert report.skipped["addresses_outside_every_iris"] == 68


def test_import_places_addresses(db_session: Session) -> None:
    import_territory(db_session, SAMPLE_DIR)

    # 1 Allée Marguerite Duras lies in La Noue Caillet; the electoral roll names its station.
    address = db_session.scalars(
        select(Address).where(Address.ban_id == "93010_i7xf1o_00001")
    ).one()
    assert address.iris_code is not None
    assert address.iris_code.startswith("93010")
    from_roll = count_where(db_session, Address.station_source == "electoral_roll")
    from_contour = count_where(db_session, Address.station_source == "contour")
    unplaced = count_where(db_session, Address.polling_station_id.is_(None))
    assert from_roll + from_contour + unplaced == 8413
    assert unplaced == 19
    assert from_contour == 2791


def count_where(session: Session, condition: object) -> int:
    return session.scalar(select(func.count()).select_from(Address).where(condition)) or 0  # type: ignore[arg-type]


def test_second_import_changes_nothing(db_session: Session) -> None:
    import_territory(db_session, SAMPLE_DIR)
    db_session.commit()

    report = import_territory(db_session, SAMPLE_DIR)

    assert report.changed_rows == 0
    assert count(db_session, Address) == 8413


def test_import_recounts_route_dwellings(db_session: Session) -> None:
    import_territory(db_session, SAMPLE_DIR)
    addresses = tuple(
        db_session.scalars(
            select(Address).where(Address.dwellings > 1).order_by(Address.id).limit(3)
        )
    )
    campaign = make_campaign(db_session)
    canvass = make_canvass_session(
        db_session,
        campaign=campaign,
        iris_code=addresses[0].iris_code or "",
        starts_at=datetime(2026, 12, 12, 9, tzinfo=UTC),
    )
    route = make_walk_route(db_session, canvass_session=canvass, addresses=addresses)
    expected = route.dwelling_count
    # A count stored from an older estimate.
    route.dwelling_count = 3
    db_session.commit()

    report = import_territory(db_session, SAMPLE_DIR)

    assert report.updated["routes"] == 1
    assert report.changed_rows == 1
    assert route.dwelling_count == expected
    assert expected == sum(address.dwellings for address in addresses)
    assert expected > 3


def test_zero_padded_codes_kept(db_session: Session) -> None:
    import_territory(db_session, SAMPLE_DIR)

    station = db_session.scalars(select(PollingStation).where(PollingStation.number == 1)).one()
    assert station.commune_code == "93010"
    iris = db_session.get(Iris, "930100101")
    assert iris is not None
    assert iris.name == "La Flamiche"
    assert iris.median_income_eur == 15260


@pytest.fixture
def broken_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "bondy"
    shutil.copytree(SAMPLE_DIR, folder)
    return folder


def test_bad_results_file_keeps_nothing(db_session: Session, broken_folder: Path) -> None:
    results = broken_folder / "elections_pres2022_t1_bv_bondy.csv"
    lines = results.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace(",93010_3,", ",93010_X,")
    results.write_text("\n".join(lines) + "\n", encoding="utf-8")

    with pytest.raises(DataFileError) as caught:
        import_territory(db_session, broken_folder)
    db_session.rollback()

    assert caught.value.file_name == "elections_pres2022_t1_bv_bondy.csv"
    assert caught.value.line == 4
    assert caught.value.column == "id_bv"
    assert caught.value.problem == Problem.MALFORMED_CODE
    assert count(db_session, Iris) == 0
    assert count(db_session, Address) == 0
