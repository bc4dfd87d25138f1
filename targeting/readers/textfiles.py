"""Text decoding shared by the CSV and GeoJSON readers."""

import codecs
from pathlib import Path

from targeting.errors import DataFileError, Problem


def decode_utf8(path: Path) -> str:
    """Return the text of ``path`` decoded as UTF-8, a leading byte order mark removed.

    Raises DataFileError(MISSING_FILE) if there is no such file and
    DataFileError(ENCODING) with the physical line of the first invalid byte.
    """
    if not path.is_file():
        raise DataFileError(path.name, Problem.MISSING_FILE)
    data = path.read_bytes()
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        invalid = data[error.start : error.end]
        raise DataFileError(
            path.name, Problem.ENCODING, line=line, value=repr(invalid)[2:-1]
        ) from error
