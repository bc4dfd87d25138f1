import pytest

from benchmarks.volunteers import FICTION_NUMBER_COUNT, fiction_phone, volunteer_form
from webapp.accounts.form_fields import has_control_characters
from webapp.accounts.forms import SLOT_VALUES
from webapp.services.contact_details import normalise_email, normalise_mobile_phone

HOMES = ["152 bis avenue Galliéni", "93140"]


def test_fiction_phone_range_ends() -> None:
    assert fiction_phone(0) == "06 39 98 00 00"
    assert fiction_phone(FICTION_NUMBER_COUNT - 1) == "06 39 98 99 99"
    with pytest.raises(ValueError, match="outside the 10000 fiction numbers"):
        fiction_phone(FICTION_NUMBER_COUNT)
    with pytest.raises(ValueError, match="outside"):
        fiction_phone(-1)


def test_volunteers_unique_and_valid() -> None:
    emails = set()
    phones = set()
    for index in range(0, FICTION_NUMBER_COUNT, 37):
        form = volunteer_form(index, HOMES)
        email = normalise_email(str(form["email"]))
        assert email.endswith("@example.org")
        emails.add(email)
        phone = normalise_mobile_phone(str(form["phone"]))
        assert phone == f"+3363998{index:04d}"
        phones.add(phone)
        assert not has_control_characters(str(form["first_name"]) + str(form["last_name"]))
        assert form["password"] == form["password_confirmation"]
        assert len(str(form["password"])) >= 12
        assert set(form["availability"]) <= set(SLOT_VALUES)
        assert form["availability"]
        assert form["home"] == HOMES[index % 2]
    assert len(emails) == len(range(0, FICTION_NUMBER_COUNT, 37))
    assert len(phones) == len(emails)


def test_volunteer_is_reproducible() -> None:
    assert volunteer_form(42, HOMES) == volunteer_form(42, HOMES)
    assert volunteer_form(42, HOMES)["email"] != volunteer_form(43, HOMES)["email"]
