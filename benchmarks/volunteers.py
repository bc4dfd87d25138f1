"""Unique, valid French volunteers, as the sign-up form posts them.

Phone numbers come from the range ARCEP keeps for fiction (06 39 98 00 00 to
06 39 98 99 99), so no real person receives anything, and e-mail addresses are under
example.org (RFC 2606). The same index always gives the same volunteer.
"""

import random
import unicodedata

from webapp.accounts.forms import EXPERIENCE_EXPERIENCED, EXPERIENCE_FIRST_TIME, SLOT_VALUES

FICTION_NUMBER_COUNT = 10_000
FIRST_NAMES = (
    "Camille", "Léa", "Hugo", "Inès", "Lucas", "Chloé", "Mehdi", "Manon", "Théo", "Yasmine",
    "Jean-Baptiste", "Élodie", "Loïc", "Fatoumata", "Benoît", "Hélène", "Karim", "Noémie",
    "Jérôme", "Aïcha", "François", "Mélissa", "Ibrahima", "Zoé", "Rémi", "Sofiane",
)  # fmt: skip
LAST_NAMES = (
    "Martin", "Bernard", "Dubois", "Petit", "Durand", "Lefèvre", "Moreau", "Laurent",
    "Girard", "Mercier", "Diallo", "Traoré", "Benali", "Nguyen", "Da Silva", "N'Diaye",
    "Le Goff", "Fournier", "Rousseau", "Haddad", "Coulibaly", "Bouchard", "Ferreira",
)  # fmt: skip
PASSWORD_WORDS = ("porte", "tournée", "quartier", "immeuble", "palier", "sonnette", "tract")


def ascii_word(text: str) -> str:
    """Return `text` lower-cased without accents, spaces or apostrophes, for an e-mail address."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if char.isascii() and char.isalnum())
    return plain.lower()


def fiction_phone(index: int) -> str:
    """Return the `index`-th number of the fiction range, written as people type it."""
    if not 0 <= index < FICTION_NUMBER_COUNT:
        raise ValueError(
            f"volunteer index {index} is outside the {FICTION_NUMBER_COUNT} fiction numbers"
        )
    return f"06 39 98 {index // 100:02d} {index % 100:02d}"


def volunteer_form(index: int, homes: list[str]) -> dict[str, str | list[str]]:
    """Return the sign-up form of volunteer `index`, with its home taken from `homes`."""
    rng = random.Random(index)  # noqa: S311 - reproducible test data, not secrets
    first_name = rng.choice(FIRST_NAMES)
    last_name = rng.choice(LAST_NAMES)
    password = " ".join(rng.sample(PASSWORD_WORDS, 3)) + f" {index}"
    form: dict[str, str | list[str]] = {
        "first_name": first_name,
        "last_name": last_name,
        "email": f"{ascii_word(first_name)}.{ascii_word(last_name)}.{index}@example.org",
        "phone": fiction_phone(index),
        "home": homes[index % len(homes)],
        "availability": sorted(rng.sample(SLOT_VALUES, rng.randint(1, 6))),
        "experience": rng.choice((EXPERIENCE_FIRST_TIME, EXPERIENCE_EXPERIENCED)),
        "password": password,
        "password_confirmation": password,
    }
    # An unticked box is absent from the post, as a browser sends it.
    if rng.random() < 0.9:
        form["consent_email"] = "y"
    if rng.random() < 0.7:
        form["consent_sms"] = "y"
    return form
