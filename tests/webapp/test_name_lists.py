"""Team members shown by first name, distinguished by their last names where needed."""

import pytest

from webapp.name_lists import distinct_first_names


@pytest.mark.parametrize(
    ("people", "expected"),
    [
        ([], []),
        ([("Léa", "Martin"), ("Hugo", "Durand")], ["Léa", "Hugo"]),
        ([("Inès", "Exemple"), ("Inès", "Modèle")], ["Inès E.", "Inès M."]),
        # Same initial too: the whole last name.
        (
            [("Inès", "Exemple"), ("Inès", "Essai"), ("Paul", "Essai")],
            ["Inès Exemple", "Inès Essai", "Paul"],
        ),
        # Only the names shared get more.
        (
            [("Inès", "Exemple"), ("Paul", "Brouillon"), ("Inès", "Modèle")],
            ["Inès E.", "Paul", "Inès M."],
        ),
        # Without a last name, the first name is all there is.
        ([("Inès", ""), ("Inès", "Modèle")], ["Inès", "Inès M."]),
    ],
)
def test_distinct_first_names(people: list[tuple[str, str]], expected: list[str]) -> None:
    assert distinct_first_names(people) == expected
