"""Both catalogues are complete: every string of the code has a French and an English entry."""

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from webapp.cli.i18n import PROJECT_DIR, TRANSLATIONS_DIR, untranslated


def catalogue_ids(path: Path) -> set[str]:
    with path.open("rb") as po_file:
        catalog = read_po(po_file)
    return {str(message.id) for message in catalog if message.id and not message.context}


@pytest.fixture(scope="module")
def source_ids(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    template = tmp_path_factory.mktemp("i18n") / "messages.pot"
    subprocess.run(  # noqa: S603 - fixed arguments
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(TRANSLATIONS_DIR / "babel.cfg"),
            "-k",
            "lazy_gettext",
            "--no-location",
            "-o",
            str(template),
            ".",
        ],
        check=True,
        cwd=PROJECT_DIR,
        capture_output=True,
    )
    return catalogue_ids(template)


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_catalogue_has_every_string(locale: str, source_ids: set[str]) -> None:
    po_path = TRANSLATIONS_DIR / locale / "LC_MESSAGES" / "messages.po"

    assert source_ids - catalogue_ids(po_path) == set()


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_catalogue_fully_translated(locale: str) -> None:
    po_path = TRANSLATIONS_DIR / locale / "LC_MESSAGES" / "messages.po"

    assert untranslated(po_path) == []
