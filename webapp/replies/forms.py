"""The feedback form a volunteer opens from the thank-you message after a session."""

from typing import Any

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import Field, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, ValidationError

from webapp.services.errors import ValidationError as ServiceValidationError
from webapp.services.feedback import MAX_COMMENT_LENGTH, clean_comment

RATING_CHOICES = [
    SelectChoice(1, lazy_gettext("1 – Bad")),
    SelectChoice(2, lazy_gettext("2 – Disappointing")),
    SelectChoice(3, lazy_gettext("3 – All right")),
    SelectChoice(4, lazy_gettext("4 – Good")),
    SelectChoice(5, lazy_gettext("5 – Excellent")),
]


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class FeedbackForm(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no types
    rating = RadioField(
        lazy_gettext("How did the session go?"),
        choices=RATING_CHOICES,
        coerce=int,
        validators=[InputRequired(message=lazy_gettext("Choose a rating from 1 to 5."))],
    )
    comment = TextAreaField(
        lazy_gettext("Anything to tell the team? (optional)"),
        description=lazy_gettext(
            "At most %(max)d characters. Coordinators read it without your name.",
            max=MAX_COMMENT_LENGTH,
        ),
        filters=[_strip],
        render_kw={"maxlength": MAX_COMMENT_LENGTH},
    )

    def validate_comment(self, field: Field) -> None:
        # The service counts characters once Windows line ends are made plain, as the
        # browser's maxlength does, so the length is checked there and not here.
        try:
            clean_comment(field.data or "")
        except ServiceValidationError as error:
            if error.message == "control_character":
                raise ValidationError(
                    lazy_gettext("Remove the invisible control characters from the text.")
                ) from None
            raise ValidationError(
                lazy_gettext("Use at most %(max)d characters.", max=MAX_COMMENT_LENGTH)
            ) from None
