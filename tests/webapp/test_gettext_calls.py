"""Every translatable string is a literal Babel can extract."""

import ast
from pathlib import Path

WEBAPP = Path(__file__).resolve().parents[2] / "webapp"
GETTEXT_NAMES = {"_", "gettext", "ngettext", "lazy_gettext", "pgettext", "npgettext", "_l"}


def calls_inside_fstrings(path: Path) -> list[str]:
    """List gettext calls written inside f-strings, which Babel's extractor skips."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.JoinedStr):
            continue
        for inner in ast.walk(node):
            if (
                isinstance(inner, ast.Call)
                and isinstance(inner.func, ast.Name)
                and inner.func.id in GETTEXT_NAMES
            ):
                found.append(f"{path.relative_to(WEBAPP.parent)}:{inner.lineno}")
    return found


def test_no_gettext_inside_fstrings() -> None:
    offending = [
        hit for path in sorted(WEBAPP.rglob("*.py")) for hit in calls_inside_fstrings(path)
    ]

    assert offending == []
