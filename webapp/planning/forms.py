"""Forms of the planning area: the planning button and the re-planning actions."""

from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField
from wtforms.validators import DataRequired, InputRequired, Length

from webapp.planning.fields import strip


class PlanningForm(FlaskForm):  # type: ignore[misc]
    """The planning button with its CSRF token.

    The confirmation page sets `is_confirmed` in a hidden field, once the coordinator
    has seen the sessions whose teams the run forms again (`planning_warnings`). A
    button elsewhere posts without it, and is sent that page when there are any.
    """

    is_confirmed = BooleanField()


class TeamAbsentForm(FlaskForm):  # type: ignore[misc]
    """The confirmation that a team is absent, posted from its confirmation page.

    The page sends `is_confirmed` in a hidden field; a post without it, from a page that
    skipped the confirmation, is sent to that page instead.
    """

    is_confirmed = BooleanField(validators=[DataRequired()])


class TeamActionForm(FlaskForm):  # type: ignore[misc]
    """A button acting on one team (present again, joined to another), with its CSRF token."""


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


class StreetReopenForm(FlaskForm):  # type: ignore[misc]
    """A closed street of the session to reopen; the service checks it is closed."""

    street = HiddenField(
        filters=[strip],
        validators=[
            InputRequired(message=lazy_gettext("This street is not closed for this session.")),
            Length(max=200, message=lazy_gettext("This street is not closed for this session.")),
        ],
    )
