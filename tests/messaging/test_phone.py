import pytest

from messaging.phone import mask_phone


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("+33612345612", "+33 6 ** ** ** 12"),
        ("+33712345698", "+33 7 ** ** ** 98"),
        ("+262692123456", "+262 6** ** ** 56"),
        ("+447911123456", "+44 7*** ****56"),
        ("0612345612", "***12"),
        ("not a number", "***"),
        ("+3361", "***"),
        ("", "***"),
    ],
)
def test_mask_phone(number: str, expected: str) -> None:
    assert mask_phone(number) == expected
