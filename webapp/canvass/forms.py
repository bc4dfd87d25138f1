"""The outcome buttons under each door of the route page."""

from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from webapp.models.canvass import DoorOutcome
from webapp.services.door_progress import OUTCOME_LABELS


class DoorVisitForm(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no types
    # Each button of the door posts its own value, so one field receives the choice.
    outcome = SelectField(
        choices=[SelectChoice(outcome.value, label) for outcome, label in OUTCOME_LABELS.items()],
        validators=[InputRequired()],
    )

    @property
    def chosen_outcome(self) -> DoorOutcome:
        return DoorOutcome(self.outcome.data)
