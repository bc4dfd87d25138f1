"""Walks along the territory's streets, to check volunteers' walking-time limits."""

import logging
import time
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.assignment_travel import walking_budget_m
from routing.assignment_types import SessionInput, VolunteerInput
from routing.street_reach import build_walking_table
from routing.walking_table import WalkingTable
from webapp.models import StreetWay
from webapp.services.routes import StreetGraphSource, load_street_graph

logger = logging.getLogger(__name__)


def street_walking_table(
    session: Session,
    volunteers: Sequence[VolunteerInput],
    sessions: Sequence[SessionInput],
    street_graph: StreetGraphSource | None = None,
) -> WalkingTable | None:
    """Measure the walk from walking volunteers' homes to the meeting points.

    Returns None when no street is imported, when there is no session, or when no
    volunteer with a home has a walking-time limit: the straight-line estimate applies.
    The street graph comes from `street_graph` when given, else it is loaded here.
    """
    walkers = sum(v.home is not None and walking_budget_m(v) is not None for v in volunteers)
    if not sessions or walkers == 0:
        return None
    if session.scalar(select(StreetWay.id).limit(1)) is None:
        return None
    started = time.perf_counter()
    try:
        graph = street_graph() if street_graph is not None else load_street_graph(session)
    except ValueError as error:
        logger.warning(
            "Street graph failed to build (%s): walking-time limits use the straight line", error
        )
        return None
    table = build_walking_table(graph, volunteers, sessions)
    logger.info(
        "Walks along the streets for %s volunteers and %s sessions in %.2f s",
        walkers,
        len(sessions),
        time.perf_counter() - started,
    )
    return table
