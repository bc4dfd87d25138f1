"""Number formats of the pages that Flask-Babel has no shortcut for."""

from babel.numbers import format_percent
from flask_babel import get_locale


def format_rate(value: float) -> str:
    """Format a ratio as a percentage with one decimal, in the request's locale."""
    locale = get_locale()
    # The locale's own pattern ("#,##0 %" in French) with one decimal added.
    pattern = locale.percent_formats[None].pattern if locale else "#,##0%"
    return format_percent(value, format=pattern.replace("0", "0.0", 1), locale=locale)
