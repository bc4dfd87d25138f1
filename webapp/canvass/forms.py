"""The outcome buttons under each door of the route page."""

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from webapp.models.canvass import DoorOutcome

# In the order the buttons show, the most frequent first.
# Translators: short button labels for what happened at a door. They describe the door,
# never a person. Each must fit a third of a phone's width.
OUTCOME_LABELS = {
    DoorOutcome.ABSENT: lazy_gettext("Nobody home"),
    DoorOutcome.OPENED: lazy_gettext("Opened"),
    DoorOutcome.CONVERSATION: lazy_gettext("Conversation"),
    DoorOutcome.REFUSED: lazy_gettext("Refused"),
    DoorOutcome.COME_BACK: lazy_gettext("Come back"),
    DoorOutcome.INACCESSIBLE: lazy_gettext("No access"),
}


class DoorVisitForm(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no types
    # Each button of the door posts its own value, so one field receives the choice.
    outcome = SelectField(
        choices=[SelectChoice(outcome.value, label) for outcome, label in OUTCOME_LABELS.items()],
        validators=[InputRequired()],
    )

    @property
    def chosen_outcome(self) -> DoorOutcome:
        return DoorOutcome(self.outcome.data)
