"""Forms of staff invitations: inviting someone, and creating an account from the link."""

from typing import Any

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import Field, RadioField, SelectChoice
from wtforms.validators import InputRequired, ValidationError

from webapp.accounts.form_fields import (
    checked_email,
    email_field,
    first_name_field,
    last_name_field,
)
from webapp.accounts.labels import ROLE_LABELS
from webapp.accounts.security_forms import NewPasswordForm
from webapp.models.users import Role


class InvitationForm(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no types
    email = email_field(
        lazy_gettext("E-mail address of the person"),
        required_message=lazy_gettext("Enter the e-mail address to invite."),
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
        self.normalised_email = checked_email(field.data)

    def validate_role(self, field: Field) -> None:
        if field.data not in {role.value for role in self.grantable}:
            raise ValidationError(lazy_gettext("Choose a role."))


class InvitedAccountForm(NewPasswordForm):
    first_name = first_name_field()
    last_name = last_name_field()
