"""Recognise SMS replies that ask to stop receiving messages."""

import unicodedata

# Compared after removing accents, case, surrounding punctuation and extra spaces.
STOP_KEYWORDS = frozenset(
    {
        "stop",
        "stop sms",
        "stopall",
        "arret",
        "desabonner",
        "desinscrire",
        "unsubscribe",
        "quit",
        "cancel",
        "end",
    }
)


def is_stop_keyword(text: str) -> bool:
    """Tell whether a reply is only a stop keyword, ignoring case, accents and punctuation."""
    return _normalise(text) in STOP_KEYWORDS


def _normalise(text: str) -> str:
    """Fold case and accents, trim punctuation and spaces, and collapse inner spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    start, end = 0, len(bare)
    while start < end and _is_trimmable(bare[start]):
        start += 1
    while end > start and _is_trimmable(bare[end - 1]):
        end -= 1
    return " ".join(bare[start:end].split())


def _is_trimmable(char: str) -> bool:
    return char.isspace() or unicodedata.category(char).startswith("P")
