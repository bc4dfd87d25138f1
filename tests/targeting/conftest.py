"""Fixtures for the targeting tests: the Bondy sample and small files written on demand."""

from collections.abc import Callable
from pathlib import Path

import pytest

from targeting.territory import TerritoryData, read_territory

BONDY_DIR = Path(__file__).resolve().parents[2] / "data" / "samples" / "bondy-93010"

WriteFile = Callable[..., Path]


@pytest.fixture(scope="session")
def bondy_dir() -> Path:
    """Return the folder of the Bondy (93010) open-data sample."""
    return BONDY_DIR


@pytest.fixture(scope="session")
def bondy() -> TerritoryData:
    """Read the Bondy sample once for the whole run."""
    return read_territory(BONDY_DIR)


@pytest.fixture
def write_file(tmp_path: Path) -> WriteFile:
    """Return a function that writes bytes, or text in ``encoding`` (UTF-8), into tmp_path."""

    def write(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        data = content if isinstance(content, bytes) else content.encode(encoding)
        path.write_bytes(data)
        return path

    return write
