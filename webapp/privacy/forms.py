"""Forms of the privacy pages: one consent decision, and the erasure confirmation."""

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField
from wtforms.validators import AnyOf, InputRequired, Length

from webapp.accounts.form_fields import MAX_PASSWORD_LENGTH
from webapp.models.users import Channel, ConsentPurpose

GRANT = "grant"
WITHDRAW = "withdraw"


class ConsentForm(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no types
    """One button: give or withdraw consent for a purpose on a channel."""

    purpose = HiddenField(validators=[AnyOf([p.value for p in ConsentPurpose])])
    channel = HiddenField(validators=[AnyOf([c.value for c in Channel])])
    decision = HiddenField(validators=[AnyOf([GRANT, WITHDRAW])])


class ErasureForm(FlaskForm):  # type: ignore[misc]
    password = PasswordField(
        lazy_gettext("Your password"),
        description=lazy_gettext("Type your password to confirm that you are the account holder."),
        validators=[
            InputRequired(message=lazy_gettext("Type your password.")),
            # Longer than any password the sign-up accepts: it cannot match.
            Length(max=MAX_PASSWORD_LENGTH, message=lazy_gettext("This password is wrong.")),
        ],
    )
