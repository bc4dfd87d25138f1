"""Forms of the choices made by hand: lock, unlock, move or place a volunteer."""

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import Field, HiddenField, SelectField
from wtforms.validators import ValidationError

# Ids are PostgreSQL INTEGER keys: a larger number would fail in the query itself.
MAX_ID = 2**31 - 1
CHOOSE_SESSION = lazy_gettext("Choose a session from the list.")


def _is_id(text: object) -> bool:
    if not (isinstance(text, str) and text.isascii() and text.isdecimal()):
        return False
    return len(text) <= len(str(MAX_ID)) and int(text) <= MAX_ID


def _check_volunteer_id(_form: FlaskForm, field: Field) -> None:
    # The id comes from the page itself: anything else is a stale or altered form,
    # which the views reject with 400, so this message is never shown.
    if not _is_id(field.data):
        raise ValidationError("invalid volunteer id")


def _check_session_id(_form: FlaskForm, field: Field) -> None:
    if not _is_id(field.data):
        raise ValidationError(CHOOSE_SESSION)


class VolunteerForm(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no types
    """A volunteer named by a hidden field: the lock and unlock buttons."""

    volunteer_id = HiddenField(validators=[_check_volunteer_id])

    @property
    def volunteer(self) -> int:
        return int(self.volunteer_id.data)

    @property
    def is_altered(self) -> bool:
        """Tell whether the CSRF token or the hidden id failed, rather than a visible choice."""
        return "csrf_token" in self.errors or "volunteer_id" in self.errors


class SessionChoiceForm(VolunteerForm):
    """A volunteer and the session to move or place them on, chosen from a list.

    The page lists the sessions itself, and the service checks the one chosen.
    """

    target_session_id = SelectField(
        lazy_gettext("Session"), choices=[], validate_choice=False, validators=[_check_session_id]
    )

    @property
    def target_session(self) -> int:
        return int(self.target_session_id.data)
