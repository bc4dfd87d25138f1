"""Reading the e-mails the outbox sender wrote, and the links inside them."""

import json
import re
from pathlib import Path
from typing import Any

_LINK_RE = re.compile(r"https?://[^/\s]+(/\S+)")


def read_outbox(path: Path) -> list[dict[str, Any]]:
    """Return every message of the outbox file, oldest first; none when it does not exist."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def emails_to(path: Path, address: str) -> list[dict[str, Any]]:
    return [m for m in read_outbox(path) if m["channel"] == "email" and m["to"] == address]


def link_path(message: dict[str, Any], prefix: str) -> str:
    """Return the path of the one link in `message` that starts with `prefix`."""
    paths = [p for p in _LINK_RE.findall(message["body"]) if p.startswith(prefix)]
    assert len(paths) == 1, f"{len(paths)} links starting with {prefix!r}"
    return str(paths[0])
