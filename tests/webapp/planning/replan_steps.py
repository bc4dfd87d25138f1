"""Re-plannings of Bondy's case with three teams, and their route notices.

Each step works as the session page does: the re-planning and its notices are queued in
the test's session, and `notify` commits them. Re-plannings use the case's route
settings (`three_teams.ROUTE_SETTINGS`). Notices are rendered from templates, so the
tests that call `notify` need an app context.
"""

from datetime import datetime

from sqlalchemy.orm import Session

from tests.webapp.planning.bondy_case import CLOSABLE_STREET, BondyCase
from tests.webapp.planning.three_teams import ROUTE_SETTINGS
from webapp.services.replanning import ReplanReport, close_street, reopen_street, replan_session
from webapp.services.route_notices import RouteNotices, notify_route_changes
from webapp.services.team_changes import mark_team_absent, mark_team_present


def notify(session: Session, report: ReplanReport, now: datetime) -> RouteNotices:
    """Queue the notices of a re-planning and commit."""
    result = notify_route_changes(session, report, now=now)
    session.commit()
    return result


def replan(session: Session, case: BondyCase, now: datetime) -> ReplanReport:
    """Re-plan the session as the coordinator's button does, without queueing notices."""
    return replan_session(
        session, case.campaign_id, case.session_id, settings=ROUTE_SETTINGS, now=now
    )


def mark_absent(session: Session, case: BondyCase, team: int, now: datetime) -> ReplanReport:
    """Mark the team absent and re-plan the session, without queueing notices."""
    return mark_team_absent(
        session, case.campaign_id, case.session_id, team, settings=ROUTE_SETTINGS, now=now
    )


def mark_present(session: Session, case: BondyCase, team: int, now: datetime) -> ReplanReport:
    """Mark the team present again and re-plan the session, without queueing notices."""
    return mark_team_present(
        session, case.campaign_id, case.session_id, team, settings=ROUTE_SETTINGS, now=now
    )


def absent(session: Session, case: BondyCase, team: int, now: datetime) -> RouteNotices:
    """Mark the team absent, then queue the notices and commit."""
    return notify(session, mark_absent(session, case, team, now), now)


def present(session: Session, case: BondyCase, team: int, now: datetime) -> RouteNotices:
    """Mark the team present again, then queue the notices and commit."""
    return notify(session, mark_present(session, case, team, now), now)


def close_the_street(session: Session, case: BondyCase, now: datetime) -> ReplanReport:
    """Close the case's closable street and re-plan, without queueing notices."""
    street = (case.campaign_id, case.session_id, CLOSABLE_STREET)
    return close_street(session, *street, settings=ROUTE_SETTINGS, now=now)


def reopen_the_street(session: Session, case: BondyCase, now: datetime) -> ReplanReport:
    """Reopen the case's closable street and re-plan, without queueing notices."""
    street = (case.campaign_id, case.session_id, CLOSABLE_STREET)
    return reopen_street(session, *street, settings=ROUTE_SETTINGS, now=now)
