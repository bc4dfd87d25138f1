"""The broadcast form: channel, segment, text, schedule and the key against double sends."""

import secrets
from datetime import date, datetime, time
from typing import Any

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import Field, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, ValidationError

from webapp.broadcasts.timing_labels import timing_problem_label
from webapp.models.users import Channel
from webapp.services.broadcast_drafts import (
    MAX_EMAIL_BODY_LENGTH,
    MAX_SUBJECT_LENGTH,
    BroadcastDraft,
    SendTimingError,
)
from webapp.services.broadcast_segments import Segment, SegmentChoices, SegmentKind
from webapp.services.errors import ValidationError as ServiceValidationError
from webapp.services.localtime import local_to_utc

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
TIME_FORMATS = ("%H:%M", "%Hh%M", "%Hh")
SUBMISSION_KEY_BYTES = 24

# Service error codes, as (form field, message) shown to coordinators.
SERVICE_ERRORS: dict[tuple[str, str], tuple[str, Any]] = {
    ("body", "empty"): ("body", lazy_gettext("Write the text of the message.")),
    ("body", "too_long"): ("body", lazy_gettext("This text is too long for this channel.")),
    ("body", "missing_stop"): (
        "body",
        lazy_gettext(
            "A campaign SMS must say how to stop receiving them: add “Reply STOP” "
            "(or “STOP to” followed by a number) to the text."
        ),
    ),
    ("subject", "empty"): ("subject", lazy_gettext("Write the subject of the e-mail.")),
    ("subject", "too_long"): ("subject", lazy_gettext("The subject is too long.")),
    ("scheduled_at", "in_the_past"): (
        "send_time",
        lazy_gettext("Choose a time in the future, or leave both fields empty to send now."),
    ),
    ("scheduled_at", "too_far"): (
        "send_day",
        lazy_gettext("Choose a date within the next twelve months."),
    ),
    ("segment", "unknown_session"): ("session_id", lazy_gettext("Choose a session from the list.")),
    ("segment", "missing_iris"): ("iris_code", lazy_gettext("Choose an IRIS from the list.")),
    ("segment", "missing_dates"): (
        "date_from",
        lazy_gettext("Give the first and the last day of the period."),
    ),
    ("segment", "dates_reversed"): (
        "date_to",
        lazy_gettext("The last day must not be before the first day."),
    ),
    ("segment", "range_too_long"): (
        "date_to",
        lazy_gettext("Choose a period of at most one year."),
    ),
}


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _parse(text: str, formats: tuple[str, ...]) -> datetime | None:
    for pattern in formats:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    return None


def new_submission_key() -> str:
    """Draw the random key that makes one broadcast of one form, however often posted."""
    return secrets.token_urlsafe(SUBMISSION_KEY_BYTES)


