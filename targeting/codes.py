"""Official French codes: commune (INSEE COG), IRIS and polling station.

Codes stay strings everywhere: parsing ``01053`` as an integer loses the leading zero and
turns Corsica's ``2A004`` into an error.
"""

import re

# Metropolitan departments 01-95 except 20 (split into 2A and 2B in 1976), Corsica, then
# the overseas departments 971-976, each followed by the commune's own digits.
_COMMUNE = r"(?:0[1-9]|1\d|[3-8]\d|9[0-5]|2[1-9]|2[AB])\d{3}|97[1-6]\d{2}"
_COMMUNE_RE = re.compile(rf"(?:{_COMMUNE})", re.ASCII)
_IRIS_RE = re.compile(rf"(?:{_COMMUNE})\d{{4}}", re.ASCII)
_STATION_RE = re.compile(rf"(?P<commune>{_COMMUNE})_(?P<number>\d{{1,4}})", re.ASCII)
_POSTCODE_RE = re.compile(r"\d{5}", re.ASCII)


def is_commune_code(text: str) -> bool:
    """Tell whether ``text`` is a well-formed INSEE commune code such as ``01053`` or ``2A004``."""
    return _COMMUNE_RE.fullmatch(text) is not None


def is_iris_code(text: str) -> bool:
    """Tell whether ``text`` is a commune code followed by the 4 digits of an IRIS."""
    return _IRIS_RE.fullmatch(text) is not None


def is_postcode(text: str) -> bool:
    """Tell whether ``text`` is a 5-digit French postcode."""
    return _POSTCODE_RE.fullmatch(text) is not None


def parse_station_id(text: str) -> tuple[str, int] | None:
    """Split a polling station id such as ``93010_1`` into commune code and number.

    Returns None when ``text`` is not of the form ``<commune code>_<1 to 4 digits>``.
    """
    match = _STATION_RE.fullmatch(text)
    if match is None:
        return None
    return match["commune"], int(match["number"])


def format_station_id(commune_code: str, number: int) -> str:
    """Build the polling station id used across the open-data files, such as ``93010_1``."""
    return f"{commune_code}_{number}"
