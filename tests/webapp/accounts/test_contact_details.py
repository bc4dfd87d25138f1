import pytest

from webapp.services.contact_details import (
    ContactProblem,
    InvalidContactError,
    normalise_email,
    normalise_mobile_phone,
)


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("06.12.34.56.78", "+33612345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("0033612345678", "+33612345678"),
        ("07 81 23 45 67", "+33781234567"),
        # Missing from the phonenumbers metadata, but a French mobile by its prefix.
        ("06 39 98 12 34", "+33639981234"),
        ("+33639981234", "+33639981234"),
        ("0033639981234", "+33639981234"),
        # A foreign mobile receives SMS too.
        ("+44 7911 123456", "+447911123456"),
    ],
)
def test_mobile_numbers_become_e164(raw: str, e164: str) -> None:
    assert normalise_mobile_phone(raw) == e164


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("01 48 47 00 00", ContactProblem.NOT_MOBILE),
        ("+33 1 48 47 00 00", ContactProblem.NOT_MOBILE),
        ("09 50 12 34 56", ContactProblem.NOT_MOBILE),
        ("+44 20 7946 0958", ContactProblem.NOT_MOBILE),
        ("07 00 00 00 00", ContactProblem.INVALID_PHONE),
        ("06 12 34", ContactProblem.INVALID_PHONE),
        ("06 12 34 56 78 90", ContactProblem.INVALID_PHONE),
        ("+999 12 34", ContactProblem.INVALID_PHONE),
        ("appelez-moi", ContactProblem.INVALID_PHONE),
        ("", ContactProblem.INVALID_PHONE),
        ("6" * 41, ContactProblem.INVALID_PHONE),
    ],
)
def test_other_numbers_are_refused(raw: str, problem: ContactProblem) -> None:
    with pytest.raises(InvalidContactError) as error:
        normalise_mobile_phone(raw)
    assert error.value.problem is problem


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("Camille.Martin@Example.ORG", "camille.martin@example.org"),
        ("  lea@exemple.fr ", "lea@exemple.fr"),
        ("élodie@exemple.fr", "élodie@exemple.fr"),
    ],
)
def test_email_is_normalised_to_lower_case(raw: str, normalised: str) -> None:
    assert normalise_email(raw) == normalised


@pytest.mark.parametrize(
    "raw", ["", "camille", "camille@", "@exemple.fr", "camille martin@exemple.fr", "a@b@c.fr"]
)
def test_bad_email_is_refused(raw: str) -> None:
    with pytest.raises(InvalidContactError) as error:
        normalise_email(raw)
    assert error.value.problem is ContactProblem.INVALID_EMAIL
