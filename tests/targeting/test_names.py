import pytest

from targeting.names import fold_name, repair_double_encoding
from targeting.territory import TerritoryData


@pytest.mark.parametrize(
    ("name", "folded"),
    [
        ("MÉLENCHON", "melenchon"),
        ("Melenchon", "melenchon"),
        ("LE_PEN", "le pen"),
        ("Le Pen", "le pen"),
        ("DUPONT-AIGNAN", "dupont aignan"),
        ("  PÉCRESSE ", "pecresse"),
        ("Saint-Blaise  d'Aulnay", "saint blaise d aulnay"),
    ],
)
def test_fold_name(name: str, folded: str) -> None:
    assert fold_name(name) == folded


@pytest.mark.parametrize(
    ("raw", "repaired"),
    [
        ("AllÃ©e Alice", "Allée Alice"),
        ("Allee de lâ€™Esperanto", "Allee de l’Esperanto"),
        ("Rue de la RÃ©publique", "Rue de la République"),
        ("Allée Alice", "Allée Alice"),
        ("Rue Ã la", "Rue Ã la"),
    ],
)
def test_repair_double_encoding(raw: str, repaired: str) -> None:
    assert repair_double_encoding(raw) == repaired


def test_ban_streets_have_no_double_encoding(bondy: TerritoryData) -> None:
    streets = {address.street for address in bondy.ban_addresses}

    assert "Allée Alice" in streets
    assert not [street for street in streets if "Ã" in street or "â€" in street]
