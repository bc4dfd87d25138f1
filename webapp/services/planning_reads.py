"""Staff reads of the planning pages that name volunteers, each written to the audit log.

A read is recorded only when the page names at least one person: an empty team list
or an empty list of left-out volunteers shows no personal data.
"""

from sqlalchemy.orm import Session

from webapp.services.audit import AuditAction, record_access
from webapp.services.planning_view import (
    PlanningSummary,
    SessionDetail,
    load_planning_summary,
    load_session_detail,
)

# Object types of the audit events, with the id each names.
SESSION_OBJECT = "canvass_session"  # the session id
SUMMARY_OBJECT = "planning_summary"  # the campaign id


def read_session_detail(
    session: Session, campaign_id: int, session_id: int, actor_user_id: int
) -> SessionDetail | None:
    """Return a session of the campaign with its teams, and record who read their names."""
    detail = load_session_detail(session, campaign_id, session_id)
    if detail is not None and detail.member_count:
        record_access(
            session,
            actor_user_id,
            AuditAction.READ,
            SESSION_OBJECT,
            session_id,
            detail.member_count,
        )
    return detail


def read_planning_summary(
    session: Session, campaign_id: int, actor_user_id: int
) -> PlanningSummary:
    """Return the outcome of the last planning, and record who read the left-out names."""
    summary = load_planning_summary(session, campaign_id)
    if summary.left_out:
        record_access(
            session,
            actor_user_id,
            AuditAction.READ,
            SUMMARY_OBJECT,
            campaign_id,
            len(summary.left_out),
        )
    return summary
