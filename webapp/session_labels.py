"""Labels that name a canvassing session on pages and in messages.

A campaign may run several sessions at the same time in different IRIS, so a date and
time alone are ambiguous. Every label carries the IRIS name too. Pages and e-mails name
a session with its full date ("samedi 13 mars 2027 à 09:30 (Mairie)"), so that a
session reads the same wherever a person reads it. Only text messages, where every
character counts, use the short date.
"""

from datetime import datetime

from flask_babel import format_date, format_time, gettext


def session_label(
    starts_at: datetime, iris_name: str, *, with_time: bool = True, is_short: bool = False
) -> str:
    """Name a session by its day, start time and IRIS, in the current locale and timezone.

    Without the time, the label fits a sentence or a page that gives the hours apart
    ("from 10:00 to 12:00"). `is_short` writes the date as "13/03/2027", for SMS.
    """
    date = format_date(starts_at, "short" if is_short else "full")
    if not with_time:
        return str(gettext("%(date)s (%(iris)s)", date=date, iris=iris_name))
    return str(
        gettext(
            "%(date)s at %(time)s (%(iris)s)",
            date=date,
            time=format_time(starts_at, "short"),
            iris=iris_name,
        )
    )
