"""Phone number helpers."""

import phonenumbers


def mask_phone(e164: str) -> str:
    """Return a number fit for logs: country code, line-type digit and last two digits.

    `+33612345612` becomes `+33 6 ** ** ** 12`. A number that does not parse keeps only
    its last two digits.
    """
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return _mask_unparsed(e164)
    national = phonenumbers.national_significant_number(number)
    if len(national) < 4:
        return _mask_unparsed(e164)
    formatted = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    prefix = f"+{number.country_code}"
    if not formatted.startswith(prefix + " "):
        return _mask_unparsed(e164)
    rest = formatted[len(prefix) + 1 :]
    digit_positions = [index for index, char in enumerate(rest) if char.isdigit()]
    shown = {digit_positions[0], *digit_positions[-2:]}
    masked = "".join(
        "*" if char.isdigit() and index not in shown else char for index, char in enumerate(rest)
    )
    return f"{prefix} {masked}"


def _mask_unparsed(text: str) -> str:
    digits = [char for char in text if char.isdigit()]
    return "***" + "".join(digits[-2:]) if len(digits) >= 6 else "***"
