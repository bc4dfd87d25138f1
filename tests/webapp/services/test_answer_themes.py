"""The keyword list that tags the questionnaire's open answers with themes."""

import pytest

from webapp.services.answer_themes import THEME_KEYWORDS, THEME_LABELS, tag_themes


@pytest.mark.parametrize(
    ("text", "themes"),
    [
        ("Les LOYERS sont trop chers", ["housing", "cost_of_living"]),
        ("L’insalubrité des HLM", ["housing"]),
        ("Les Hôpitaux et les ÉCOLES", ["schools", "health"]),
        ("Les dépôts sauvages, la saleté", ["cleanliness"]),
        ("Les espaces verts du quartier", ["environment"]),
        ("Le pouvoir d'achat", ["cost_of_living"]),
        ("Le pouvoir d’achat", ["cost_of_living"]),
        ("La sécurité le soir, les cambriolages", ["safety"]),
        ("Le RER B et les bus", ["transport"]),
        ("La Poste du quartier a fermé", ["public_services"]),
        ("Trouver un emploi pour mes enfants", ["jobs"]),
        ("Les crèches et le périscolaire", ["schools"]),
    ],
)
def test_themes_found(text: str, themes: list[str]) -> None:
    assert tag_themes(text) == themes


@pytest.mark.parametrize(
    "text",
    [
        # « cher » is a whole word: « cherche » is not about prices.
        "Je cherche quelqu’un à qui parler",
        # « parc » is a whole word: « parce » and « parcours » are not parks.
        "Parce que le parcours est long",
        # A stem matches at the start of a word only.
        "Un abus de pouvoir",
        "",
        "Rien de particulier",
    ],
)
def test_no_theme_found(text: str) -> None:
    assert tag_themes(text) == []


def test_every_theme_has_a_label_and_folded_keywords() -> None:
    assert set(THEME_LABELS) == set(THEME_KEYWORDS)
    for keywords in THEME_KEYWORDS.values():
        for keyword in keywords:
            assert keyword == keyword.lower(), keyword
            assert keyword.isascii(), keyword
