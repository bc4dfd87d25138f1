"""E-mails to a campaign's coordinators about a change a volunteer made on their own."""

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import CanvassSession, Membership, User
from webapp.models.messaging import MessagePurpose
from webapp.models.users import COORDINATOR_ROLES, Channel
from webapp.services.message_batch import MessageBatch, MessageKeys
from webapp.services.replanning import ReplanReport
from webapp.urls import public_url

# Keys of the notice sent when a team marked absent marks itself present again.
TEAM_PRESENT_KEY_PREFIX = "team-present:"
# Keys of the notice sent when a volunteer declines a place, followed by the assignment id.
DECLINED_KEY_PREFIX = "declined:"


def campaign_coordinators(session: Session, campaign_id: int) -> list[User]:
    """Return the campaign's enabled coordinators, in account order."""
    return list(
        session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.campaign_id == campaign_id,
                Membership.role.in_(COORDINATOR_ROLES),
                User.is_enabled.is_(True),
            )
            .order_by(User.id)
        )
    )


def session_context(canvass: CanvassSession) -> dict[str, object]:
    """Return the session fields every coordinator notice shows, with its page's link."""
    return {
        "starts_at": canvass.starts_at,
        "iris_name": canvass.iris.name,
        "meeting_point": canvass.meeting_point_label,
        "session_url": public_url("planning.show_session", session_id=canvass.id),
    }


def add_coordinator_notices(
    batch: MessageBatch,
    canvass: CanvassSession,
    *,
    key: str,
    template: str,
    context: Mapping[str, object],
) -> None:
    """Add one e-mail per coordinator of the session's campaign, keyed `key:coordinator:id`."""
    for coordinator in campaign_coordinators(batch.session, canvass.campaign_id):
        batch.add(
            user=coordinator,
            channel=Channel.EMAIL,
            purpose=MessagePurpose.COORDINATOR_NOTICE,
            base_key=f"{key}:coordinator:{coordinator.id}",
            template=template,
            context={**session_context(canvass), **context},
        )


def tell_team_present(
    session: Session, canvass: CanvassSession, report: ReplanReport, team: int, *, now: datetime
) -> None:
    """Queue the coordinators' e-mail saying that a team marked absent is there after all,
    with the doors it has now and the other teams whose routes changed.

    Each time the team comes back gets its own notice. Needs an app context.
    """
    key = f"{TEAM_PRESENT_KEY_PREFIX}{canvass.id}:{team}:{now.isoformat(timespec='seconds')}"
    batch = MessageBatch(
        session, canvass.campaign_id, MessageKeys.load(session, canvass.campaign_id, key)
    )
    to_visit = {walk.team: walk.to_visit_count for walk in report.walks}
    others = sorted(change.team for change in report.changed_routes if change.team != team)
    context = {
        "team": team,
        "to_visit_count": to_visit.get(team, 0),
        # Joined in the template, in the recipient's language.
        "other_teams": [str(number) for number in others],
    }
    add_coordinator_notices(
        batch, canvass, key=key, template="coordinator_team_present", context=context
    )
    batch.dispatch_after_commit()
