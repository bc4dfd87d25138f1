"""Filters and validators shared by the forms of the accounts area."""

import unicodedata
from typing import Any

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import Field
from wtforms.validators import Length, StopValidation, ValidationError

MAX_EMAIL_LENGTH = 254
MAX_PASSWORD_LENGTH = 1024
# Characters that reorder text on screen: in a name they can make it read as another.
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def strip(value: Any) -> Any:
    """Remove surrounding blanks from text, leaving other values alone."""
    return value.strip() if isinstance(value, str) else value


def has_control_characters(text: str) -> bool:
    """Tell whether `text` contains a control character or a direction override."""
    return any(
        unicodedata.category(character) == "Cc" or character in _BIDI_CONTROLS for character in text
    )


def reject_control_characters(form: FlaskForm, field: Field) -> None:
    """Refuse invisible control characters, which no one types on purpose."""
    if isinstance(field.data, str) and has_control_characters(field.data):
        raise StopValidation(
            lazy_gettext("Remove the invisible or control characters from this field.")
        )


class AtMost(Length):  # type: ignore[misc]  # wtforms ships no types
    """Refuse text longer than `max` and stop there, so no later check reads it."""

    def __init__(self, maximum: int) -> None:
        super().__init__(max=maximum, message=lazy_gettext("Use at most %(max)d characters."))

    def __call__(self, form: FlaskForm, field: Field) -> None:
        try:
            super().__call__(form, field)
        except ValidationError as error:
            raise StopValidation(str(error.args[0])) from None


def clean_text(maximum: int) -> list[Any]:
    """Return the validators every free-text field starts with."""
    return [reject_control_characters, AtMost(maximum)]
