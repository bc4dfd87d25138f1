"""Fictitious volunteers for the demo: made-up names, real Bondy addresses, fiction phones."""

import random
from collections.abc import Sequence
from dataclasses import dataclass

FIRST_NAMES = (
    "Alice",
    "Bruno",
    "Chloé",
    "David",
    "Émilie",
    "Farid",
    "Gaëlle",
    "Hugo",
    "Inès",
    "Jules",
    "Karima",
    "Louis",
    "Maëlys",
    "Nathan",
    "Océane",
    "Paul",
    "Quentin",
    "Rania",
    "Samuel",
    "Théa",
    "Ugo",
    "Valentine",
    "William",
    "Yasmine",
    "Zoé",
    "Adam",
    "Bérénice",
    "Cyril",
    "Djamila",
    "Étienne",
)
# Surnames that nobody reads as a real person's.
LAST_NAMES = ("Exemple", "Fictif", "Démo", "Essai", "Maquette", "Prototype", "Brouillon", "Modèle")


@dataclass(frozen=True)
class DemoVolunteer:
    first_name: str
    last_name: str
    email: str
    phone_e164: str
    address_index: int
    weekly_slots: tuple[tuple[int, int, int], ...]
    is_experienced: bool
    has_sms_consent: bool


MORNING = (9 * 60, 12 * 60 + 30)
AFTERNOON = (13 * 60 + 30, 18 * 60)
EVENING = (18 * 60, 21 * 60)
SATURDAY, SUNDAY = 5, 6


def make_volunteers(count: int, address_count: int, seed: int = 93010) -> list[DemoVolunteer]:
    """Draw `count` volunteers deterministically from `seed`."""
    rng = random.Random(seed)  # noqa: S311 - reproducible fiction, not a secret
    people = []
    for index in range(count):
        first = FIRST_NAMES[index % len(FIRST_NAMES)]
        last = LAST_NAMES[(index // len(FIRST_NAMES) + index) % len(LAST_NAMES)]
        people.append(
            DemoVolunteer(
                first_name=first,
                last_name=last,
                email=f"benevole{index + 1:02d}@example.org",
                phone_e164=_fiction_phone(index),
                address_index=rng.randrange(address_count),
                weekly_slots=_slots(rng),
                is_experienced=rng.random() < 0.4,
                has_sms_consent=rng.random() < 0.8,
            )
        )
    return people


def _fiction_phone(index: int) -> str:
    # ARCEP keeps 06 39 98 00 00 to 06 39 98 99 99 for fiction: never assigned to anyone.
    if not 0 <= index < 10_000:
        raise ValueError("the fiction range holds 10,000 numbers")
    return f"+3363998{index:04d}"


def _slots(rng: random.Random) -> tuple[tuple[int, int, int], ...]:
    periods: Sequence[tuple[int, tuple[int, int]]] = [
        (SATURDAY, MORNING),
        (SATURDAY, AFTERNOON),
        (SUNDAY, MORNING),
        (SUNDAY, AFTERNOON),
    ]
    chosen = [p for p in periods if rng.random() < 0.55]
    if rng.random() < 0.5:
        chosen.append((rng.randrange(5), EVENING))
    return tuple((day, start, end) for day, (start, end) in chosen)
