"""Lists of people's names in a sentence, in the current locale."""

from collections import Counter
from collections.abc import Sequence

from babel.lists import format_list
from flask_babel import get_locale


def name_list(names: Sequence[str]) -> str:
    """Join names as the current locale writes a list: "Léa et Hugo", "Léa, Hugo, and Ana"."""
    return format_list(list(names), locale=get_locale() or "fr")


def distinct_first_names(people: Sequence[tuple[str, str]]) -> list[str]:
    """Return each person's first name, with enough of the last name to tell two apart.

    `people` are (first name, last name) pairs of one team, in the order to keep. A first
    name that another person of the list shares gets the last name's initial ("Inès E."),
    or the whole last name when the initials match too. Nothing else of the person shows.
    """
    first_counts = Counter(first for first, _last in people)
    initial_counts = Counter((first, last[:1]) for first, last in people)
    names = []
    for first, last in people:
        if first_counts[first] == 1 or not last:
            names.append(first)
        elif initial_counts[(first, last[:1])] == 1:
            names.append(f"{first} {last[:1]}.")
        else:
            names.append(f"{first} {last}")
    return names
