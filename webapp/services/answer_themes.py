"""Themes of the questionnaire's open answers, found by a French keyword list.

The list is short and kept in this one place, and the coordinators' page of answers
prints it, so that anyone can see why an answer got a theme. Matching runs on text
folded by `fold_name` (lower case, no accents, any punctuation or apostrophe a space),
one whole word at a time:

- a keyword ending in ``*`` is a stem and matches every word starting with it:
  ``insalubr*`` matches « insalubre » and « Insalubrité »;
- any other word matches itself and its plural in -s or -x: ``loyer`` matches « loyers ».
  A word with another plural (« hôpital », « hôpitaux ») is written as a stem (``hopita*``);
- a keyword of several words matches them in a row: ``espace vert`` matches « espaces verts ».

Keywords are written folded (no accents). An answer can get several themes, or none.
"""

import re
from collections.abc import Mapping

from flask_babel import lazy_gettext
from flask_babel.speaklater import LazyString

from targeting.names import fold_name

# Theme key -> keywords. The keys are stored in `SurveyResponse.themes`, so renaming one
# orphans the answers already tagged with it.
THEME_KEYWORDS: Mapping[str, tuple[str, ...]] = {
    "housing": (
        "logement*",
        "loger",
        "loyer",
        "hlm",
        "bailleur",
        "insalubr*",
        "appartement",
        "expulsion",
    ),
    "transport": (
        "transport*",
        "bus",
        "metro",
        "tram*",
        "rer",
        "velo",
        "circulation",
        "stationnement",
        "parking",
    ),
    "safety": (
        "securite",
        "insecurite",
        "delinquan*",
        "police*",
        "policier*",
        "agression",
        "cambriol*",
        "incivilit*",
        "deal",
        "dealer",
    ),
    "cleanliness": (
        "proprete",
        "sale",
        "salete",
        "dechet*",
        "ordure*",
        "poubelle",
        "encombrant",
        "depot sauvage",
        "nuisible",
    ),
    "schools": (
        "ecole*",
        "college",
        "lycee",
        "scolaire",
        "periscolaire",
        "creche",
        "enseignant*",
        "cantine",
    ),
    "health": (
        "sante",
        "medecin*",
        "hopita*",
        "urgence",
        "pharmac*",
        "soin",
        "docteur",
    ),
    "jobs": (
        "emploi*",
        "chomage",
        "chomeur*",
        "travail*",
        "boulot",
        "embauche*",
        "stage",
    ),
    "cost_of_living": (
        "pouvoir d achat",
        "prix",
        "cher",
        "chere",
        "inflation",
        "facture",
        "salaire",
        "fin de mois",
    ),
    "environment": (
        "environnement*",
        "ecolog*",
        "climat*",
        "pollution",
        "pollue",
        "arbre",
        "parc",
        "espace vert",
        "bruit",
    ),
    "public_services": (
        "service public",
        "mairie",
        "poste",
        "administration",
        "guichet",
        "caf",
        "prefecture",
        "bibliotheque",
        "mediatheque",
        "piscine",
    ),
}

# Translators: names of the themes found in the answers, shown in a table per IRIS.
THEME_LABELS: Mapping[str, LazyString] = {
    "housing": lazy_gettext("housing"),
    "transport": lazy_gettext("transport"),
    "safety": lazy_gettext("safety"),
    "cleanliness": lazy_gettext("cleanliness"),
    "schools": lazy_gettext("schools"),
    "health": lazy_gettext("health"),
    "jobs": lazy_gettext("jobs"),
    "cost_of_living": lazy_gettext("cost of living"),
    "environment": lazy_gettext("environment"),
    "public_services": lazy_gettext("public services"),
}


def _keyword_pattern(keyword: str) -> str:
    words = []
    for word in keyword.split():
        if word.endswith("*"):
            words.append(re.escape(word[:-1]) + r"\w*")
        else:
            words.append(re.escape(word) + "[sx]?")
    return r"\b" + " ".join(words) + r"\b"


THEME_PATTERNS: Mapping[str, re.Pattern[str]] = {
    theme: re.compile("|".join(_keyword_pattern(keyword) for keyword in keywords))
    for theme, keywords in THEME_KEYWORDS.items()
}


def tag_themes(text: str) -> list[str]:
    """Return the keys of the themes whose keywords occur in `text`, in `THEME_KEYWORDS` order."""
    folded = fold_name(text)
    return [theme for theme, pattern in THEME_PATTERNS.items() if pattern.search(folded)]
