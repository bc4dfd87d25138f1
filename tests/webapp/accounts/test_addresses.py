import pytest
from sqlalchemy.orm import Session

from tests.factories import make_address, make_bondy_addresses
from webapp.models import Address
from webapp.services.addresses import (
    HomeNotFoundError,
    HomeProblem,
    TypedAddress,
    find_home,
    fold_words,
    parse_typed_address,
    street_key,
)

BONDY = ("93010",)
NAMES = ("Bondy",)


@pytest.fixture
def addresses(db_session: Session) -> dict[str, Address]:
    return make_bondy_addresses(db_session)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Allée de l’Espéranto", ["allee", "de", "l", "esperanto"]),
        ("Allee de lâ€™Esperanto", ["allee", "de", "l", "esperanto"]),
        ("Avenue GalliÃ©ni", ["avenue", "gallieni"]),
        ("  RUE  Jules-Guesde, ", ["rue", "jules", "guesde"]),
        ("Œuvre", ["oeuvre"]),
        ("", []),
    ],
)
def test_fold_words(text: str, words: list[str]) -> None:
    assert fold_words(text) == words


@pytest.mark.parametrize(
    ("words", "key"),
    [
        (["av", "du", "mal", "de", "lattre", "de", "tassigny"], "avenue marechal lattre tassigny"),
        (
            ["avenue", "du", "marechal", "de", "lattre", "de", "tassigny"],
            "avenue marechal lattre tassigny",
        ),
        (["bd", "st", "michel"], "boulevard saint michel"),
        (["boulevard", "saint", "michel"], "boulevard saint michel"),
        (["pl", "gauguin"], "place gauguin"),
        (["avenue", "du", "14", "juillet"], "avenue 14 juillet"),
    ],
)
def test_street_key_normalises_words(words: list[str], key: str) -> None:
    assert street_key(words) == key


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("152 bis avenue Galliéni", TypedAddress(152, "bis", ("avenue", "gallieni"), None)),
        ("152bis av. Galliéni", TypedAddress(152, "bis", ("av", "gallieni"), None)),
        ("12, rue X 93140 Bondy", TypedAddress(12, "", ("rue", "x"), "93140")),
        ("1 b rue Jules Guesde", TypedAddress(1, "b", ("rue", "jules", "guesde"), None)),
        ("12 r Jules Guesde", TypedAddress(12, "", ("r", "jules", "guesde"), None)),
        ("12 ch des Tilleuls", TypedAddress(12, "", ("ch", "des", "tilleuls"), None)),
        ("93140", TypedAddress(None, "", (), "93140")),
        ("93140 Bondy", TypedAddress(None, "", (), "93140")),
        ("avenue Galliéni", TypedAddress(None, "", ("avenue", "gallieni"), None)),
        ("12", TypedAddress(12, "", (), None)),
    ],
)
def test_parse_typed_address(text: str, expected: TypedAddress) -> None:
    assert parse_typed_address(text) == expected


@pytest.mark.parametrize(
    ("text", "ban_id"),
    [
        ("152 bis avenue Galliéni", "93010_4120_00152_bis"),
        ("152bis av gallieni", "93010_4120_00152_bis"),
        ("152 B Avenue GALLIENI", "93010_4120_00152_bis"),
        ("152 Avenue Galliéni, 93140 Bondy", "93010_4120_00152"),
        # No 152 ter in the BAN: the plain number is a few metres away.
        ("152 ter avenue Gallieni", "93010_4120_00152"),
        ("150 avenue Gallieni Bondy", "93010_4120_00150"),
        ("12 avenue du Maréchal de Lattre de Tassigny", "93010_6155_00012"),
        ("12 av. Mal de Lattre-de-Tassigny", "93010_6155_00012"),
        ("1 allée de l'Espéranto", "93010_3153_00001"),
        ("1 Allee Esperanto", "93010_3153_00001"),
        ("1 bis rue Jules Guesde", "93010_4775_00001_bis"),
        ("1 r. Jules Guesde", "93010_4775_00001"),
        ("1 avenue de la République", "93010_8160_00001"),
    ],
)
def test_find_home_matches_ban_address(
    addresses: dict[str, Address], db_session: Session, text: str, ban_id: str
) -> None:
    home = find_home(db_session, text, BONDY, NAMES)

    address = addresses[ban_id]
    assert (home.address_id, home.postcode, home.lon, home.lat) == (
        address.id,
        "93140",
        address.lon,
        address.lat,
    )


def test_find_home_with_bare_postcode_gives_centroid(
    addresses: dict[str, Address], db_session: Session
) -> None:
    home = find_home(db_session, " 93140 ", BONDY, NAMES)

    count = len(addresses)
    assert home.address_id is None
    assert home.postcode == "93140"
    assert home.lon == pytest.approx(sum(a.lon for a in addresses.values()) / count, abs=1e-9)
    assert home.lat == pytest.approx(sum(a.lat for a in addresses.values()) / count, abs=1e-9)


def test_find_home_looks_only_in_the_given_communes(
    addresses: dict[str, Address], db_session: Session
) -> None:
    pantin = ("93055",)
    with pytest.raises(HomeNotFoundError) as not_found:
        find_home(db_session, "152 avenue Gallieni", pantin, ("Pantin",))
    with pytest.raises(HomeNotFoundError) as outside:
        find_home(db_session, "93140", pantin, ("Pantin",))
    assert (not_found.value.problem, outside.value.problem) == (
        HomeProblem.NOT_FOUND,
        HomeProblem.POSTCODE_OUTSIDE,
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", HomeProblem.EMPTY),
        (" , . ", HomeProblem.EMPTY),
        ("75001", HomeProblem.POSTCODE_OUTSIDE),
        ("12 rue de Rivoli 75001 Paris", HomeProblem.POSTCODE_OUTSIDE),
        ("avenue Galliéni", HomeProblem.NUMBER_MISSING),
        ("152", HomeProblem.NUMBER_MISSING),
        ("Bondy", HomeProblem.NUMBER_MISSING),
        ("999 avenue Galliéni", HomeProblem.NOT_FOUND),
        ("152 avenue Gallieno", HomeProblem.NOT_FOUND),
        ("12 rue de Rivoli", HomeProblem.NOT_FOUND),
    ],
)
def test_find_home_explains_failures(
    addresses: dict[str, Address], db_session: Session, text: str, problem: HomeProblem
) -> None:
    with pytest.raises(HomeNotFoundError) as error:
        find_home(db_session, text, BONDY, NAMES)
    assert error.value.problem is problem


def test_street_named_after_commune(db_session: Session, addresses: dict[str, Address]) -> None:
    avenue = make_address(
        db_session, ban_id="93010_x_00007", number=7, street="Avenue de Bondy", lon=2.49, lat=48.90
    )

    assert find_home(db_session, "7 avenue de Bondy", BONDY, NAMES).address_id == avenue.id


def test_double_encoded_row_still_matches(
    db_session: Session, addresses: dict[str, Address]
) -> None:
    raw = make_address(
        db_session,
        ban_id="93010_4120_00154",
        number=154,
        street="Avenue GalliÃ©ni",
        lon=2.4846,
        lat=48.9065,
    )

    assert find_home(db_session, "154 avenue Galliéni", BONDY, NAMES).address_id == raw.id
