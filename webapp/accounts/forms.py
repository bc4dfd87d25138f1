"""Forms of the accounts area: sign-up and log in."""

from typing import Any

from babel.lists import format_list
from flask_babel import get_locale, lazy_gettext
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import AnyOf, DataRequired, InputRequired, ValidationError

from webapp.accounts.form_fields import (
    checked_email,
    checked_mobile_phone,
    clean_text,
    email_field,
    first_name_field,
    last_name_field,
    mobile_phone_field,
    new_password_field,
    password_confirmation_field,
    password_field,
    strip,
)
from webapp.db import db_session
from webapp.services.addresses import HomeLocation, HomeNotFoundError, HomeProblem, find_home
from webapp.services.current_campaign import Territory
from webapp.services.signup import PERIOD_MINUTES, Period, SignupRequest

WEEKDAYS = range(7)
EXPERIENCE_FIRST_TIME = "first_time"
EXPERIENCE_EXPERIENCED = "experienced"


def slot_value(weekday: int, period: Period) -> str:
    """Return the form value of one cell of the availability grid."""
    return f"{weekday}-{period.value}"


SLOT_VALUES = [slot_value(day, period) for day in WEEKDAYS for period in PERIOD_MINUTES]


def _check_slots(form: FlaskForm, field: Field) -> None:
    if not field.data:
        raise ValidationError(lazy_gettext("Tick at least one time slot when you are free."))
    if not set(field.data) <= set(SLOT_VALUES):
        raise ValidationError(lazy_gettext("Choose among the time slots shown."))


def availability_field() -> SelectMultipleField:
    """Return the weekly grid field: one checkbox per weekday and period."""
    return SelectMultipleField(
        lazy_gettext("When are you usually free?"),
        description=lazy_gettext("Tick every time slot that suits you, week after week."),
        choices=[SelectChoice(value) for value in SLOT_VALUES],
        validate_choice=False,
        validators=[_check_slots],
    )


def experience_field() -> RadioField:
    return RadioField(
        lazy_gettext("Have you ever canvassed door to door?"),
        choices=[
            SelectChoice(EXPERIENCE_FIRST_TIME, lazy_gettext("No, this will be my first time")),
            SelectChoice(EXPERIENCE_EXPERIENCED, lazy_gettext("Yes, I have already canvassed")),
        ],
        validate_choice=False,
        validators=[
            InputRequired(message=lazy_gettext("Tell us whether you have canvassed before.")),
            AnyOf(
                [EXPERIENCE_FIRST_TIME, EXPERIENCE_EXPERIENCED],
                message=lazy_gettext("Tell us whether you have canvassed before."),
            ),
        ],
    )


def grid_cells(values: list[str]) -> frozenset[tuple[int, Period]]:
    """Turn validated grid values such as "0-morning" into (weekday, period) cells."""
    cells = (value.split("-", 1) for value in values)
    return frozenset((int(day), Period(period)) for day, period in cells)


class SignupForm(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no types
    first_name = first_name_field()
    last_name = last_name_field()
    email = email_field(
        lazy_gettext("E-mail address"),
        required_message=lazy_gettext("Enter your e-mail address."),
    )
    phone = mobile_phone_field(
        lazy_gettext(
            "For example 06 12 34 56 78. "
            "We send your reminders and routes by SMS if you agree below."
        ),
        required_message=lazy_gettext("Enter your mobile phone number."),
    )
    home = StringField(
        lazy_gettext("Address or postcode"),
        description=lazy_gettext(
            "Your number and street, such as 12 rue de la République, or only your postcode. "
            "It helps us suggest sessions near you; other volunteers never see it."
        ),
        filters=[strip],
        validators=[
            DataRequired(message=lazy_gettext("Enter your address or your postcode.")),
            *clean_text(200),
        ],
    )
    availability = availability_field()
    experience = experience_field()
    consent_email = BooleanField(
        lazy_gettext(
            "I agree to receive e-mails about my canvassing: confirmations, routes and reminders."
        )
    )
    consent_sms = BooleanField(
        lazy_gettext(
            "I agree to receive text messages (SMS) about my canvassing: "
            "confirmations, routes and reminders."
        )
    )
    password = new_password_field(lazy_gettext("Password"))
    password_confirmation = password_confirmation_field(lazy_gettext("Confirm the password"))

    def __init__(self, *args: Any, territory: Territory, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.territory = territory
        self.normalised_email = ""
        self.phone_e164 = ""
        self.home_location: HomeLocation | None = None

    def validate_email(self, field: Field) -> None:
        self.normalised_email = checked_email(field.data)

    def validate_phone(self, field: Field) -> None:
        self.phone_e164 = checked_mobile_phone(field.data)

    def validate_home(self, field: Field) -> None:
        territory = self.territory
        try:
            self.home_location = find_home(
                db_session(), field.data, territory.commune_codes, territory.commune_names
            )
        except HomeNotFoundError as error:
            raise ValidationError(self._home_message(error.problem)) from None

    def _home_message(self, problem: HomeProblem) -> Any:
        communes = format_list(list(self.territory.commune_names), locale=get_locale())
        if problem is HomeProblem.POSTCODE_OUTSIDE:
            return lazy_gettext(
                "This postcode is outside the area of the campaign (%(communes)s).",
                communes=communes,
            )
        if problem is HomeProblem.NOT_FOUND:
            return lazy_gettext(
                "We cannot find this address in %(communes)s. "
                "Check the number and the street, or enter only your postcode.",
                communes=communes,
            )
        return lazy_gettext("Enter your house number and street, or only your postcode.")

    def to_request(self, locale: str) -> SignupRequest:
        """Return the validated sign-up; call only after `validate()` succeeded."""
        if self.home_location is None:
            raise RuntimeError("to_request() called on a form that was not validated")
        return SignupRequest(
            first_name=self.first_name.data,
            last_name=self.last_name.data,
            email=self.normalised_email,
            phone_e164=self.phone_e164,
            password=self.password.data,
            home=self.home_location,
            availability=grid_cells(self.availability.data),
            is_experienced=self.experience.data == EXPERIENCE_EXPERIENCED,
            is_email_consented=bool(self.consent_email.data),
            is_sms_consented=bool(self.consent_sms.data),
            locale=locale,
        )


class LoginForm(FlaskForm):  # type: ignore[misc]
    email = email_field(
        lazy_gettext("E-mail address"),
        required_message=lazy_gettext("Enter your e-mail address."),
    )
    password = password_field(lazy_gettext("Password"), lazy_gettext("Enter your password."))
