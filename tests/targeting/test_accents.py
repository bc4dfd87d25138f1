"""Accents put back on French place names written without any."""

import pytest

from targeting.accents import restore_accents


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Allee des Bleuets", "Allée des Bleuets"),
        ("Le Parc du Chateau", "Le Parc du Château"),
        ("Chemin de la Mare a la Veuve Prolongee", "Chemin de la Mare à la Veuve Prolongée"),
        ("Av Genevieve Anthonioz de Gaulle", "Av Geneviève Anthonioz de Gaulle"),
        ("Rue Saint-Etienne", "Rue Saint-Étienne"),
        ("ALLEE DES CAMELIAS", "ALLÉE DES CAMÉLIAS"),
        ("Allee de l’Esperanto", "Allée de l’Esperanto"),
        # A word outside the table keeps its spelling.
        ("Rue Fremin", "Rue Fremin"),
        ("Rue Leonard de Vinci", "Rue Leonard de Vinci"),
        # « a » becomes « à » only as a word between two others.
        ("a la Gare", "a la Gare"),
        ("Impasse A", "Impasse A"),
        # A name with any accent is left as its source wrote it.
        ("Allée Eugene Delacroix", "Allée Eugene Delacroix"),
        ("La Mare à la Veuve", "La Mare à la Veuve"),
        ("", ""),
    ],
)
def test_restore_accents(name: str, expected: str) -> None:
    assert restore_accents(name) == expected
