"""Count the SMS segments a text needs (GSM 03.38 and UCS-2)."""

from dataclasses import dataclass
from typing import Literal

# GSM 03.38 default alphabet, in code order (0x00-0x7F); 0x1B is the escape to the
# extension table and is not a character of its own.
_GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)
# Characters of the extension table: each is sent as escape + code, two septets.
_GSM_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM7_SINGLE_SEPTETS = 160
GSM7_PART_SEPTETS = 153
UCS2_SINGLE_UNITS = 70
UCS2_PART_UNITS = 67


@dataclass(frozen=True)
class SmsSegments:
    """Encoding, length and segment count of an SMS text.

    `characters` is the length in the encoding's units: septets for GSM-7 (an extension
    character counts 2) and UTF-16 code units for UCS-2 (a character outside the Basic
    Multilingual Plane, such as most emoji, counts 2). An empty text needs 0 segments.
    """

    encoding: Literal["GSM-7", "UCS-2"]
    characters: int
    segments: int


def is_gsm7(text: str) -> bool:
    """Tell whether every character of `text` has a GSM-7 encoding."""
    return all(char in _GSM_BASIC or char in _GSM_EXTENSION for char in text)


def count_sms_segments(text: str) -> SmsSegments:
    """Return the encoding, length in units and segment count of an SMS text."""
    if is_gsm7(text):
        sizes = [2 if char in _GSM_EXTENSION else 1 for char in text]
        return SmsSegments(
            encoding="GSM-7",
            characters=sum(sizes),
            segments=_pack(sizes, GSM7_SINGLE_SEPTETS, GSM7_PART_SEPTETS),
        )
    sizes = [2 if ord(char) > 0xFFFF else 1 for char in text]
    return SmsSegments(
        encoding="UCS-2",
        characters=sum(sizes),
        segments=_pack(sizes, UCS2_SINGLE_UNITS, UCS2_PART_UNITS),
    )


def _pack(sizes: list[int], single_capacity: int, part_capacity: int) -> int:
    """Count the parts needed when no character may be split across two parts."""
    total = sum(sizes)
    if total == 0:
        return 0
    if total <= single_capacity:
        return 1
    # A concatenated message keeps an escape sequence or a surrogate pair whole, so a
    # two-unit character that does not fit at the end of a part starts the next one.
    parts = 1
    used = 0
    for size in sizes:
        if used + size > part_capacity:
            parts += 1
            used = 0
        used += size
    return parts
