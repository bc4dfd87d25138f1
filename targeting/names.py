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


_DOUBLE_ENCODING_MARKERS = ("Ã", "â€", "Â")


def repair_double_encoding(text: str) -> str:
    """Undo UTF-8 text that was decoded once as Windows-1252 (``AllÃ©e`` → ``Allée``).

    Some BAN extracts carry such street names. Text without the telltale sequences, or
    that does not round-trip, is returned unchanged.
    """
    if not any(marker in text for marker in _DOUBLE_ENCODING_MARKERS):
        return text
    try:
        return text.encode("cp1252").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text
