import pytest

from targeting.names import fold_name


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
