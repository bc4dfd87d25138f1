"""The questionnaire a team fills in on the route page after a conversation at a door."""

import re
import unicodedata
from typing import Any

from flask_babel import format_number, lazy_gettext
from flask_babel import gettext as _
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from wtforms import Field, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from webapp.services.survey_answers import VOTE_LABELS, SurveyAnswers

MAX_ANSWER_LENGTH = 1000
# Line breaks and tabs may stay in an answer, but any other control character is refused.
ALLOWED_CONTROL_CHARACTERS = frozenset("\n\t")
# An e-mail address or a French phone number (0X or +33 X, then 8 digits, any separators).
EMAIL_RE = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
PHONE_RE = re.compile(r"(?:\+33|0033|\b0)\s*\(?0?\)?\s*[1-9](?:[\s.-]*\d{2}){4}\b")

VOTE_CHOICES = [SelectChoice(value, label) for value, label in VOTE_LABELS.items()]


def _topic_hint() -> str:
    # Built at render time, so the length reads as the error message writes it (« 1 000 »).
    hint = _(
        "In the person’s words, at most %(max)s characters. Write no name, address, phone "
        "number or anything else that could identify someone.",
        max=format_number(MAX_ANSWER_LENGTH),
    )
    return str(hint)


def _clean_text(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


class SurveyForm(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no types
    topic = TextAreaField(
        lazy_gettext("Which subject matters most to you in the neighbourhood?"),
        description=LazyString(_topic_hint),
        filters=[_clean_text],
        render_kw={"maxlength": MAX_ANSWER_LENGTH},
    )
    intends_to_vote = RadioField(
        lazy_gettext("Do you intend to vote? (optional)"),
        choices=VOTE_CHOICES,
        validators=[Optional()],
        # Checked by `validate_intends_to_vote`, with a message of the project's own.
        validate_choice=False,
    )

    def validate_topic(self, field: Field) -> None:
        text = field.data or ""
        if not text:
            raise ValidationError(_("Write the subject the person talked about."))
        if len(text) > MAX_ANSWER_LENGTH:
            raise ValidationError(
                _(
                    "Use at most %(max)s characters: this answer has %(count)s.",
                    max=format_number(MAX_ANSWER_LENGTH),
                    count=format_number(len(text)),
                )
            )
        if any(_is_refused_control(char) for char in text):
            raise ValidationError(_("Remove the invisible control characters from the text."))
        if EMAIL_RE.search(text) or PHONE_RE.search(text):
            raise ValidationError(
                _("Remove the e-mail address or phone number: answers must not identify anyone.")
            )

    def validate_intends_to_vote(self, field: Field) -> None:
        if field.data not in VOTE_LABELS:
            raise ValidationError(_("Choose one of the answers to the voting question."))

    @property
    def answers(self) -> SurveyAnswers:
        return SurveyAnswers(
            topic=self.topic.data, intends_to_vote=self.intends_to_vote.data or None
        )


def _is_refused_control(char: str) -> bool:
    return unicodedata.category(char) == "Cc" and char not in ALLOWED_CONTROL_CHARACTERS
