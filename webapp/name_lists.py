"""Lists of people's names in a sentence, in the current locale."""

from collections.abc import Sequence

from babel.lists import format_list
from flask_babel import get_locale


def name_list(names: Sequence[str]) -> str:
    """Join names as the current locale writes a list: "Léa et Hugo", "Léa, Hugo, and Ana"."""
    return format_list(list(names), locale=get_locale() or "fr")
