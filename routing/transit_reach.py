"""Public transport minutes from many homes to the meeting points, from timetables."""

from collections.abc import Mapping, Sequence
from datetime import date

import numpy as np
from numpy.typing import NDArray

from routing.assignment_travel import transit_budget_minutes
from routing.assignment_types import SessionInput, VolunteerInput
from routing.transit import Timetable, door_to_door_minutes
from routing.transit_table import TransitTable


def build_transit_table(
    timetables: Mapping[date, Timetable],
    volunteers: Sequence[VolunteerInput],
    sessions: Sequence[SessionInput],
) -> TransitTable | None:
    """Run one backward scan per (day, meeting point, start) over the day's timetable.

    `timetables` contains the timetable of each service day that has one. Sessions on other
    days keep NaN columns. Returns None when no volunteer with a home has a transit-time
    limit or no session falls on a day with a timetable.
    """
    budgets = [transit_budget_minutes(v) for v in volunteers]
    rows = np.array(
        [i for i, v in enumerate(volunteers) if v.home is not None and budgets[i] is not None],
        dtype=np.int64,
    )
    covered = [j for j, s in enumerate(sessions) if s.starts_at.date() in timetables]
    if rows.shape[0] == 0 or not covered:
        return None
    window_s = 60 * max(budget for budget in budgets if budget is not None)
    homes = [home for i in rows.tolist() if (home := volunteers[i].home) is not None]
    home_lon = np.array([home.lon for home in homes])
    home_lat = np.array([home.lat for home in homes])
    minutes = np.full((len(volunteers), len(sessions)), np.nan, dtype=np.float32)
    scans: dict[tuple[date, float, float, int], NDArray[np.float64]] = {}
    for j in covered:
        session = sessions[j]
        day = session.starts_at.date()
        start = session.starts_at
        deadline_s = start.hour * 3600 + start.minute * 60 + start.second
        key = (day, session.meeting_point.lon, session.meeting_point.lat, deadline_s)
        if key not in scans:
            scans[key] = door_to_door_minutes(
                timetables[day],
                (home_lon, home_lat),
                (session.meeting_point.lon, session.meeting_point.lat),
                deadline_s,
                window_s=window_s,
            )
        minutes[rows, j] = scans[key]
    return TransitTable(minutes)
