"""The pure packages import neither the web app, Flask nor the database."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "targeting": ("webapp", "flask", "flask_babel", "sqlalchemy", "routing", "messaging"),
    "routing": ("webapp", "flask", "flask_babel", "sqlalchemy", "messaging"),
    "messaging": ("webapp", "flask", "flask_babel", "sqlalchemy", "routing", "targeting"),
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_pure_package_imports(package: str) -> None:
    offending = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for name in imported_modules(path):
            if name.split(".")[0] in FORBIDDEN[package]:
                offending.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offending == []


def test_ortools_imported_in_one_module() -> None:
    importers = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "routing").rglob("*.py"))
        if any(name.split(".")[0] == "ortools" for name in imported_modules(path))
    ]
    assert importers == ["routing/ortools_api.py"]
