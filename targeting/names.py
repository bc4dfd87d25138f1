"""Comparison of names written with or without accents, in any case."""

import re
import unicodedata

_SEPARATORS_RE = re.compile(r"[\W_]+")


def fold_name(name: str) -> str:
    """Reduce a name to lower-case words without accents, for comparison only.

    Runs of spaces, underscores, hyphens and other punctuation become one space, so
    ``LE_PEN``, ``Le Pen`` and ``le-pen`` fold alike, as do ``MÉLENCHON`` and ``Melenchon``.
    """
    decomposed = unicodedata.normalize("NFKD", name)
    without_accents = "".join(char for char in decomposed if not unicodedata.combining(char))
    words = _SEPARATORS_RE.split(without_accents.casefold())
    return " ".join(word for word in words if word)
