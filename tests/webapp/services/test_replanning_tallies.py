"""Re-planning reads a building counted dwelling by dwelling as one door, on Bondy's streets."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.webapp.planning import three_teams
from tests.webapp.planning.bondy_case import PARC_ADDRESS_COUNT, BondyCase
from tests.webapp.planning.three_teams import routed_doors, routes_by_team
from webapp.models import DoorVisit
from webapp.models.canvass import DoorOutcome
from webapp.services.door_progress import DoorProgress
from webapp.services.door_visits import record_dwelling_tally
from webapp.services.dwelling_tallies import DwellingTally
from webapp.services.planning_view import load_session_detail
from webapp.services.team_changes import mark_team_absent

SETTINGS = three_teams.ROUTE_SETTINGS

seeded, db_connection, case = three_teams.seeded, three_teams.db_connection, three_teams.case
before_session = three_teams.before_session

DONE = DwellingTally(absent=2, conversation=1, refused=1)
TO_COME_BACK = DwellingTally(absent=3, opened=1, is_coming_back=True)


def test_absent_team_keeps_counted_building_done(
    case: BondyCase, db_session: Session, before_session: datetime
) -> None:
    team_two = routes_by_team(db_session)[2]
    buildings = [i for i in team_two.address_ids if case.dwellings_of[i] >= 2][:2]
    assert len(buildings) == 2
    done, come_back = buildings
    for address_id, tally, key in (
        (done, DONE, "bondy-key-done-0123456789"),
        (come_back, TO_COME_BACK, "bondy-key-back-0123456789"),
    ):
        record_dwelling_tally(
            db_session,
            team_two.access_token,
            address_id,
            tally,
            submission_key=key,
            now=case.starts_at,
        )
    db_session.commit()
    detail = load_session_detail(db_session, case.campaign_id, case.session_id)
    assert detail is not None
    route_two = detail.find_route(2)
    assert route_two is not None
    # Each building is one door: one done, one to come back to.
    assert route_two.progress == DoorProgress(
        door_count=len(team_two.address_ids), done_count=1, come_back_count=1
    )

    report = mark_team_absent(
        db_session, case.campaign_id, case.session_id, 2, settings=SETTINGS, now=before_session
    )
    db_session.commit()

    after = routes_by_team(db_session)
    # The building done stays on the absent team's route; the one to come back to is
    # shared again among the teams left, like a door to come back to.
    assert after[2].address_ids == [done]
    assert come_back in after[1].address_ids + after[3].address_ids
    routed = routed_doors(after)
    assert len(routed) == len(set(routed)) == PARC_ADDRESS_COUNT
    assert report.removed_teams == (2,)
    assert report.visited_door_count == 1
    # The visits stay as recorded, and the session counts each building once.
    assert sorted(db_session.scalars(select(DoorVisit.outcome))) == sorted(
        [DoorOutcome.CONVERSATION, DoorOutcome.COME_BACK]
    )
    detail = load_session_detail(db_session, case.campaign_id, case.session_id)
    assert detail is not None
    results = detail.dwelling_results
    assert dict(results.counts) == {
        DoorOutcome.ABSENT: 5,
        DoorOutcome.OPENED: 1,
        DoorOutcome.CONVERSATION: 1,
        DoorOutcome.REFUSED: 1,
        DoorOutcome.COME_BACK: 0,
        DoorOutcome.INACCESSIBLE: 0,
    }
    assert (results.address_count, results.tallied_address_count) == (2, 2)
