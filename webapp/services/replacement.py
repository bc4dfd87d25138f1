"""Whom to offer a place that a volunteer frees: someone a planning run could place there.

Candidates are checked with the planner's own rules for that one session
(`routing.assignment_index.build_index`). They must be free for the whole session by
their weekly grid and dated exceptions, with the meeting point within their distance or
travel-time limit. The campaign's rest must separate it from the sessions they are
already on, and their weekly cap must leave room for it. They must also be reachable on
a channel they agreed to and never have been assigned to this session. The index gets
only the volunteers that `webapp.services.replacement_candidates` reads: those whose
hours and home could fit the session, so its size follows the session's candidates, not
the campaign's.

NOTE: walking times are estimated from the straight line here (1.3 times as long, see
`routing.assignment_travel`), because loading the street graph in a reply would keep
the volunteer waiting. A planning run checks them along the streets.
"""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from routing.assignment_index import build_index
from routing.assignment_types import AssignmentProblem
from webapp.models import Assignment, Campaign, CanvassSession, User
from webapp.models.planning import SessionStatus
from webapp.services.assignment import TEAM_SIZE
from webapp.services.assignment_inputs import (
    commitments_around,
    session_input,
    volunteer_input,
)
from webapp.services.message_batch import consented_channels
from webapp.services.reminders import ACTIVE_STATUSES
from webapp.services.replacement_candidates import read_candidates
from webapp.settings_access import get_settings


def find_replacement(session: Session, canvass: CanvassSession) -> User | None:
    """Return the volunteer to offer a freed place to, or None when nobody fits.

    Among those who fit, the one with the fewest upcoming sessions, then the earliest
    sign-up. Needs an app context (the settings give the default distance limit).
    """
    campaign = session.get(Campaign, canvass.campaign_id)
    if campaign is None:
        raise RuntimeError(f"campaign of session {canvass.id} missing")
    default_distance_m = get_settings().max_distance_m
    users = [
        user
        for user in read_candidates(session, canvass, default_distance_m)
        if consented_channels(user)
    ]
    fitting = _fitting(session, campaign, canvass, users, default_distance_m)
    if not fitting:
        return None
    load = _upcoming_load(session, canvass)
    return min(fitting, key=lambda user: (load.get(user.id, 0), user.id))


def _fitting(
    session: Session,
    campaign: Campaign,
    canvass: CanvassSession,
    users: list[User],
    default_distance_m: int,
) -> list[User]:
    """Return the users whom the planner's rules would let join this one session."""
    if not users:
        return []
    commitments = commitments_around(
        session, campaign.id, [canvass], user_ids=[user.id for user in users]
    )
    problem = AssignmentProblem(
        volunteers=tuple(
            volunteer_input(user, [], set(), commitments.get(user.id, ())) for user in users
        ),
        sessions=(session_input(canvass, None),),
        max_distance_m=default_distance_m,
        team_size=TEAM_SIZE,
        rest_minutes=max(campaign.rest_minutes, 0),
        max_sessions_per_week=max(campaign.max_sessions_per_week, 0),
    )
    index = build_index(problem)
    week = index.timeline.week_of(problem.sessions[0].starts_at)
    placeable = {
        volunteer
        for volunteer in index.candidates.volunteer.tolist()
        if week is None or index.week_caps.left(volunteer, week) > 0
    }
    return [user for position, user in enumerate(users) if position in placeable]


def _upcoming_load(session: Session, canvass: CanvassSession) -> dict[int, int]:
    rows = session.execute(
        select(Assignment.user_id, func.count(Assignment.id))
        .join(CanvassSession, Assignment.session_id == CanvassSession.id)
        .where(
            CanvassSession.campaign_id == canvass.campaign_id,
            CanvassSession.status == SessionStatus.PLANNED,
            CanvassSession.ends_at > canvass.starts_at,
            Assignment.status.in_(ACTIVE_STATUSES),
        )
        .group_by(Assignment.user_id)
    )
    return {user_id: count for user_id, count in rows}
