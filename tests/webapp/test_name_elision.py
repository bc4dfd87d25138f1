"""French elision of « de » and « que » before a person's name."""

import pytest
from flask import Flask
from flask_babel import force_locale

from webapp.name_elision import elide_before_name


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        ("Déplacement de Inès Modèle.", "Inès Modèle", "Déplacement d’Inès Modèle."),
        ("De Alix Bernard, rien.", "Alix Bernard", "D’Alix Bernard, rien."),
        ("Il faut que Yves vienne.", "Yves", "Il faut qu’Yves vienne."),
        ("Placement de Œdipe Roi.", "Œdipe Roi", "Placement d’Œdipe Roi."),
        ("Placement de Paul Martin.", "Paul Martin", "Placement de Paul Martin."),
        # Whether an h is mute depends on the name, so it never elides.
        ("Placement de Hélène Roy.", "Hélène Roy", "Placement de Hélène Roy."),
        # Only « de » right before the whole name changes.
        ("Aide Inès et de Inèsa.", "Inès", "Aide Inès et de Inèsa."),
        ("Verrou posé : Inès reste.", "Inès", "Verrou posé : Inès reste."),
    ],
)
def test_elide_before_name_in_french(app: Flask, text: str, name: str, expected: str) -> None:
    with app.test_request_context(), force_locale("fr"):
        assert elide_before_name(text, name) == expected


def test_elide_before_name_leaves_english(app: Flask) -> None:
    with app.test_request_context(), force_locale("en"):
        assert elide_before_name("A note de Inès.", "Inès") == "A note de Inès."
