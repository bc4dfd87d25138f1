"""Normalising the e-mail address and mobile phone number a person types."""

import re
from enum import StrEnum

import phonenumbers
from email_validator import EmailNotValidError, validate_email

# National significant numbers of French mobiles: 06 and 07 3 to 07 9 (ARCEP plan).
_FRENCH_MOBILE_RE = re.compile(r"(?:6\d|7[3-9])\d{7}")
_MOBILE_TYPES = (
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
)
MAX_PHONE_INPUT_LENGTH = 40


class ContactProblem(StrEnum):
    INVALID_EMAIL = "invalid_email"
    INVALID_PHONE = "invalid_phone"
    NOT_MOBILE = "not_mobile"


class InvalidContactError(ValueError):
    """The text is not a usable e-mail address or mobile number, for the reason in `problem`."""

    def __init__(self, problem: ContactProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def normalise_email(raw: str) -> str:
    """Return the address in lower case, or raise InvalidContactError."""
    try:
        checked = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError:
        raise InvalidContactError(ContactProblem.INVALID_EMAIL) from None
    return checked.normalized.lower()


def normalise_mobile_phone(raw: str, region: str = "FR") -> str:
    """Return a mobile number in E.164, reading national numbers as `region`'s.

    Landlines and VoIP numbers are refused because the number is for SMS.
    """
    text = raw.strip()
    if not text or len(text) > MAX_PHONE_INPUT_LENGTH:
        raise InvalidContactError(ContactProblem.INVALID_PHONE)
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise InvalidContactError(ContactProblem.INVALID_PHONE) from None
    if phonenumbers.is_valid_number(number):
        if phonenumbers.number_type(number) not in _MOBILE_TYPES:
            raise InvalidContactError(ContactProblem.NOT_MOBILE)
    elif not _is_unlisted_french_mobile(number):
        raise InvalidContactError(ContactProblem.INVALID_PHONE)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _is_unlisted_french_mobile(number: phonenumbers.PhoneNumber) -> bool:
    # The phonenumbers metadata lags ARCEP's allocations (it rejects the whole 06 39
    # block, for one), so a well-formed 06/07 number is accepted rather than turning a
    # volunteer away. NOTE: such a number may still be unreachable; delivery reports
    # will tell.
    national = str(number.national_number)
    return number.country_code == 33 and _FRENCH_MOBILE_RE.fullmatch(national) is not None
