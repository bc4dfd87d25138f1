"""Forms about passwords, links sent by e-mail and the second factor."""

from typing import Any

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired

from webapp.accounts.form_fields import (
    clean_text,
    current_password_field,
    email_field,
    new_password_field,
    password_confirmation_field,
    strip,
)

MAX_CODE_LENGTH = 64


def _code_field(label: Any, description: Any) -> StringField:
    return StringField(
        label,
        description=description,
        filters=[strip],
        validators=[
            DataRequired(message=lazy_gettext("Enter the code.")),
            *clean_text(MAX_CODE_LENGTH),
        ],
    )


class ConfirmForm(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no types
    """A button that only needs its CSRF token."""


class NewPasswordForm(FlaskForm):  # type: ignore[misc]
    password = new_password_field(lazy_gettext("New password"))
    password_confirmation = password_confirmation_field(lazy_gettext("Confirm the new password"))


class ChangePasswordForm(NewPasswordForm):
    current_password = current_password_field()


class ForgotPasswordForm(FlaskForm):  # type: ignore[misc]
    email = email_field(
        lazy_gettext("E-mail address"),
        required_message=lazy_gettext("Enter your e-mail address."),
        description=lazy_gettext("The address you signed up with."),
    )


class CodeForm(FlaskForm):  # type: ignore[misc]
    code = _code_field(
        lazy_gettext("Code"),
        lazy_gettext(
            "The 6 digits your authenticator app shows now, or one of your recovery codes."
        ),
    )


class SetupCodeForm(FlaskForm):  # type: ignore[misc]
    code = _code_field(
        lazy_gettext("Code shown by the app"),
        lazy_gettext("6 digits, which change every 30 seconds."),
    )


class PasswordCheckForm(FlaskForm):  # type: ignore[misc]
    """Ask for the password again before a sensitive change."""

    current_password = current_password_field()
