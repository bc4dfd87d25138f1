"""Read the text of the PDFs that reportlab writes, with where each piece sits on its page.

Only what reportlab emits is understood: ASCII85, Flate or plain streams, literal strings,
`q`/`Q`/`cm` and the text operators. Strings are Windows-1252, as for its built-in fonts.
"""

import base64
import re
import zlib
from dataclasses import dataclass

STREAM = re.compile(rb"obj\s*<<((?:(?!endobj).)*?)>>\s*stream\r?\n(.*?)\r?\n?endstream", re.S)
TOKEN = re.compile(rb"\((?:\\.|[^\\)])*\)|\[|\]|/[^\s/\[\]()<>]+|[^\s/\[\]()<>]+", re.S)
ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


@dataclass(frozen=True)
class TextPiece:
    """A string shown on a page, at its baseline origin in page points (y grows upwards)."""

    page: int
    x: float
    y: float
    text: str
    # Pieces of one BT…ET block are parts of one line of one paragraph.
    block: int = 0


def page_streams(pdf: bytes) -> list[bytes]:
    """Return the decoded content streams that draw text, in file order."""
    streams = []
    for dictionary, raw in STREAM.findall(pdf):
        data = raw
        if b"/ASCII85Decode" in dictionary:
            data = base64.a85decode(data.strip().removesuffix(b"~>"))
        if b"/FlateDecode" in dictionary:
            data = zlib.decompress(data)
        if b"BT" in data:
            streams.append(data)
    return streams


def text_pieces(pdf: bytes) -> list[TextPiece]:
    """Return every string drawn, page by page, in drawing order."""
    pieces: list[TextPiece] = []
    for page, stream in enumerate(page_streams(pdf), start=1):
        pieces.extend(_run(page, stream))
    return pieces


def text_lines(pdf: bytes) -> list[str]:
    """Return the text as lines: pieces on one baseline of one page joined left to right."""
    lines: dict[tuple[int, float], list[TextPiece]] = {}
    for piece in text_pieces(pdf):
        lines.setdefault((piece.page, round(piece.y, 1)), []).append(piece)
    ordered = sorted(lines.items(), key=lambda item: (item[0][0], -item[0][1]))
    return [_join(sorted(row, key=lambda p: p.x)) for _key, row in ordered]


def _join(row: list[TextPiece]) -> str:
    """Join pieces of one block as they are, and separate blocks by a space."""
    text = ""
    for index, piece in enumerate(row):
        if index and piece.block != row[index - 1].block:
            text += " "
        text += piece.text
    return " ".join(text.split())


def _run(page: int, stream: bytes) -> list[TextPiece]:
    pieces = []
    block = 0
    stack: list[Matrix] = []
    ctm = IDENTITY
    line = IDENTITY
    text = IDENTITY
    leading = 0.0
    operands: list[bytes] = []
    for token in TOKEN.findall(stream):
        if token.startswith((b"(", b"/", b"[", b"]")) or _is_number(token):
            operands.append(token)
            continue
        numbers = [float(t) for t in operands if _is_number(t)]
        if token == b"q":
            stack.append(ctm)
        elif token == b"Q":
            ctm = stack.pop()
        elif token == b"cm":
            ctm = _multiply(_matrix(numbers[-6:]), ctm)
        elif token == b"BT":
            line = text = IDENTITY
            block += 1
        elif token == b"Tm":
            line = text = _matrix(numbers[-6:])
        elif token in (b"Td", b"TD"):
            line = text = _multiply((1, 0, 0, 1, numbers[-2], numbers[-1]), line)
        elif token == b"TL":
            leading = numbers[-1]
        elif token == b"T*":
            line = text = _multiply((1, 0, 0, 1, 0, -leading), line)
        elif token in (b"Tj", b"TJ"):
            shown = "".join(_decode(t) for t in operands if t.startswith(b"("))
            x, y = _apply(_multiply(text, ctm), 0.0, 0.0)
            pieces.append(TextPiece(page, x, y, shown, block))
            # Pieces on one line are told apart by x, so the next one starts a little right.
            text = _multiply((1, 0, 0, 1, 0.01 * len(shown), 0), text)
        operands = []
    return pieces


def _decode(literal: bytes) -> str:
    body = literal[1:-1]
    out = bytearray()
    index = 0
    while index < len(body):
        char = body[index : index + 1]
        if char != b"\\":
            out += char
            index += 1
            continue
        following = body[index + 1 : index + 2]
        octal = re.match(rb"[0-7]{1,3}", body[index + 1 : index + 4])
        if octal:
            out.append(int(octal.group(), 8))
            index += 1 + len(octal.group())
        else:
            out += ESCAPES.get(following, following)
            index += 2
    return out.decode("cp1252")


def _is_number(token: bytes) -> bool:
    return re.fullmatch(rb"[+-]?(\d+\.?\d*|\.\d+)", token) is not None


def _matrix(numbers: list[float]) -> Matrix:
    a, b, c, d, e, f = numbers
    return (a, b, c, d, e, f)


def _multiply(first: Matrix, second: Matrix) -> Matrix:
    """Return `first` then `second`, in PDF's row-vector convention."""
    a1, b1, c1, d1, e1, f1 = first
    a2, b2, c2, d2, e2, f2 = second
    return (
        a1 * a2 + b1 * c2,
        a1 * b2 + b1 * d2,
        c1 * a2 + d1 * c2,
        c1 * b2 + d1 * d2,
        e1 * a2 + f1 * c2 + e2,
        e1 * b2 + f1 * d2 + f2,
    )


def _apply(matrix: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = matrix
    return (a * x + c * y + e, b * x + d * y + f)
