"""`flask i18n …`: keep the French and English catalogues complete."""

import subprocess
import sys
from pathlib import Path

import click
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"
PROJECT_DIR = TRANSLATIONS_DIR.parent.parent
TEMPLATE = TRANSLATIONS_DIR / "messages.pot"
LOCALES = ("fr", "en")


@click.group("i18n", help="Extract, update and compile the translation catalogues.")
def i18n_group() -> None:
    pass


@i18n_group.command("update", help="Extract strings, update both catalogues, fill English.")
def update_command() -> None:
    _pybabel(
        "extract",
        "-F",
        str(TRANSLATIONS_DIR / "babel.cfg"),
        "-k",
        "lazy_gettext",
        "--no-location",
        "--sort-output",
        "--omit-header",
        "-o",
        str(TEMPLATE),
        ".",
    )
    for locale in LOCALES:
        catalog_path = TRANSLATIONS_DIR / locale / "LC_MESSAGES" / "messages.po"
        command = "update" if catalog_path.exists() else "init"
        _pybabel(
            command, "-i", str(TEMPLATE), "-d", str(TRANSLATIONS_DIR), "-l", locale, "--no-wrap"
        )
    fill_english(TRANSLATIONS_DIR / "en" / "LC_MESSAGES" / "messages.po")
    missing = untranslated(TRANSLATIONS_DIR / "fr" / "LC_MESSAGES" / "messages.po")
    for msgid in missing:
        click.echo(f"missing French: {msgid!r}")
    click.echo(f"{len(missing)} French entries missing")


@i18n_group.command("compile", help="Compile the catalogues into .mo files.")
def compile_command() -> None:
    compile_catalogues()


def compile_catalogues() -> None:
    """Write a .mo beside each .po, fuzzy entries excluded."""
    for locale in LOCALES:
        po_path = TRANSLATIONS_DIR / locale / "LC_MESSAGES" / "messages.po"
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=locale)
        with po_path.with_suffix(".mo").open("wb") as mo_file:
            write_mo(mo_file, catalog)


def fill_english(po_path: Path) -> None:
    """Make the English catalogue complete: source strings are English already."""
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale="en")
    for message in catalog:
        if not message.id:
            continue
        message.flags.discard("fuzzy")
        if isinstance(message.id, tuple):
            message.string = tuple(message.id)
        else:
            message.string = message.id
    with po_path.open("wb") as po_file:
        write_po(po_file, catalog, width=0, omit_header=False)


def untranslated(po_path: Path) -> list[str]:
    """Return the message ids whose translation is empty or fuzzy."""
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file)
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if "fuzzy" in message.flags or not all(strings):
            missing.append(str(message.id))
    return missing


def _pybabel(*args: str) -> None:
    # The arguments are this module's own constants, never user input.
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "babel.messages.frontend", *args],
        check=True,
        cwd=PROJECT_DIR,
        capture_output=True,
    )
