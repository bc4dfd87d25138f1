"""The filters of the message list, read from the query string and checked there.

An unknown value is dropped and the page shows a notice about it, so an old bookmark or
a mistyped link still opens a page.
"""

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

from flask_babel import lazy_gettext
from werkzeug.datastructures import MultiDict

from webapp.models.messaging import MessagePurpose
from webapp.models.users import Channel
from webapp.services.localtime import local_day_bounds
from webapp.services.message_log import MessageFilter, StatusGroup

E = TypeVar("E", bound=StrEnum)

# A page number with more digits is past the end of any list: its length is checked
# before `int()` converts the text, which then reads this many digits at most.
MAX_PAGE_DIGITS = 6
PAST_ANY_PAGE = 10**MAX_PAGE_DIGITS
# The form of a date input's value. `date.fromisoformat` alone also reads "20270306"
# and week dates.
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)

UNKNOWN_VALUE_NOTICES: dict[str, Any] = {
    "status": lazy_gettext(
        "The status asked for is not known: messages of every status are shown."
    ),
    "channel": lazy_gettext(
        "The channel asked for is not known: messages of every channel are shown."
    ),
    "purpose": lazy_gettext(
        "The message type asked for is not known: messages of every type are shown."
    ),
    "session": lazy_gettext(
        "The session asked for is not known: messages of every session are shown."
    ),
    "day": lazy_gettext(
        "The day asked for is not a valid date (YYYY-MM-DD): messages of every day are shown."
    ),
    "page": lazy_gettext("The page number is not valid: the first page is shown."),
}


@dataclass(frozen=True)
class ListArgs:
    message_filter: MessageFilter
    page: int
    # Names of the query parameters whose value was dropped.
    dropped: tuple[str, ...]

    def query(self, **changes: object) -> dict[str, Any]:
        """Return the query parameters of this list, with `changes`.

        Empty values and the first page are left out, so that each list has one URL.
        """
        current: dict[str, object] = {
            "status": self.message_filter.group,
            "channel": self.message_filter.channel,
            "purpose": self.message_filter.purpose,
            "session": self.message_filter.session_id,
            "day": self.message_filter.day,
            "page": self.page,
        }
        current.update(changes)
        if current["page"] == 1:
            current["page"] = None
        return {name: str(value) for name, value in current.items() if value}


def read_list_args(args: MultiDict[str, str], session_ids: Collection[int]) -> ListArgs:
    """Read the status group, channel, purpose, session, day and page of the list from `args`.

    A session id not in `session_ids`, the campaign's sessions, is dropped.
    """
    dropped: list[str] = []
    group = _member(args, "status", StatusGroup, dropped)
    channel = _member(args, "channel", Channel, dropped)
    purpose = _member(args, "purpose", MessagePurpose, dropped)
    session_id = _session_id(args, session_ids, dropped)
    day = _day(args, dropped)
    raw_page = args.get("page", "").strip()
    page = 1
    if raw_page:
        digits = raw_page.lstrip("0")
        if not (raw_page.isascii() and raw_page.isdigit() and digits):
            dropped.append("page")
        elif len(digits) > MAX_PAGE_DIGITS:
            page = PAST_ANY_PAGE
        else:
            page = int(digits)
    return ListArgs(
        message_filter=MessageFilter(
            group=group, channel=channel, purpose=purpose, session_id=session_id, day=day
        ),
        page=page,
        dropped=tuple(dropped),
    )


def _member(
    args: MultiDict[str, str], name: str, enum_class: type[E], dropped: list[str]
) -> E | None:
    raw = args.get(name, "").strip()
    if not raw:
        return None
    try:
        return enum_class(raw)
    except ValueError:
        dropped.append(name)
        return None


def _session_id(
    args: MultiDict[str, str], session_ids: Collection[int], dropped: list[str]
) -> int | None:
    raw = args.get("session", "").strip()
    if not raw:
        return None
    # Compared as text, so that no length of digits reaches `int()`.
    known = {str(session_id): session_id for session_id in session_ids}
    if raw not in known:
        dropped.append("session")
        return None
    return known[raw]


def _day(args: MultiDict[str, str], dropped: list[str]) -> date | None:
    raw = args.get("day", "").strip()
    if not raw:
        return None
    if ISO_DAY.fullmatch(raw):
        try:
            day = date.fromisoformat(raw)
            # The first and last days of the calendar have no bounds to query with.
            local_day_bounds(day)
        except (ValueError, OverflowError):
            pass
        else:
            return day
    dropped.append("day")
    return None
