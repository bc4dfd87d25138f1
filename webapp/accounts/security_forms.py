"""Forms about passwords, links sent by e-mail and the second factor."""

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from webapp.accounts.form_fields import (
    MAX_EMAIL_LENGTH,
    MAX_PASSWORD_LENGTH,
    clean_text,
    strip,
)
from webapp.services.signup import MIN_PASSWORD_LENGTH

MAX_CODE_LENGTH = 64


class ConfirmForm(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no types
    """A button that only needs its CSRF token."""


class NewPasswordForm(FlaskForm):  # type: ignore[misc]
    password = PasswordField(
        lazy_gettext("New password"),
        description=lazy_gettext("At least 12 characters. A short sentence is easy to remember."),
        validators=[
            DataRequired(message=lazy_gettext("Choose a password.")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                message=lazy_gettext("Your password must have at least %(min)d characters."),
            ),
            Length(
                max=MAX_PASSWORD_LENGTH,
                message=lazy_gettext("Your password must have at most %(max)d characters."),
            ),
        ],
    )
    password_confirmation = PasswordField(
        lazy_gettext("Confirm the new password"),
        validators=[
            DataRequired(message=lazy_gettext("Type your password again.")),
            EqualTo("password", message=lazy_gettext("The two passwords do not match.")),
        ],
    )


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField(
        lazy_gettext("Current password"),
        validators=[
            DataRequired(message=lazy_gettext("Enter your current password.")),
            Length(
                max=MAX_PASSWORD_LENGTH,
                message=lazy_gettext("Your password must have at most %(max)d characters."),
            ),
        ],
    )


class ForgotPasswordForm(FlaskForm):  # type: ignore[misc]
    email = EmailField(
        lazy_gettext("E-mail address"),
        description=lazy_gettext("The address you signed up with."),
        filters=[strip],
        validators=[
            DataRequired(message=lazy_gettext("Enter your e-mail address.")),
            *clean_text(MAX_EMAIL_LENGTH),
        ],
    )


class CodeForm(FlaskForm):  # type: ignore[misc]
    code = StringField(
        lazy_gettext("Code"),
        description=lazy_gettext(
            "The 6 digits your authenticator app shows now, or one of your recovery codes."
        ),
        filters=[strip],
        validators=[
            DataRequired(message=lazy_gettext("Enter the code.")),
            *clean_text(MAX_CODE_LENGTH),
        ],
    )


class SetupCodeForm(FlaskForm):  # type: ignore[misc]
    code = StringField(
        lazy_gettext("Code shown by the app"),
        description=lazy_gettext("6 digits, which change every 30 seconds."),
        filters=[strip],
        validators=[
            DataRequired(message=lazy_gettext("Enter the code.")),
            *clean_text(MAX_CODE_LENGTH),
        ],
    )


class PasswordCheckForm(FlaskForm):  # type: ignore[misc]
    """Ask for the password again before a sensitive change."""

    current_password = PasswordField(
        lazy_gettext("Current password"),
        validators=[
            DataRequired(message=lazy_gettext("Enter your current password.")),
            Length(
                max=MAX_PASSWORD_LENGTH,
                message=lazy_gettext("Your password must have at most %(max)d characters."),
            ),
        ],
    )
