import pytest

from targeting.codes import (
    format_station_id,
    is_commune_code,
    is_iris_code,
    is_postcode,
    parse_station_id,
)


@pytest.mark.parametrize(
    "code", ["01053", "93010", "2A004", "2B033", "95018", "21231", "97411", "97611", "97101"]
)
def test_commune_code_valid(code: str) -> None:
    assert is_commune_code(code)


@pytest.mark.parametrize(
    "code",
    [
        "1053",  # leading zero lost
        "20004",  # department 20 no longer exists
        "00001",
        "96001",
        "97701",
        "98735",
        "2C004",
        "2a004",
        "930100",
        "93010 ",
        "930\uff110",  # a full-width digit, which a Unicode \d would accept
        "",
    ],
)
def test_commune_code_invalid(code: str) -> None:
    assert not is_commune_code(code)


@pytest.mark.parametrize("code", ["930100101", "010530000", "2A0040101", "974110102"])
def test_iris_code_valid(code: str) -> None:
    assert is_iris_code(code)


@pytest.mark.parametrize("code", ["9301A0101", "93010010", "9301001010", "10530101", "93010"])
def test_iris_code_invalid(code: str) -> None:
    assert not is_iris_code(code)


def test_postcode() -> None:
    assert is_postcode("93140")
    assert is_postcode("01000")
    assert not is_postcode("9314")
    assert not is_postcode("93140.0")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("93010_1", ("93010", 1)),
        ("93010_32", ("93010", 32)),
        ("93010_0001", ("93010", 1)),
        ("2A004_12", ("2A004", 12)),
        ("01053_3", ("01053", 3)),
    ],
)
def test_station_id_parsed(text: str, expected: tuple[str, int]) -> None:
    assert parse_station_id(text) == expected


@pytest.mark.parametrize("text", ["93010-1", "93010_", "1053_1", "93010_1a", "93010_12345", "_1"])
def test_station_id_rejected(text: str) -> None:
    assert parse_station_id(text) is None


def test_station_id_formatted() -> None:
    assert format_station_id("01053", 7) == "01053_7"
