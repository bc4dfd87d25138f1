"""Filters, validators and field builders shared by the forms of the accounts area."""

import unicodedata
from typing import Any

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import EmailField, Field, PasswordField, StringField, TelField
from wtforms.validators import DataRequired, EqualTo, Length, StopValidation, ValidationError

from webapp.services.contact_details import (
    ContactProblem,
    InvalidContactError,
    normalise_email,
    normalise_mobile_phone,
)
from webapp.services.signup import MIN_PASSWORD_LENGTH

MAX_EMAIL_LENGTH = 254
MAX_PASSWORD_LENGTH = 1024
MAX_NAME_LENGTH = 100
MAX_PHONE_LENGTH = 40
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


def _required_then(required_message: Any, validators: list[Any]) -> list[Any]:
    if required_message is None:
        return validators
    return [DataRequired(message=required_message), *validators]


def email_field(label: Any, *, required_message: Any = None, description: Any = "") -> EmailField:
    """Build an e-mail field; it is required when `required_message` is given."""
    return EmailField(
        label,
        description=description,
        filters=[strip],
        validators=_required_then(required_message, clean_text(MAX_EMAIL_LENGTH)),
    )


def name_field(label: Any, required_message: Any) -> StringField:
    """Build a required first or last name field."""
    return StringField(
        label,
        filters=[strip],
        validators=_required_then(required_message, clean_text(MAX_NAME_LENGTH)),
    )


def first_name_field() -> StringField:
    return name_field(lazy_gettext("First name"), lazy_gettext("Enter your first name."))


def last_name_field() -> StringField:
    return name_field(lazy_gettext("Last name"), lazy_gettext("Enter your last name."))


def mobile_phone_field(description: Any, *, required_message: Any = None) -> TelField:
    """Build a mobile phone field; it is required when `required_message` is given."""
    return TelField(
        lazy_gettext("Mobile phone"),
        description=description,
        filters=[strip],
        validators=_required_then(required_message, clean_text(MAX_PHONE_LENGTH)),
    )


def _at_most_password_length() -> Length:
    return Length(
        max=MAX_PASSWORD_LENGTH,
        message=lazy_gettext("Your password must have at most %(max)d characters."),
    )


def password_field(label: Any, required_message: Any) -> PasswordField:
    """Build a field for a password the account already has."""
    return PasswordField(
        label,
        validators=[DataRequired(message=required_message), _at_most_password_length()],
    )


def current_password_field() -> PasswordField:
    return password_field(
        lazy_gettext("Current password"), lazy_gettext("Enter your current password.")
    )


def new_password_field(label: Any) -> PasswordField:
    """Build the field of a password being chosen, with the length rules."""
    return PasswordField(
        label,
        description=lazy_gettext("At least 12 characters. A short sentence is easy to remember."),
        validators=[
            DataRequired(message=lazy_gettext("Choose a password.")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                message=lazy_gettext("Your password must have at least %(min)d characters."),
            ),
            _at_most_password_length(),
        ],
    )


def password_confirmation_field(label: Any) -> PasswordField:
    """Build the field that repeats the `password` field of the same form."""
    return PasswordField(
        label,
        validators=[
            DataRequired(message=lazy_gettext("Type your password again.")),
            EqualTo("password", message=lazy_gettext("The two passwords do not match.")),
        ],
    )


def checked_email(text: str) -> str:
    """Return the address in lower case, or raise the error a form shows under the field."""
    try:
        return normalise_email(text)
    except InvalidContactError:
        raise ValidationError(
            lazy_gettext("Enter a valid e-mail address, such as name@example.com.")
        ) from None


def checked_mobile_phone(text: str) -> str:
    """Return the number in E.164, or raise the error a form shows under the field."""
    try:
        return normalise_mobile_phone(text)
    except InvalidContactError as error:
        if error.problem is ContactProblem.NOT_MOBILE:
            raise ValidationError(
                lazy_gettext("Enter a mobile number: a landline cannot receive our text messages.")
            ) from None
        raise ValidationError(
            lazy_gettext("Enter a valid mobile phone number, such as 06 12 34 56 78.")
        ) from None
