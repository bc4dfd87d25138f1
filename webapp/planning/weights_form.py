"""The form of the planning weights: one whole number of points per objective term."""

from typing import Any

from flask_babel import format_decimal, lazy_gettext
from flask_wtf import FlaskForm
from wtforms import Field, StringField
from wtforms.validators import ValidationError

from routing.assignment_weights import MAX_WEIGHT_POINTS, WeightName
from webapp.planning.labels import PLANNING_WEIGHTS
from webapp.services.errors import ValidationError as ServiceValidationError

# Digit group separators a coordinator may type, as in "2 000". A comma is not one:
# in French it starts the decimals, and "12,5" must be rejected, not read as 125.
GROUP_SEPARATORS = (" ", "\u00a0", "\u202f", "’", "'")
MAX_INPUT_LENGTH = 20


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def parse_points(text: str) -> int | None:
    """Return the whole number typed, digit group separators allowed, or None."""
    digits = text
    for separator in GROUP_SEPARATORS:
        digits = digits.replace(separator, "")
    # isdecimal() accepts digits of other scripts, which int() reads too, so only ASCII
    # digits pass.
    if not digits or len(text) > MAX_INPUT_LENGTH or not (digits.isascii() and digits.isdecimal()):
        return None
    return int(digits)


def _check_points(_form: FlaskForm, field: Field) -> None:
    if not field.data:
        raise ValidationError(
            lazy_gettext("Enter a whole number of points: 0 turns this rule off.")
        )
    value = parse_points(field.data)
    if value is None or value > MAX_WEIGHT_POINTS:
        raise ValidationError(
            lazy_gettext(
                "Enter a whole number from 0 to %(max)s, such as 500.",
                max=format_decimal(MAX_WEIGHT_POINTS),
            )
        )


class PlanningWeightsForm(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no types
    """A text field per `WeightName`, named by its value; fields are added below."""

    def weight_fields(self) -> list[Field]:
        """Return the weight fields in `WeightName` order."""
        return [self[name.value] for name in WeightName]

    def weights_data(self) -> dict[str, int]:
        """Return the typed weights; call only after `validate()` succeeded."""
        values: dict[str, int] = {}
        for field in self.weight_fields():
            value = parse_points(field.data)
            if value is None:
                raise RuntimeError("weights_data() called on a form that was not validated")
            values[field.name] = value
        return values

    def add_service_error(self, error: ServiceValidationError) -> None:
        """Show a weight the service rejected next to its field."""
        field = self[error.field] if error.field in self else self.weight_fields()[0]
        field.errors = [
            *field.errors,
            lazy_gettext(
                "Enter a whole number from 0 to %(max)s, such as 500.",
                max=format_decimal(MAX_WEIGHT_POINTS),
            ),
        ]


for _name in WeightName:
    _label, _meaning = PLANNING_WEIGHTS[_name]
    setattr(
        PlanningWeightsForm,
        _name.value,
        StringField(_label, description=_meaning, filters=[_strip], validators=[_check_points]),
    )
