"""Finding a volunteer's home among the BAN addresses of the campaign's communes."""

import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from targeting.names import repair_double_encoding
from webapp.models import Address, Commune
from webapp.services.errors import ServiceError

logger = logging.getLogger(__name__)

# Folded words and the word they abbreviate, applied to typed text and BAN names alike.
_ABBREVIATIONS = {
    "al": "allee",
    "all": "allee",
    "av": "avenue",
    "ave": "avenue",
    "aven": "avenue",
    "bd": "boulevard",
    "bld": "boulevard",
    "blvd": "boulevard",
    "boul": "boulevard",
    "bvd": "boulevard",
    "ch": "chemin",
    "chem": "chemin",
    "cdt": "commandant",
    "crs": "cours",
    "dr": "docteur",
    "fbg": "faubourg",
    "fg": "faubourg",
    "gal": "general",
    "gen": "general",
    "imp": "impasse",
    "mal": "marechal",
    "pass": "passage",
    "pdt": "president",
    "pl": "place",
    "prof": "professeur",
    "prom": "promenade",
    "qu": "quai",
    "r": "rue",
    "res": "residence",
    "rte": "route",
    "sq": "square",
    "st": "saint",
    "ste": "sainte",
}
# Articles are dropped so that "avenue de la Republique" and "av Republique" agree.
_ARTICLES = frozenset({"d", "de", "des", "du", "l", "la", "le", "les"})
# Typed repetition index and the BAN `rep` values it may stand for.
_SUFFIX_ALIASES = {
    "b": ("bis", "b"),
    "bis": ("bis", "b"),
    "t": ("ter", "t"),
    "ter": ("ter", "t"),
    "q": ("quater", "q"),
    "quater": ("quater", "q"),
}
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae"})
_WORD_RE = re.compile(r"[a-z0-9]+")
_NUMBER_RE = re.compile(r"(\d{1,4})\s*(bis|ter|quater|quinquies|[a-hqt])?(?:\s+|$)(.*)")
_POSTCODE_RE = re.compile(r"\d{5}")


class HomeProblem(StrEnum):
    EMPTY = "empty"
    NUMBER_MISSING = "number_missing"
    POSTCODE_OUTSIDE = "postcode_outside"
    NOT_FOUND = "not_found"


class HomeNotFoundError(ServiceError):
    """The text names no address or postcode of the territory, for the reason in `problem`."""

    def __init__(self, problem: HomeProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True)
class HomeLocation:
    """A home point: a BAN address, or the centroid of a postcode when `address_id` is None."""

    address_id: int | None
    postcode: str
    lon: float
    lat: float


@dataclass(frozen=True)
class TypedAddress:
    """What a person typed, split into its parts; every part may be missing."""

    number: int | None
    suffix: str
    street_words: tuple[str, ...]
    postcode: str | None


def postal_label(session: Session, address: Address) -> str:
    """Return the address as a letter reads it: number and street, postcode and commune."""
    commune = session.get(Commune, address.commune_code)
    town = f" {commune.name}" if commune is not None else ""
    return f"{address.label}, {address.postcode}{town}"


def fold_words(text: str) -> list[str]:
    """Return the lower-case words of `text` without accents or punctuation."""
    # Rows imported before the importer repaired double-encoded names may still hold them.
    text = repair_double_encoding(text)
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    # Ligatures do not decompose: "Œuvre" must still fold to "oeuvre".
    return _WORD_RE.findall(plain.casefold().translate(_LIGATURES))


def street_key(words: Sequence[str]) -> str:
    """Return the comparison key of a street name given as folded words."""
    expanded = (_ABBREVIATIONS.get(word, word) for word in words)
    return " ".join(word for word in expanded if word not in _ARTICLES)


