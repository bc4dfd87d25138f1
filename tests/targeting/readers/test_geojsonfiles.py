from pathlib import Path

import pytest

from targeting.errors import DataFileError, Problem
from targeting.readers.geojsonfiles import area_geometry, line_parts, read_features
from tests.targeting.conftest import WriteFile
from tests.targeting.geojson_helpers import collection, feature, square

BOWTIE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}


def _error(path: Path) -> DataFileError:
    with pytest.raises(DataFileError) as caught:
        for item in read_features(path):
            area_geometry(item)
    return caught.value


def test_features_numbered_from_one(write_file: WriteFile) -> None:
    path = write_file("z.geojson", collection(feature({"a": 1}, None), feature({}, square(0, 0))))

    features = read_features(path)

    assert [item.fields.line for item in features] == [1, 2]
    assert features[0].fields.values == {"a": 1}
    assert features[1].geometry == square(0, 0)


def test_area_geometry_returned(write_file: WriteFile) -> None:
    path = write_file("z.geojson", collection(feature({}, square(2.0, 48.0, 0.5))))

    geometry = area_geometry(read_features(path)[0])

    assert geometry["type"] == "Polygon"
    assert geometry["coordinates"][0][2] == (2.5, 48.5)


def test_self_intersecting_polygon(write_file: WriteFile) -> None:
    path = write_file("z.geojson", collection(feature({}, square(0, 0)), feature({}, BOWTIE)))

    error = _error(path)

    assert (error.file_name, error.line, error.column) == ("z.geojson", 2, "geometry")
    assert error.problem == Problem.MALFORMED_GEOMETRY
    assert error.value is not None and error.value.startswith("Self-intersection")


def test_point_is_not_an_area(write_file: WriteFile) -> None:
    point = {"type": "Point", "coordinates": [2.4, 48.9]}
    path = write_file("z.geojson", collection(feature({}, point)))

    error = _error(path)

    assert (error.line, error.column, error.value) == (1, "geometry", "Point")
    assert error.problem == Problem.MALFORMED_GEOMETRY


def test_missing_geometry(write_file: WriteFile) -> None:
    path = write_file("z.geojson", collection(feature({}, None)))

    error = _error(path)

    assert (error.line, error.problem) == (1, Problem.MALFORMED_GEOMETRY)


def test_broken_polygon_structure(write_file: WriteFile) -> None:
    broken = {"type": "Polygon", "coordinates": [[["a", 0], [1, 0], [1, 1], ["a", 0]]]}
    path = write_file("z.geojson", collection(feature({}, broken)))

    error = _error(path)

    assert (error.line, error.column, error.problem) == (1, "geometry", Problem.MALFORMED_GEOMETRY)


def test_projected_coordinates_rejected(write_file: WriteFile) -> None:
    # Lambert-93 metres where degrees are expected.
    path = write_file("z.geojson", collection(feature({}, square(662524.1, 6866064.08, 200))))

    error = _error(path)

    assert (error.line, error.column) == (1, "geometry")
    assert error.problem == Problem.MALFORMED_COORDINATE
    assert error.value == "662524.1, 6866064.08"


def test_invalid_json_line(write_file: WriteFile) -> None:
    path = write_file("z.geojson", '{"type": "FeatureCollection",\n"features": [\n{"type": }\n]}')

    error = _error(path)

    assert (error.file_name, error.line, error.problem) == (
        "z.geojson",
        3,
        Problem.MALFORMED_GEOMETRY,
    )


def test_latin1_geojson(write_file: WriteFile) -> None:
    text = collection(feature({"name": "Bondy"}, None), feature({"name": "Château"}, None))
    path = write_file("z.geojson", text, encoding="latin-1")

    error = _error(path)

    assert (error.line, error.problem, error.value) == (3, Problem.ENCODING, "\\xe2")


def test_not_a_feature_collection(write_file: WriteFile) -> None:
    path = write_file("z.geojson", '{"type": "Feature", "properties": {}, "geometry": null}')

    error = _error(path)

    assert (error.line, error.column, error.problem) == (None, "type", Problem.MALFORMED_GEOMETRY)


def test_item_not_a_feature(write_file: WriteFile) -> None:
    path = write_file("z.geojson", collection(feature({}, None), {"type": "Point"}))

    error = _error(path)

    assert (error.line, error.column, error.problem) == (2, "type", Problem.MALFORMED_GEOMETRY)


@pytest.mark.parametrize("text", ["", '{"type": "FeatureCollection", "features": []}'])
def test_empty_geojson(write_file: WriteFile, text: str) -> None:
    path = write_file("z.geojson", text)

    error = _error(path)

    assert (error.file_name, error.problem) == ("z.geojson", Problem.EMPTY_FILE)


def test_line_parts_of_multilinestring(write_file: WriteFile) -> None:
    lines = {"type": "MultiLineString", "coordinates": [[[0, 0], [1, 0]], [[2, 0], [2, 1], [3, 1]]]}
    path = write_file("z.geojson", collection(feature({}, lines)))

    parts = line_parts(read_features(path)[0])

    assert parts == [((0.0, 0.0), (1.0, 0.0)), ((2.0, 0.0), (2.0, 1.0), (3.0, 1.0))]


def test_line_of_one_position(write_file: WriteFile) -> None:
    line = {"type": "LineString", "coordinates": [[0, 0]]}
    path = write_file("z.geojson", collection(feature({}, line)))

    with pytest.raises(DataFileError) as caught:
        line_parts(read_features(path)[0])

    assert (caught.value.line, caught.value.problem) == (1, Problem.MALFORMED_GEOMETRY)
