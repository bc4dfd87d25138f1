"""Forms of staff invitations: inviting someone, and creating an account from the link."""

from typing import Any

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import EmailField, Field, RadioField, SelectChoice, StringField
from wtforms.validators import DataRequired, InputRequired, ValidationError

from webapp.accounts.form_fields import MAX_EMAIL_LENGTH, clean_text, strip
from webapp.accounts.labels import ROLE_LABELS
from webapp.accounts.security_forms import NewPasswordForm
from webapp.models.users import Role
from webapp.services.contact_details import InvalidContactError, normalise_email


class InvitationForm(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no types
    email = EmailField(
        lazy_gettext("E-mail address of the person"),
        filters=[strip],
        validators=[
            DataRequired(message=lazy_gettext("Enter the e-mail address to invite.")),
            *clean_text(MAX_EMAIL_LENGTH),
        ],
    )
    role = RadioField(
        lazy_gettext("Role in the campaign"),
        validate_choice=False,
        validators=[InputRequired(message=lazy_gettext("Choose a role."))],
    )

    def __init__(self, *args: Any, grantable: tuple[Role, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.grantable = grantable
        self.role.choices = [SelectChoice(role.value, ROLE_LABELS[role]) for role in grantable]
        self.normalised_email = ""

    def validate_email(self, field: Field) -> None:
        try:
            self.normalised_email = normalise_email(field.data)
        except InvalidContactError:
            raise ValidationError(
                lazy_gettext("Enter a valid e-mail address, such as name@example.com.")
            ) from None

    def validate_role(self, field: Field) -> None:
        if field.data not in {role.value for role in self.grantable}:
            raise ValidationError(lazy_gettext("Choose a role."))


class InvitedAccountForm(NewPasswordForm):
    first_name = StringField(
        lazy_gettext("First name"),
        filters=[strip],
        validators=[DataRequired(message=lazy_gettext("Enter your first name.")), *clean_text(100)],
    )
    last_name = StringField(
        lazy_gettext("Last name"),
        filters=[strip],
        validators=[DataRequired(message=lazy_gettext("Enter your last name.")), *clean_text(100)],
    )
