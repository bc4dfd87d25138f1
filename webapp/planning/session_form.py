"""The form of a new canvassing session: when, where, where the routes end, how many."""

from datetime import date, datetime, time
from typing import Any

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import Field, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from webapp.db import db_session
from webapp.planning.fields import strip
from webapp.services.addresses import HomeNotFoundError, HomeProblem, find_home
from webapp.services.current_campaign import Territory
from webapp.services.errors import ValidationError as ServiceValidationError
from webapp.services.errors import ValidationErrors
from webapp.services.planning_view import IrisChoice
from webapp.services.session_rules import check_bounds, check_day, check_point, check_times
from webapp.services.sessions import SessionDraft

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
TIME_FORMATS = ("%H:%M", "%Hh%M", "%Hh")
MAX_VOLUNTEERS = 200

# Service error codes of `create_session`, as (form field, message) shown to coordinators.
SERVICE_ERRORS: dict[tuple[str, str], tuple[str, Any]] = {
    ("day", "in_the_past"): (
        "day",
        lazy_gettext("This date is in the past: choose today or a later day."),
    ),
    ("end", "end_before_start"): ("end", lazy_gettext("The end must be after the start.")),
    ("max_volunteers", "bad_bounds"): (
        "max_volunteers",
        lazy_gettext(
            "The maximum must be at least the minimum, and the minimum at least 2 "
            "(volunteers go in pairs)."
        ),
    ),
    ("iris_code", "unknown_iris"): ("iris_code", lazy_gettext("Choose an IRIS from the list.")),
    ("meeting_point", "unknown_address"): (
        "meeting_address",
        lazy_gettext("This address is no longer in the territory: type it again."),
    ),
    ("meeting_point", "missing"): (
        "meeting_address",
        lazy_gettext(
            "Give the meeting point: type its address, or its latitude and longitude "
            "(clicking the map fills them in)."
        ),
    ),
    ("meeting_point", "bad_coordinate"): (
        "meeting_lat",
        lazy_gettext("Latitude must lie between -90 and 90 and longitude between -180 and 180."),
    ),
    ("meeting_point", "far_from_iris"): (
        "meeting_lat",
        lazy_gettext(
            "This point is more than 2 km away from the IRIS of the session: check the "
            "latitude and the longitude, or click the meeting point on the map."
        ),
    ),
    ("end_point", "far_from_iris"): (
        "end_lat",
        lazy_gettext(
            "This stop is more than 2 km away from the IRIS of the session: check its "
            "latitude and longitude, or click it on the map."
        ),
    ),
    ("end_point", "incomplete"): (
        "end_lat",
        lazy_gettext("Give both the latitude and the longitude of the stop, or neither."),
    ),
    ("end_point", "bad_coordinate"): (
        "end_lat",
        lazy_gettext("Latitude must lie between -90 and 90 and longitude between -180 and 180."),
    ),
}


def _parse(text: str, formats: tuple[str, ...]) -> datetime | None:
    for pattern in formats:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    return None


def _parse_decimal(text: str) -> float | None:
    try:
        return float(text.replace(",", ".").replace(" ", ""))
    except ValueError:
        return None