class BroadcastForm(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no types
    channel = RadioField(
        lazy_gettext("Channel"),
        choices=[
            SelectChoice(Channel.SMS.value, lazy_gettext("SMS")),
            SelectChoice(Channel.EMAIL.value, lazy_gettext("E-mail")),
        ],
        default=Channel.SMS.value,
        validators=[InputRequired(message=lazy_gettext("Choose SMS or e-mail."))],
    )
    segment = RadioField(
        lazy_gettext("Recipients"),
        choices=[
            SelectChoice(SegmentKind.ALL.value, lazy_gettext("All volunteers")),
            SelectChoice(SegmentKind.SESSION.value, lazy_gettext("The volunteers of one session")),
            SelectChoice(
                SegmentKind.IRIS.value, lazy_gettext("The volunteers of the sessions in one IRIS")
            ),
            SelectChoice(
                SegmentKind.DATES.value, lazy_gettext("The volunteers of the sessions in a period")
            ),
            SelectChoice(
                SegmentKind.UNASSIGNED.value, lazy_gettext("The volunteers not yet assigned")
            ),
        ],
        default=SegmentKind.ALL.value,
        validators=[InputRequired(message=lazy_gettext("Choose who receives the message."))],
    )
    session_id = SelectField(lazy_gettext("Session"), validate_choice=False)
    iris_code = SelectField(lazy_gettext("IRIS"), validate_choice=False)
    date_from = StringField(
        lazy_gettext("First day"),
        description=lazy_gettext("For example 01/03/2027."),
        filters=[_strip],
    )
    date_to = StringField(
        lazy_gettext("Last day"),
        description=lazy_gettext("For example 31/03/2027."),
        filters=[_strip],
    )
    subject = StringField(
        lazy_gettext("Subject of the e-mail"),
        filters=[_strip],
        validators=[
            Length(max=MAX_SUBJECT_LENGTH, message=lazy_gettext("Use at most %(max)d characters."))
        ],
    )
    body = TextAreaField(
        lazy_gettext("Text"),
        description=lazy_gettext(
            "An SMS must name the sender and say how to stop, for example: "
            "“Reply STOP to stop receiving them.”"
        ),
        filters=[_strip],
        validators=[
            InputRequired(message=lazy_gettext("Write the text of the message.")),
            Length(
                max=MAX_EMAIL_BODY_LENGTH, message=lazy_gettext("Use at most %(max)d characters.")
            ),
        ],
    )
    send_day = StringField(
        lazy_gettext("Send on"),
        description=lazy_gettext("Leave empty to send now. Paris time."),
        filters=[_strip],
    )
    send_time = StringField(lazy_gettext("At"), filters=[_strip])
    submission_key = HiddenField()

    def __init__(self, *args: Any, choices: SegmentChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.session_id.choices = [(str(choice.session_id), choice) for choice in choices.sessions]
        self.iris_code.choices = [(choice.code, choice) for choice in choices.iris]
        self.segment_choices = choices
        if not self.submission_key.data:
            self.submission_key.data = new_submission_key()
        self._date_from: date | None = None
        self._date_to: date | None = None
        self._scheduled_at: datetime | None = None

    def validate_date_from(self, field: Field) -> None:
        self._date_from = self._optional_date(field)

    def validate_date_to(self, field: Field) -> None:
        self._date_to = self._optional_date(field)

    def validate_send_day(self, field: Field) -> None:
        day = self._optional_date(field)
        moment = self._optional_time(self.send_time)
        if day is None and moment is None:
            return
        if day is None:
            raise ValidationError(lazy_gettext("Give the date as well as the time."))
        if moment is None:
            self.send_time.errors = [
                *self.send_time.errors,
                lazy_gettext("Give the time as well as the date."),
            ]
            return
        self._scheduled_at = local_to_utc(datetime.combine(day, moment))

    def validate_send_time(self, field: Field) -> None:
        self._optional_time(field)

    def _optional_date(self, field: Field) -> date | None:
        if not field.data:
            return None
        parsed = _parse(field.data, DATE_FORMATS)
        if parsed is None:
            raise ValidationError(lazy_gettext("Enter a date such as 15/03/2027."))
        return parsed.date()

    def _optional_time(self, field: Field) -> time | None:
        if not field.data:
            return None
        parsed = _parse(field.data, TIME_FORMATS)
        if parsed is None:
            raise ValidationError(lazy_gettext("Enter a time such as 09:30."))
        return parsed.time()

    def to_segment(self) -> Segment:
        """Return the chosen segment; call only after `validate()` succeeded."""
        kind = SegmentKind(self.segment.data)
        session_id = self.session_id.data
        return Segment(
            kind=kind,
            session_id=int(session_id)
            if kind == SegmentKind.SESSION and session_id and session_id.isdigit()
            else None,
            iris_code=self.iris_code.data or None if kind == SegmentKind.IRIS else None,
            date_from=self._date_from if kind == SegmentKind.DATES else None,
            date_to=self._date_to if kind == SegmentKind.DATES else None,
        )

    def to_draft(self) -> BroadcastDraft:
        """Return the validated broadcast; call only after `validate()` succeeded."""
        channel = Channel(self.channel.data)
        return BroadcastDraft(
            channel=channel,
            segment=self.to_segment(),
            body=self.body.data or "",
            subject=(self.subject.data or "") if channel == Channel.EMAIL else "",
            scheduled_at=self._scheduled_at,
        )

    def add_service_error(self, error: ServiceValidationError, sender: str) -> None:
        """Show a rule the service refused next to the field it concerns."""
        if isinstance(error, SendTimingError):
            field_name, message = "send_day", timing_problem_label(error.timing)
        elif (error.field, error.message) == ("body", "missing_sender"):
            field_name, message = (
                "body",
                lazy_gettext(
                    "A campaign SMS must say who sends it: add the name “%(sender)s” to the text.",
                    sender=sender,
                ),
            )
        else:
            field_name, message = SERVICE_ERRORS.get(
                (error.field, error.message),
                ("body", lazy_gettext("This message cannot be sent as it is.")),
            )
        self[field_name].errors = [*self[field_name].errors, message]
