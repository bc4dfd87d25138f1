"""Labels that name a canvassing session on pages and in messages.

A campaign may run several sessions at the same time in different IRIS, so a date and
time alone are ambiguous. Every label carries the IRIS name too.
"""

from datetime import datetime

from flask_babel import format_date, format_time, gettext


def session_label(
    starts_at: datetime, iris_name: str, date_format: str = "full", *, with_time: bool = True
) -> str:
    """Name a session by its day, start time and IRIS, in the current locale and timezone.

    `date_format` is a Babel date pattern or format name. Without the time, the label
    fits a sentence that gives the hours apart ("from 10:00 to 12:00").
    """
    date = format_date(starts_at, date_format)
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