class SessionForm(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no types
    day = StringField(
        lazy_gettext("Date"),
        description=lazy_gettext("For example 15/03/2027."),
        filters=[strip],
        validators=[InputRequired(message=lazy_gettext("Enter the date of the session."))],
    )
    start = StringField(
        lazy_gettext("Start time"),
        description=lazy_gettext("Paris time, for example 09:30."),
        filters=[strip],
        validators=[InputRequired(message=lazy_gettext("Enter the start time."))],
    )
    end = StringField(
        lazy_gettext("End time"),
        description=lazy_gettext("Paris time, for example 12:00."),
        filters=[strip],
        validators=[InputRequired(message=lazy_gettext("Enter the end time."))],
    )
    iris_code = SelectField(
        lazy_gettext("IRIS to canvass"),
        description=lazy_gettext("Target IRIS come first."),
        validate_choice=False,
        validators=[InputRequired(message=lazy_gettext("Choose an IRIS from the list."))],
    )
    meeting_address = StringField(
        lazy_gettext("Address of the meeting point"),
        description=lazy_gettext(
            "A number and a street of the territory, such as 1 avenue de la République. "
            "Leave it empty to give a point on the map instead."
        ),
        filters=[strip],
        validators=[
            Optional(),
            Length(max=200, message=lazy_gettext("Use at most %(max)d characters.")),
        ],
    )
    meeting_lat = StringField(lazy_gettext("Latitude"), filters=[strip])
    meeting_lon = StringField(lazy_gettext("Longitude"), filters=[strip])
    meeting_label = StringField(
        lazy_gettext("Name of the place"),
        description=lazy_gettext(
            "Used with a point on the map, for example “In front of the library”."
        ),
        filters=[strip],
        validators=[Length(max=200, message=lazy_gettext("Use at most %(max)d characters."))],
    )
    end_lat = StringField(lazy_gettext("Latitude of the stop"), filters=[strip])
    end_lon = StringField(lazy_gettext("Longitude of the stop"), filters=[strip])
    end_label = StringField(
        lazy_gettext("Name of the stop"),
        description=lazy_gettext("For example “Bondy station (RER E)”."),
        filters=[strip],
        validators=[Length(max=200, message=lazy_gettext("Use at most %(max)d characters."))],
    )
    min_volunteers = StringField(
        lazy_gettext("Minimum number of volunteers"),
        default="2",
        filters=[strip],
        validators=[InputRequired(message=lazy_gettext("Enter a whole number, such as 4."))],
    )
    max_volunteers = StringField(
        lazy_gettext("Maximum number of volunteers"),
        default="8",
        filters=[strip],
        validators=[InputRequired(message=lazy_gettext("Enter a whole number, such as 8."))],
    )

    def __init__(
        self,
        *args: Any,
        territory: Territory,
        iris_choices: list[IrisChoice],
        today: date,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.territory = territory
        self.today = today
        self.iris_choices = iris_choices
        self.iris_code.choices = [(choice.code, choice.name) for choice in iris_choices]
        self.meeting_address_id: int | None = None
        self._day: date | None = None
        self._start: time | None = None
        self._end: time | None = None
        self._lat: float | None = None
        self._lon: float | None = None
        self._end_lat: float | None = None
        self._end_lon: float | None = None
        self._min: int | None = None
        self._max: int | None = None

    def validate_day(self, field: Field) -> None:
        parsed = _parse(field.data, DATE_FORMATS)
        if parsed is None:
            raise ValidationError(lazy_gettext("Enter a date such as 15/03/2027."))
        self._day = parsed.date()

    def validate_start(self, field: Field) -> None:
        self._start = self._time(field)

    def validate_end(self, field: Field) -> None:
        self._end = self._time(field)

    def _time(self, field: Field) -> time:
        parsed = _parse(field.data, TIME_FORMATS)
        if parsed is None:
            raise ValidationError(lazy_gettext("Enter a time such as 09:30."))
        return parsed.time()

    def validate_meeting_address(self, field: Field) -> None:
        if not field.data:
            return
        territory = self.territory
        try:
            location = find_home(
                db_session(), field.data, territory.commune_codes, territory.commune_names
            )
        except HomeNotFoundError as error:
            raise ValidationError(self._address_message(error.problem)) from None
        if location.address_id is None:
            raise ValidationError(self._address_message(HomeProblem.NUMBER_MISSING))
        self.meeting_address_id = location.address_id

    def _address_message(self, problem: HomeProblem) -> Any:
        if problem is HomeProblem.NOT_FOUND:
            return lazy_gettext(
                "This address is not in the territory. Check the number and the street, "
                "or click the meeting point on the map."
            )
        if problem is HomeProblem.POSTCODE_OUTSIDE:
            return lazy_gettext("This postcode is outside the territory of the campaign.")
        return lazy_gettext("Enter a house number and a street, such as 1 avenue Gallieni.")

    def validate_min_volunteers(self, field: Field) -> None:
        self._min = self._count(field, lazy_gettext("Enter a whole number, such as 4."))

    def validate_max_volunteers(self, field: Field) -> None:
        self._max = self._count(field, lazy_gettext("Enter a whole number, such as 8."))

    def _count(self, field: Field, message: Any) -> int:
        # isdigit() accepts superscripts such as "²" that int() rejects; ASCII digits only.
        if not (field.data.isascii() and field.data.isdecimal()):
            raise ValidationError(message)
        value = int(field.data)
        if value > MAX_VOLUNTEERS:
            raise ValidationError(lazy_gettext("Enter a number up to %(max)s.", max=MAX_VOLUNTEERS))
        return value

    def validate_meeting_lat(self, field: Field) -> None:
        self._lat = self._coordinate(field, lazy_gettext("Enter a latitude such as 48.9022."))

    def validate_meeting_lon(self, field: Field) -> None:
        self._lon = self._coordinate(field, lazy_gettext("Enter a longitude such as 2.4826."))

    def validate_end_lat(self, field: Field) -> None:
        self._end_lat = self._coordinate(field, lazy_gettext("Enter a latitude such as 48.9022."))

    def validate_end_lon(self, field: Field) -> None:
        self._end_lon = self._coordinate(field, lazy_gettext("Enter a longitude such as 2.4826."))

    def _coordinate(self, field: Field, message: Any) -> float | None:
        if not field.data:
            return None
        value = _parse_decimal(field.data)
        if value is None:
            raise ValidationError(message)
        return value

    def validate(self, extra_validators: Any = None) -> bool:
        if super().validate(extra_validators):
            return True
        # The service checks the rules between fields only once every field is read. The
        # form checks now those whose fields it could read, so all errors show at once.
        for error in self._rule_errors():
            self.add_service_error(error)
        return False

    def _rule_errors(self) -> list[ServiceValidationError]:
        errors = []
        if self._day is not None:
            errors += check_day(self._day, self.today)
        if self._start is not None and self._end is not None:
            errors += check_times(self._start, self._end)
        if self._min is not None and self._max is not None:
            errors += check_bounds(self._min, self._max)
        return errors + self._meeting_point_errors() + self._end_point_errors()

    def _meeting_point_errors(self) -> list[ServiceValidationError]:
        if self.meeting_address.data or self.meeting_lat.errors or self.meeting_lon.errors:
            return []
        if self._lat is None or self._lon is None:
            return [ServiceValidationError("meeting_point", "missing")]
        return check_point(
            db_session(), "meeting_point", self.iris_code.data or "", self._lon, self._lat
        )

    def _end_point_errors(self) -> list[ServiceValidationError]:
        if self.end_lat.errors or self.end_lon.errors:
            return []
        if self._end_lat is None and self._end_lon is None:
            return []
        if self._end_lat is None or self._end_lon is None:
            return [ServiceValidationError("end_point", "incomplete")]
        return check_point(
            db_session(), "end_point", self.iris_code.data or "", self._end_lon, self._end_lat
        )

    def to_draft(self) -> SessionDraft:
        """Return the validated session; call only after `validate()` succeeded."""
        if (
            self._day is None
            or self._start is None
            or self._end is None
            or self._min is None
            or self._max is None
        ):
            raise RuntimeError("to_draft() called on a form that was not validated")
        use_coordinates = self.meeting_address_id is None
        return SessionDraft(
            day=self._day,
            start=self._start,
            end=self._end,
            iris_code=self.iris_code.data,
            min_volunteers=self._min,
            max_volunteers=self._max,
            meeting_address_id=self.meeting_address_id,
            meeting_lon=self._lon if use_coordinates else None,
            meeting_lat=self._lat if use_coordinates else None,
            meeting_label=self.meeting_label.data or "",
            end_lon=self._end_lon,
            end_lat=self._end_lat,
            end_label=self.end_label.data or "",
        )

    def add_service_errors(self, errors: ValidationErrors) -> None:
        """Show every rule the service refused next to the field it concerns."""
        for error in errors.errors:
            self.add_service_error(error)

    def add_service_error(self, error: ServiceValidationError) -> None:
        """Show a rule the service refused next to the field it concerns."""
        field_name, message = SERVICE_ERRORS.get(
            (error.field, error.message),
            ("meeting_address", lazy_gettext("This session cannot be created as it is.")),
        )
        self[field_name].errors = [*self[field_name].errors, message]
