"""Forms of the planning area: the planning button and the re-planning actions."""

from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import InputRequired, Length

from webapp.planning.fields import strip


class PlanningForm(FlaskForm):  # type: ignore[misc]
    """The planning button with its CSRF token."""


class TeamAbsentForm(FlaskForm):  # type: ignore[misc]
    """The button that marks a team absent, with its CSRF token."""


class StreetClosureForm(FlaskForm):  # type: ignore[misc]
    """A street of the session's IRIS to close; the service checks it is one of them."""

    street = SelectField(
        lazy_gettext("Street"),
        validate_choice=False,
        filters=[strip],
        validators=[
            InputRequired(message=lazy_gettext("Choose a street of the IRIS from the list.")),
            Length(max=200, message=lazy_gettext("Choose a street of the IRIS from the list.")),
        ],
    )

    def __init__(self, *args: Any, streets: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.street.choices = [(street, street) for street in streets]
