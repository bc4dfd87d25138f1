"""The dwelling count form checks its boxes in French before anything is recorded."""

import pytest
from flask import Flask
from flask_babel import force_locale

from webapp.canvass.tally_form import DwellingTallyForm, new_tally_key
from webapp.services.dwelling_tallies import DwellingTally

KEY = "tally-key-0123456789abcdef"
EMPTY = {"absent": "", "opened": "", "conversation": "", "refused": "", "inaccessible": ""}


@pytest.fixture
def form_app(app: Flask) -> Flask:
    """The app, reading forms without their CSRF token."""
    app.config["WTF_CSRF_ENABLED"] = False
    return app


def validated(app: Flask, locale: str = "fr", **data: str) -> DwellingTallyForm:
    """Post `data` over empty boxes and the form's key, and return the validated form."""
    posted = {**EMPTY, "submission_key": KEY, **data}
    with app.test_request_context("/", method="POST", data=posted), force_locale(locale):
        form = DwellingTallyForm()
        form.validate()
        return form


def errors_of(form: DwellingTallyForm) -> dict[str, list[str]]:
    return {name: [str(message) for message in messages] for name, messages in form.errors.items()}


def test_counts_read_with_blank_as_zero(form_app: Flask) -> None:
    form = validated(form_app, absent=" 12 ", conversation="3", refused="0")

    assert errors_of(form) == {}
    assert form.tally == DwellingTally(absent=12, conversation=3)


def test_come_back_read(form_app: Flask) -> None:
    form = validated(form_app, absent="4", opened="1", come_back="y")

    assert errors_of(form) == {}
    assert form.tally == DwellingTally(absent=4, opened=1, is_coming_back=True)


@pytest.mark.parametrize("value", ["-3", "- 3"])
def test_negative_count_rejected(form_app: Flask, value: str) -> None:
    form = validated(form_app, absent=value, conversation="2")

    assert errors_of(form) == {
        "absent": ["Le nombre pour « Absent » ne peut pas être négatif : saisissez 0 ou plus."]
    }


@pytest.mark.parametrize("value", ["abc", "2,5", "2.5", "1e3", "+4", "٣", "²"])
def test_count_not_a_number_rejected(form_app: Flask, value: str) -> None:
    form = validated(form_app, opened=value)

    assert errors_of(form) == {
        "opened": ["Saisissez un nombre entier de logements pour « A ouvert », par exemple 3."]
    }


@pytest.mark.parametrize("value", ["501", "9999", "1" * 5000])
def test_count_too_large_rejected(form_app: Flask, value: str) -> None:
    form = validated(form_app, conversation=value)

    assert errors_of(form) == {
        "conversation": ["Saisissez au plus 500 logements pour « Discussion »."]
    }


@pytest.mark.parametrize("data", [{}, {"absent": "0", "refused": "00"}])
def test_all_zero_rejected(form_app: Flask, data: dict[str, str]) -> None:
    form = validated(form_app, **data)

    assert errors_of(form) == {
        "": ["Saisissez au moins un logement : toutes les cases sont vides ou à 0."]
    }


def test_total_too_large_rejected(form_app: Flask) -> None:
    form = validated(form_app, absent="300", refused="250")

    assert errors_of(form) == {
        "": ["Trop de logements : ces nombres font 550 en tout, pour 500 au plus à cette adresse."]
    }


def test_come_back_without_absent_rejected(form_app: Flask) -> None:
    form = validated(form_app, conversation="2", come_back="y")

    assert errors_of(form) == {
        "come_back": ["Pour repasser plus tard, comptez au moins un logement en « Absent »."]
    }


@pytest.mark.parametrize("key", ["", "short", "not a key with spaces 0123"])
def test_missing_key_rejected(form_app: Flask, key: str) -> None:
    form = validated(form_app, absent="2", submission_key=key)

    assert errors_of(form) == {
        "submission_key": ["Ce formulaire était incomplet : envoyez-le de nouveau."]
    }


def test_errors_in_english(form_app: Flask) -> None:
    form = validated(form_app, locale="en", absent="x")

    assert errors_of(form) == {
        "absent": ['Enter a whole number of dwellings for "Nobody home", such as 3.']
    }


def test_keys_differ_and_pass_the_check(form_app: Flask) -> None:
    keys = {new_tally_key() for _ in range(50)}

    assert len(keys) == 50
    for key in list(keys)[:5]:
        assert errors_of(validated(form_app, absent="1", submission_key=key)) == {}
