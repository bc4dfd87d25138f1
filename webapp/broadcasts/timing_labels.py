"""Sentences about when a broadcast goes out: its sending time and why a time is refused."""

import math
from datetime import datetime

from flask_babel import format_date, format_decimal, format_time, gettext, ngettext

from messaging.send_timing import SendTiming, TimingProblem

SECONDS_PER_MINUTE = 60
MINUTES_PER_HOUR = 60


def _(text: str, **values: object) -> str:
    return str(gettext(text, **values))


def duration_label(seconds: float) -> str:
    """Describe a sending time, rounded up to the second below a minute, else to the minute."""
    if seconds < 1:
        return _("less than a second")
    whole_seconds = math.ceil(seconds)
    if whole_seconds < SECONDS_PER_MINUTE:
        return str(ngettext("%(num)d second", "%(num)d seconds", whole_seconds))
    minutes = math.ceil(seconds / SECONDS_PER_MINUTE)
    if minutes < MINUTES_PER_HOUR:
        return str(ngettext("%(num)d minute", "%(num)d minutes", minutes))
    hours, rest = divmod(minutes, MINUTES_PER_HOUR)
    # Translators: a duration such as "2 h 47 min".
    return _("%(hours)d h %(minutes)02d min", hours=hours, minutes=rest)


def moment_label(moment: datetime) -> str:
    """Describe an instant as its day and time in the configured time zone (Paris)."""
    return _(
        "%(date)s at %(time)s", date=format_date(moment, "full"), time=format_time(moment, "short")
    )


def rate_label(rate_per_s: float) -> str:
    """Describe a sender's rate, in units a second."""
    return _("%(rate)s per second", rate=format_decimal(rate_per_s))


def timing_problem_label(timing: SendTiming) -> str:
    """Explain why the broadcast may not go out as asked, and what to change."""
    if timing.problem is TimingProblem.INTO_SILENCE and timing.silence is not None:
        return _(
            "Sending would run into the electoral silence, from %(start)s until %(end)s, when "
            "campaign messages are forbidden. Choose another time, or fewer recipients so "
            "that sending ends before it.",
            start=moment_label(timing.silence.starts_at),
            end=moment_label(timing.silence.ends_at),
        )
    if timing.problem is TimingProblem.EXCEEDS_VALIDITY:
        return _(
            "Sending takes about %(duration)s at the sender's rate (%(rate)s), longer than "
            "the %(validity)s an SMS may wait at the provider before it is dropped. Choose "
            "fewer recipients or a shorter text.",
            duration=duration_label(timing.duration_s),
            rate=rate_label(timing.rate_per_s),
            validity=duration_label(timing.validity_period_s or 0),
        )
    if timing.problem is TimingProblem.PAST_WINDOW_CLOSE:
        return _(
            "Sending would start on %(start)s and take about %(duration)s: it would still be "
            "running at %(close)s, when campaign SMS must stop. Choose an earlier time, fewer "
            "recipients or a shorter text.",
            start=moment_label(timing.starts_at),
            duration=duration_label(timing.duration_s),
            close=format_time(timing.window_closes_at, "short"),
        )
    return ""
