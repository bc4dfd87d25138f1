"""A run's stored figures, counted as the planning summary counts them.

The crew's campaign has Alice and Bruno on session 1, Chloé on session 2, which Gina
declined, and Emma on session 3 (see `tests.webapp.broadcasts.crew`).
"""

from datetime import date

import pytest
from sqlalchemy.orm import Session

from tests.factories import make_assignment
from tests.webapp.broadcasts.crew import Crew, seed_crew
from webapp.models import LeftOutVolunteer
from webapp.models.planning import SessionStatus
from webapp.services.planning import StoredCounts
from webapp.services.planning_view import count_stored_placements, load_planning_summary


@pytest.fixture
def crew(db_session: Session) -> Crew:
    crew = seed_crew(db_session, date(2027, 3, 13))
    # Alice is on session 3 too, session 2 is cancelled, and David and Farid are left out.
    make_assignment(db_session, canvass_session=crew.sessions[2], user=crew.volunteers["alice"])
    crew.sessions[1].status = SessionStatus.CANCELLED
    for name in ("david", "farid"):
        db_session.add(
            LeftOutVolunteer(
                campaign_id=crew.campaign.id, user_id=crew.volunteers[name].id, reason="too_far"
            )
        )
    db_session.flush()
    return crew


def test_counts_of_planned_sessions(db_session: Session, crew: Crew) -> None:
    # Alice twice, Bruno and Emma: Chloé's session is cancelled and Gina declined hers.
    assert count_stored_placements(db_session, crew.campaign.id) == StoredCounts(
        placed=4, volunteers=3, left_out=2
    )


def test_counts_match_summary(db_session: Session, crew: Crew) -> None:
    counts = count_stored_placements(db_session, crew.campaign.id)

    summary = load_planning_summary(db_session, crew.campaign.id)

    assert summary.placed_count == counts.placed
    assert summary.volunteer_count == counts.volunteers
    assert len(summary.left_out) == counts.left_out
