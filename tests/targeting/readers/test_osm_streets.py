from pathlib import Path
from typing import Any

import pytest

from targeting.errors import DataFileError, Problem
from targeting.readers import StreetWayRecord, is_walkable, read_osm_streets
from tests.targeting.conftest import WriteFile
from tests.targeting.geojson_helpers import collection, feature, square

LINE = {"type": "LineString", "coordinates": [[2.48, 48.90], [2.49, 48.91]]}


def _way(osm_id: str, geometry: dict[str, Any] = LINE, **tags: str) -> dict[str, Any]:
    return feature({"@id": osm_id, **tags}, geometry)


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"highway": "residential"}, True),
        ({"highway": "footway"}, True),
        ({"highway": "steps"}, True),
        ({"highway": "trunk"}, True),
        ({"highway": "trunk", "foot": "no"}, False),
        ({"highway": "trunk_link", "foot": "no"}, False),
        ({"highway": "motorway"}, False),
        ({"highway": "motorway_link"}, False),
        ({"highway": "motorway", "foot": "yes"}, False),
        ({"highway": "cycleway", "foot": "no"}, False),
        ({"highway": "service", "access": "private"}, False),
        ({"highway": "service", "access": "no"}, False),
        ({"highway": "service", "access": "private", "foot": "yes"}, True),
        ({"highway": "footway", "access": "no", "foot": "designated"}, True),
        ({"highway": "service", "access": "destination"}, True),
        ({"highway": "construction"}, False),
        ({"highway": "proposed"}, False),
        ({"building": "yes"}, False),
    ],
)
def test_is_walkable(tags: dict[str, str], expected: bool) -> None:
    assert is_walkable(tags) is expected


def test_bondy_streets(bondy_dir: Path) -> None:
    records = read_osm_streets(bondy_dir / "osm_highways_bondy_2023-07-27.geojson")

    assert len(records) == 1_350
    assert not {record.highway for record in records} & {"motorway", "motorway_link"}
    assert sum(record.highway == "footway" for record in records) > 300
    assert all(len(record.coordinates) >= 2 for record in records)
    assert all(record.osm_id.startswith("way/") for record in records)


def test_features_kept_and_dropped(write_file: WriteFile) -> None:
    multi = {"type": "MultiLineString", "coordinates": [[[0, 0], [1, 0]], [[2, 0], [2, 1]]]}
    point = {"type": "Point", "coordinates": [2.48, 48.9]}
    path = write_file(
        "osm.geojson",
        collection(
            _way("way/1", highway="residential", name="Rue de la Paix"),
            _way("way/2", highway="motorway", name="A3"),
            _way("node/3", point, highway="crossing"),
            _way("relation/4", multi, highway="footway"),
            _way("way/5", square(2.48, 48.9, 0.001), highway="pedestrian"),
            _way("way/6", highway="service", access="private"),
            _way("way/7", building="yes"),
        ),
    )

    records = read_osm_streets(path)

    assert records == [
        StreetWayRecord("way/1", "Rue de la Paix", "residential", ((2.48, 48.9), (2.49, 48.91))),
        StreetWayRecord("relation/4", None, "footway", ((0.0, 0.0), (1.0, 0.0))),
        StreetWayRecord("relation/4", None, "footway", ((2.0, 0.0), (2.0, 1.0))),
    ]


def test_missing_osm_id(write_file: WriteFile) -> None:
    path = write_file("osm.geojson", collection(feature({"highway": "residential"}, LINE)))

    with pytest.raises(DataFileError) as caught:
        read_osm_streets(path)

    error = caught.value
    assert (error.file_name, error.line, error.column) == ("osm.geojson", 1, "@id")
    assert error.problem == Problem.MISSING_COLUMN


def test_malformed_osm_id(write_file: WriteFile) -> None:
    path = write_file(
        "osm.geojson", collection(_way("way/1", highway="path"), _way("4035627", highway="path"))
    )

    with pytest.raises(DataFileError) as caught:
        read_osm_streets(path)

    error = caught.value
    assert (error.line, error.column, error.problem) == (2, "@id", Problem.MALFORMED_CODE)


def test_line_out_of_range(write_file: WriteFile) -> None:
    far = {"type": "LineString", "coordinates": [[2.48, 48.9], [200.0, 48.9]]}
    path = write_file("osm.geojson", collection(_way("way/1", far, highway="path")))

    with pytest.raises(DataFileError) as caught:
        read_osm_streets(path)

    error = caught.value
    assert (error.line, error.column, error.problem) == (
        1,
        "geometry",
        Problem.MALFORMED_COORDINATE,
    )
