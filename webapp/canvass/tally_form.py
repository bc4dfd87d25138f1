"""The form that counts the dwellings of a building per outcome, under its door.

A box left empty counts as 0. The limit that depends on the address's dwellings is
checked by `record_dwelling_tally`: this form checks the absolute one only.
"""

import re
import secrets
from typing import Any

from flask_babel import format_number, lazy_gettext
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, HiddenField, StringField
from wtforms.validators import ValidationError

from webapp.models.canvass import DoorOutcome
from webapp.services.door_progress import OUTCOME_LABELS
from webapp.services.dwelling_tallies import MAX_TALLY_TOTAL, TALLY_OUTCOMES, DwellingTally

# The form's key, drawn by `new_tally_key` when the page is rendered.
SUBMISSION_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
# More digits than this is more dwellings than any address may count.
MAX_COUNT_DIGITS = len(str(MAX_TALLY_TOTAL))
_DIGITS = re.compile(r"[0-9]+")
_NEGATIVE = re.compile(r"-\s*[0-9]+")


def new_tally_key() -> str:
    """Draw the random key that makes one visit of one tally form, however often posted."""
    return secrets.token_urlsafe(18)


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _check_count(form: FlaskForm, field: Field) -> None:
    """Reject a count that is not a whole number of 0 or more, or is too large on its own."""
    text = field.data or ""
    label = str(field.label.text)
    if not text:
        return
    if _NEGATIVE.fullmatch(text):
        raise ValidationError(
            _('The number for "%(outcome)s" cannot be negative: enter 0 or more.', outcome=label)
        )
    if not _DIGITS.fullmatch(text):
        raise ValidationError(
            _('Enter a whole number of dwellings for "%(outcome)s", such as 3.', outcome=label)
        )
    if len(text) > MAX_COUNT_DIGITS or int(text) > MAX_TALLY_TOTAL:
        raise ValidationError(
            _(
                'Enter at most %(max)s dwellings for "%(outcome)s".',
                max=format_number(MAX_TALLY_TOTAL),
                outcome=label,
            )
        )


def _count_field(outcome: DoorOutcome) -> StringField:
    # Text rather than a number input, so that the page shows its own messages.
    return StringField(OUTCOME_LABELS[outcome], filters=[_strip], validators=[_check_count])


def too_many_dwellings_message(total: int, limit: int) -> str:
    """Build the error for counts adding up to more dwellings than the address may count."""
    message = _(
        "Too many dwellings: these numbers add up to %(total)s, for at most %(max)s at this "
        "address.",
        total=format_number(total),
        max=format_number(limit),
    )
    return str(message)


class DwellingTallyForm(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no types
    # Named after the `DoorOutcome` values, in the order of `TALLY_OUTCOMES`.
    absent = _count_field(DoorOutcome.ABSENT)
    opened = _count_field(DoorOutcome.OPENED)
    conversation = _count_field(DoorOutcome.CONVERSATION)
    refused = _count_field(DoorOutcome.REFUSED)
    inaccessible = _count_field(DoorOutcome.INACCESSIBLE)
    come_back = BooleanField(
        lazy_gettext("Come back later for the dwellings where nobody was home")
    )
    submission_key = HiddenField()

    def validate(self, extra_validators: Any = None) -> bool:
        """Check each count, then the counts together: at least one dwelling, not too many,
        and someone absent when the team comes back."""
        if not super().validate(extra_validators):
            return False
        total = self.tally.total
        if total == 0:
            self.form_errors.append(_("Enter at least one dwelling: every box is empty or 0."))
        elif total > MAX_TALLY_TOTAL:
            self.form_errors.append(too_many_dwellings_message(total, MAX_TALLY_TOTAL))
        if self.come_back.data and self.tally.absent == 0:
            self.come_back.errors.append(
                _(
                    'To come back later, count at least one dwelling in "%(outcome)s".',
                    outcome=OUTCOME_LABELS[DoorOutcome.ABSENT],
                )
            )
        return not (self.form_errors or self.come_back.errors)

    def validate_submission_key(self, field: Field) -> None:
        if not SUBMISSION_KEY_RE.match(field.data or ""):
            raise ValidationError(_("This form was incomplete: send it again."))

    @property
    def tally(self) -> DwellingTally:
        """Return the counts as entered. They are valid once `validate` has passed."""
        counts = {
            outcome: int(self[outcome.value].data or 0)
            for outcome in TALLY_OUTCOMES
            if _DIGITS.fullmatch(self[outcome.value].data or "")
        }
        return DwellingTally.from_counts(counts, is_coming_back=bool(self.come_back.data))
