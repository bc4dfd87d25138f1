"""Forms of the profile page: one per section, each posted on its own."""

import re
from datetime import date, datetime, timedelta
from typing import Any

from babel import Locale
from flask_babel import get_locale, lazy_gettext
from flask_wtf import FlaskForm
from wtforms import (
    Field,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import AnyOf, DataRequired, InputRequired, ValidationError
from wtforms.widgets import CheckboxInput, DateInput, ListWidget, TimeInput

from webapp.accounts.form_fields import (
    checked_email,
    checked_mobile_phone,
    clean_text,
    current_password_field,
    email_field,
    first_name_field,
    last_name_field,
    mobile_phone_field,
    strip,
)
from webapp.accounts.forms import EXPERIENCE_EXPERIENCED, availability_field, experience_field
from webapp.services.profile import (
    CONSENT_CHOICES,
    TRAVEL_MODES,
    ContactChange,
    ExceptionRequest,
    Preferences,
)

# Languages offered as boxes: the most spoken at home in the communes served, after French.
COMMON_LANGUAGES = ("ar", "en", "es", "pt", "tr", "ta")
MAX_OTHER_LANGUAGES = 10
MIN_TRAVEL_MINUTES = 5
MAX_TRAVEL_MINUTES = 120
# How far ahead an exception may be set.
MAX_EXCEPTION_DAYS = 366
LOCALES = ("fr", "en")
_TIME_RE = re.compile(r"([0-9]{1,2}):([0-9]{2})")
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_LANGUAGE_SPLIT_RE = re.compile(r"[\s,;]+")
_ISO_639_1_RE = re.compile(r"[a-z]{2}")
KIND_UNAVAILABLE = "unavailable"
KIND_AVAILABLE = "available"
GRANT = "grant"
WITHDRAW = "withdraw"


def language_name(code: str) -> str:
    """Return the name of a language in the page's language, or the code itself."""
    name = Locale.parse(str(get_locale())).languages.get(code)
    return name[:1].upper() + name[1:] if name else code


def _is_known_language(code: str) -> bool:
    return _ISO_639_1_RE.fullmatch(code) is not None and code in Locale("en").languages


class ContactForm(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no types
    first_name = first_name_field()
    last_name = last_name_field()
    phone = mobile_phone_field(
        lazy_gettext("For example 06 12 34 56 78. Leave empty to receive no SMS at all.")
    )
    locale = RadioField(
        lazy_gettext("Language of the site and of our messages"),
        choices=[SelectChoice("fr", "Français"), SelectChoice("en", "English")],
        validate_choice=False,
        validators=[
            AnyOf(list(LOCALES), message=lazy_gettext("Choose French or English.")),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.phone_e164: str | None = None

    def validate_phone(self, field: Field) -> None:
        if not field.data:
            self.phone_e164 = None
            return
        self.phone_e164 = checked_mobile_phone(field.data)

    def to_change(self) -> ContactChange:
        return ContactChange(
            first_name=self.first_name.data,
            last_name=self.last_name.data,
            phone_e164=self.phone_e164,
            locale=self.locale.data,
        )


class EmailChangeForm(FlaskForm):  # type: ignore[misc]
    new_email = email_field(
        lazy_gettext("New e-mail address"),
        required_message=lazy_gettext("Enter your new e-mail address."),
        description=lazy_gettext(
            "We send a link to this address. Your current address stays until you open it."
        ),
    )
    current_password = current_password_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.normalised_email = ""

    def validate_new_email(self, field: Field) -> None:
        self.normalised_email = checked_email(field.data)


class WeeklyAvailabilityForm(FlaskForm):  # type: ignore[misc]
    availability = availability_field()


class ExceptionForm(FlaskForm):  # type: ignore[misc]
    on_date = StringField(
        lazy_gettext("Date"),
        widget=DateInput(),
        filters=[strip],
        validators=[DataRequired(message=lazy_gettext("Enter a date.")), *clean_text(10)],
    )
    kind = RadioField(
        lazy_gettext("On that day"),
        choices=[
            SelectChoice(KIND_UNAVAILABLE, lazy_gettext("I am not available")),
            SelectChoice(KIND_AVAILABLE, lazy_gettext("I am available")),
        ],
        default=KIND_UNAVAILABLE,
        validate_choice=False,
        validators=[
            InputRequired(message=lazy_gettext("Say whether you are available.")),
            AnyOf(
                [KIND_UNAVAILABLE, KIND_AVAILABLE],
                message=lazy_gettext("Say whether you are available."),
            ),
        ],
    )
    start_time = StringField(
        lazy_gettext("From"),
        widget=TimeInput(),
        description=lazy_gettext("Leave both times empty for the whole day."),
        filters=[strip],
        validators=clean_text(5),
    )
    end_time = StringField(
        lazy_gettext("To"), widget=TimeInput(), filters=[strip], validators=clean_text(5)
    )

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.parsed_date: date | None = None
        self.start_minute: int | None = None
        self.end_minute: int | None = None

    def validate_on_date(self, field: Field) -> None:
        parsed = _parse_date(field.data)
        if parsed is None:
            raise ValidationError(lazy_gettext("Enter a date such as 2027-03-14."))
        if parsed < self.today:
            raise ValidationError(lazy_gettext("Choose today or a later date."))
        if parsed > self.today + timedelta(days=MAX_EXCEPTION_DAYS):
            raise ValidationError(lazy_gettext("Choose a date within the next year."))
        self.parsed_date = parsed

    def validate_start_time(self, field: Field) -> None:
        self.start_minute = _minutes(field.data)

    def validate_end_time(self, field: Field) -> None:
        self.end_minute = _minutes(field.data)
        start_given = bool(self.start_time.data)
        if start_given != bool(field.data):
            raise ValidationError(lazy_gettext("Give both times, or neither for the whole day."))
        if (
            self.start_minute is not None
            and self.end_minute is not None
            and self.end_minute <= self.start_minute
        ):
            raise ValidationError(lazy_gettext("The end must come after the start."))

    def to_request(self) -> ExceptionRequest:
        if self.parsed_date is None:
            raise RuntimeError("to_request() called on a form that was not validated")
        return ExceptionRequest(
            on_date=self.parsed_date,
            start_minute=self.start_minute,
            end_minute=self.end_minute,
            is_available=self.kind.data == KIND_AVAILABLE,
        )


class MultiCheckboxField(SelectMultipleField):  # type: ignore[misc]
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PreferencesForm(FlaskForm):  # type: ignore[misc]
    experience = experience_field()
    partner_email = email_field(
        lazy_gettext("A volunteer you would like to canvass with"),
        description=lazy_gettext(
            "Their e-mail address, if they signed up too. We pair you when we can."
        ),
    )
    languages = MultiCheckboxField(
        lazy_gettext("Languages you speak besides French"),
        choices=[SelectChoice(code) for code in COMMON_LANGUAGES],
        validate_choice=False,
    )
    other_languages = StringField(
        lazy_gettext("Other languages"),
        description=lazy_gettext(
            "Two-letter codes separated by commas, for example wo, ln for Wolof and Lingala."
        ),
        filters=[strip],
        validators=clean_text(60),
    )
    max_travel_minutes = StringField(
        lazy_gettext("Longest trip to a meeting point, in minutes"),
        description=lazy_gettext("Leave empty if it does not matter."),
        filters=[strip],
        render_kw={"inputmode": "numeric"},
        validators=clean_text(5),
    )
    travel_mode = RadioField(
        lazy_gettext("You get there"),
        choices=[
            SelectChoice("walk", lazy_gettext("on foot")),
            SelectChoice("transit", lazy_gettext("by public transport")),
        ],
        validate_choice=False,
        validators=[
            AnyOf(list(TRAVEL_MODES), message=lazy_gettext("Choose on foot or public transport.")),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.languages.choices = [
            SelectChoice(code, language_name(code)) for code in COMMON_LANGUAGES
        ]
        self.partner = ""
        self.codes: tuple[str, ...] = ()
        self.minutes: int | None = None

    def validate_partner_email(self, field: Field) -> None:
        if not field.data:
            return
        self.partner = checked_email(field.data)

    def validate_languages(self, field: Field) -> None:
        if not set(field.data or []) <= set(COMMON_LANGUAGES):
            raise ValidationError(lazy_gettext("Choose among the languages shown."))

    def validate_other_languages(self, field: Field) -> None:
        codes = [c for c in _LANGUAGE_SPLIT_RE.split((field.data or "").lower()) if c]
        unknown = [c for c in codes if not _is_known_language(c)]
        if unknown or len(codes) > MAX_OTHER_LANGUAGES:
            raise ValidationError(
                lazy_gettext(
                    "Use two-letter language codes (ISO 639-1), such as wo or ln, "
                    "at most 10 of them."
                )
            )
        self.codes = tuple(c for c in codes if c != "fr")

    def validate_max_travel_minutes(self, field: Field) -> None:
        if not field.data:
            self.minutes = None
            return
        if not field.data.isascii() or not field.data.isdigit():
            raise ValidationError(lazy_gettext("Enter a number of minutes, such as 30."))
        minutes = int(field.data)
        if not MIN_TRAVEL_MINUTES <= minutes <= MAX_TRAVEL_MINUTES:
            raise ValidationError(
                lazy_gettext(
                    "Enter between %(min)d and %(max)d minutes.",
                    min=MIN_TRAVEL_MINUTES,
                    max=MAX_TRAVEL_MINUTES,
                )
            )
        self.minutes = minutes

    def to_preferences(self) -> Preferences:
        return Preferences(
            is_experienced=self.experience.data == EXPERIENCE_EXPERIENCED,
            partner_email=self.partner or None,
            languages=tuple(self.languages.data or []) + self.codes,
            max_travel_minutes=self.minutes,
            travel_mode=self.travel_mode.data,
        )


class ConsentForm(FlaskForm):  # type: ignore[misc]
    """One button of the consent list: a purpose, a channel and a decision."""

    purpose = HiddenField(validators=[DataRequired()])
    channel = HiddenField(validators=[DataRequired()])
    decision = HiddenField(validators=[AnyOf([GRANT, WITHDRAW])])

    def validate_channel(self, field: Field) -> None:
        choices = {(purpose.value, channel.value) for purpose, channel in CONSENT_CHOICES}
        if (self.purpose.data, field.data) not in choices:
            raise ValidationError(lazy_gettext("Choose among the options shown."))


def _parse_date(text: str) -> date | None:
    if not _DATE_RE.fullmatch(text or ""):
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        return None


def _minutes(text: str) -> int | None:
    if not text:
        return None
    match = _TIME_RE.fullmatch(text)
    if match is None:
        raise ValidationError(lazy_gettext("Enter a time such as 14:30."))
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours > 23 or minutes > 59:
        raise ValidationError(lazy_gettext("Enter a time such as 14:30."))
    return hours * 60 + minutes