def parse_typed_address(text: str) -> TypedAddress:
    """Split `12 bis av. Galliéni, 93140 Bondy` into number, suffix, street and postcode."""
    words = fold_words(text)
    postcode = None
    for index, word in enumerate(words):
        if _POSTCODE_RE.fullmatch(word):
            # The commune name usually follows the postcode; it is not part of the street.
            postcode, words = word, words[:index]
            break
    match = _NUMBER_RE.fullmatch(" ".join(words))
    if match is None:
        return TypedAddress(number=None, suffix="", street_words=tuple(words), postcode=postcode)
    number, suffix, street = match.groups()
    return TypedAddress(
        number=int(number),
        suffix=suffix or "",
        street_words=tuple(street.split()),
        postcode=postcode,
    )


def find_home(
    session: Session, text: str, commune_codes: Sequence[str], commune_names: Sequence[str] = ()
) -> HomeLocation:
    """Return the home point that `text` names in the given communes.

    `text` is either a house number and street (optionally followed by the postcode
    and commune), or a bare postcode of the territory, whose addresses' centroid is
    used. Raise HomeNotFoundError otherwise.
    """
    typed = parse_typed_address(text)
    if typed.postcode is None and not typed.street_words and typed.number is None:
        raise HomeNotFoundError(HomeProblem.EMPTY)
    if typed.postcode is not None and typed.postcode not in _territory_postcodes(
        session, commune_codes
    ):
        raise HomeNotFoundError(HomeProblem.POSTCODE_OUTSIDE)
    if typed.postcode is not None and typed.number is None and not typed.street_words:
        return _postcode_centroid(session, typed.postcode, commune_codes)
    if typed.number is None or not typed.street_words:
        raise HomeNotFoundError(HomeProblem.NUMBER_MISSING)
    address = _find_address(session, typed, commune_codes, commune_names)
    if address is None:
        raise HomeNotFoundError(HomeProblem.NOT_FOUND)
    return HomeLocation(
        address_id=address.id, postcode=address.postcode, lon=address.lon, lat=address.lat
    )


def _find_address(
    session: Session,
    typed: TypedAddress,
    commune_codes: Sequence[str],
    commune_names: Sequence[str],
) -> Address | None:
    keys = _typed_street_keys(typed.street_words, commune_names)
    rows = session.scalars(
        select(Address)
        .where(Address.commune_code.in_(commune_codes), Address.number == typed.number)
        .order_by(Address.id)
    ).all()
    on_street = [row for row in rows if street_key(fold_words(row.street)) in keys]
    if not on_street:
        return None
    accepted = _SUFFIX_ALIASES.get(typed.suffix, (typed.suffix,))
    return min(on_street, key=lambda row: _suffix_rank(row.suffix, accepted))


def _typed_street_keys(words: Sequence[str], commune_names: Sequence[str]) -> set[str]:
    keys = {street_key(words)}
    # "12 rue Jules Guesde Bondy": drop a trailing commune name, but keep the full text
    # too, for streets named after a town ("avenue de Rosny").
    for name in commune_names:
        name_words = fold_words(name)
        if (
            name_words
            and len(words) > len(name_words)
            and list(words[-len(name_words) :]) == name_words
        ):
            keys.add(street_key(words[: -len(name_words)]))
    return keys


def _suffix_rank(stored: str, accepted: Sequence[str]) -> int:
    folded = " ".join(fold_words(stored or ""))
    if folded in accepted:
        return 0
    if not folded:
        # The number without its bis or ter is a few metres away: good enough for a home.
        return 1
    return 2


def _territory_postcodes(session: Session, commune_codes: Sequence[str]) -> set[str]:
    rows = session.scalars(
        select(Address.postcode).where(Address.commune_code.in_(commune_codes)).distinct()
    )
    return set(rows)


def _postcode_centroid(
    session: Session, postcode: str, commune_codes: Sequence[str]
) -> HomeLocation:
    # The centroid of the postcode's addresses within the territory: the commune's when,
    # as in most communes, the commune has a single postcode.
    lon, lat = session.execute(
        select(func.avg(Address.lon), func.avg(Address.lat)).where(
            Address.commune_code.in_(commune_codes), Address.postcode == postcode
        )
    ).one()
    return HomeLocation(address_id=None, postcode=postcode, lon=float(lon), lat=float(lat))
