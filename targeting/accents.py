"""Accents put back on the common words of French place names written without any.

Some open data files drop every accent ("Allee des Bleuets", "Le Parc du Chateau"), and
the street network does not always spell the name either. A name with no accent at all
gets back those of the words below, which French always writes with them; a name with
any accent is left as its source wrote it.

NOTE: the table holds common words of street and district names and frequent first
names only; any other word keeps its plain spelling.
"""

import re
import unicodedata

_WORDS = {
    "allee": "allée",
    "allees": "allées",
    "anemones": "anémones",
    "azalees": "azalées",
    "camelias": "camélias",
    "chateau": "château",
    "cite": "cité",
    "deviniere": "devinière",
    "ecole": "école",
    "ecoles": "écoles",
    "eglise": "église",
    "egalite": "égalité",
    "erables": "érables",
    "fleches": "flèches",
    "foret": "forêt",
    "fougeres": "fougères",
    "fraternite": "fraternité",
    "frenes": "frênes",
    "general": "général",
    "glaieuls": "glaïeuls",
    "hopital": "hôpital",
    "hotel": "hôtel",
    "jardiniere": "jardinière",
    "liberte": "liberté",
    "marechal": "maréchal",
    "orchidees": "orchidées",
    "paquerettes": "pâquerettes",
    "pensees": "pensées",
    "primeveres": "primevères",
    "prolongee": "prolongée",
    "republique": "république",
    "residence": "résidence",
    # First names.
    "andre": "andré",
    "celestin": "célestin",
    "clement": "clément",
    "edouard": "édouard",
    "emile": "émile",
    "eric": "éric",
    "etienne": "étienne",
    "eugene": "eugène",
    "francois": "françois",
    "frederic": "frédéric",
    "genevieve": "geneviève",
    "gerard": "gérard",
    "helene": "hélène",
    "jerome": "jérôme",
    "leon": "léon",
    "leopold": "léopold",
    "rene": "rené",
    "therese": "thérèse",
}

_WORD_RE = re.compile(r"[A-Za-z]+")


def restore_accents(name: str) -> str:
    """Return `name` with the accents of its common words, when it has no accent at all.

    A word keeps its case: « Allee » becomes « Allée », « ALLEE » becomes « ALLÉE ». A
    lone « a » between two words becomes « à », as in « Chemin de la Mare a la Veuve ».
    """
    if any(unicodedata.combining(char) for char in unicodedata.normalize("NFD", name)):
        return name
    return _WORD_RE.sub(lambda match: _accented(match, name), name)


def _accented(match: re.Match[str], name: str) -> str:
    word = match.group()
    if word == "a":
        is_inside = match.start() > 0 and match.end() < len(name)
        return "à" if is_inside and name[match.start() - 1] == name[match.end()] == " " else word
    accented = _WORDS.get(word.lower())
    if accented is None:
        return word
    if word.isupper() and len(word) > 1:
        return accented.upper()
    if word[0].isupper():
        return accented[0].upper() + accented[1:]
    return accented
