"""Filters shared by the planning forms' fields."""

from typing import Any


def strip(value: Any) -> Any:
    """Drop the spaces around a typed value; leave anything else as it is."""
    return value.strip() if isinstance(value, str) else value
