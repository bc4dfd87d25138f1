"""Read back the modules of the QR codes that segno draws as one SVG path."""

import re

VIEW_BOX = re.compile(r'viewBox="0 0 (\d+) (\d+)"')
PATH = re.compile(r'<path[^>]*\sd="([^"]+)"')
TOKEN = re.compile(r"[MmHhVv]|-?\d+(?:\.\d+)?")
BORDER = 4


def qr_modules(svg: str) -> list[bytes]:
    """Return the rows of dark (1) and light (0) modules, without the quiet zone."""
    size_match = VIEW_BOX.search(svg)
    path_match = PATH.search(svg)
    assert size_match is not None and path_match is not None, svg[:200]
    size = int(size_match.group(1)) - 2 * BORDER
    rows = [bytearray(size) for _ in range(size)]
    x = y = 0.0
    tokens = TOKEN.findall(path_match.group(1))
    index = 0
    while index < len(tokens):
        command = tokens[index]
        if command in "Mm":
            dx, dy = float(tokens[index + 1]), float(tokens[index + 2])
            x, y = (dx, dy) if command == "M" else (x + dx, y + dy)
            index += 3
        elif command == "h":
            length = float(tokens[index + 1])
            for column in range(round(x), round(x + length)):
                rows[int(y) - BORDER][column - BORDER] = 1
            x += length
            index += 2
        else:
            raise AssertionError(f"unexpected path command {command!r}")
    return [bytes(row) for row in rows]
