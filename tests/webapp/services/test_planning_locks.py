"""Choices made by hand: lock, unlock and move volunteers, then plan again around them."""

from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.assignment_types import SessionLock
from routing.status import SolveStatus
from tests.factories import (
    at_utc,
    make_assignment,
    make_availability_exception,
    make_campaign,
    make_canvass_session,
    make_commune,
    make_iris,
    make_iris_score,
    make_volunteer_profile,
    make_weekly_slot,
)
from tests.webapp.services.test_assignment import LIMITS, member
from webapp.models import Assignment, Campaign, CanvassSession, LeftOutVolunteer, User
from webapp.models.planning import AssignmentStatus, SessionStatus
from webapp.models.users import Role
from webapp.services.assignment import LockError, LockProblem, plan_assignments
from webapp.services.errors import NotFoundError
from webapp.services.planning_locks import (
    is_available_for,
    lock_volunteer,
    move_volunteer,
    unlock_volunteer,
)

IRIS_CODE = "930100101"
NAMES = ("anna", "bruno", "chloe", "david")


@dataclass
class Case:
    campaign: Campaign
    morning: CanvassSession  # Saturday 10:00-12:00, Paris time
    afternoon: CanvassSession  # Saturday 15:00-17:00, two places
    sunday: CanvassSession  # Sunday 10:00-12:00, when nobody is free
    people: dict[str, User]


@pytest.fixture
def case(db_session: Session) -> Case:
    campaign = make_campaign(db_session)
    make_commune(db_session)
    make_iris(db_session, code=IRIS_CODE)
    make_iris_score(db_session, campaign=campaign, iris_code=IRIS_CODE, score=60.0)

    def canvass(starts_at: tuple[int, ...], max_volunteers: int) -> CanvassSession:
        return make_canvass_session(
            db_session,
            campaign=campaign,
            iris_code=IRIS_CODE,
            starts_at=at_utc(*starts_at),
            max_volunteers=max_volunteers,
        )

    # Winter time: Paris is UTC+1.
    morning = canvass((2027, 3, 6, 9, 0), 4)
    afternoon = canvass((2027, 3, 6, 14, 0), 2)
    sunday = canvass((2027, 3, 7, 9, 0), 4)
    people = {}
    for name in NAMES:
        user = member(db_session, campaign, name)
        # Saturday 09:00 to 18:00.
        make_weekly_slot(db_session, user=user, weekday=5, start_minute=540, end_minute=1080)
        make_volunteer_profile(db_session, user=user, is_experienced=name == "anna")
        people[name] = user
    db_session.flush()
    return Case(campaign, morning, afternoon, sunday, people)


def rows(db_session: Session) -> set[tuple[str, int, bool, AssignmentStatus]]:
    """Return (first name, session id, locked, status) of every assignment."""
    found = db_session.execute(
        select(
            User.first_name, Assignment.session_id, Assignment.is_locked, Assignment.status
        ).join(User, User.id == Assignment.user_id)
    )
    return {(name.lower(), sid, locked, status) for name, sid, locked, status in found}


def test_move_takes_off_then_locks(case: Case, db_session: Session) -> None:
    anna = case.people["anna"]
    make_assignment(db_session, canvass_session=case.morning, user=anna)

    choice = move_volunteer(
        db_session, case.campaign.id, anna.id, case.morning.id, case.afternoon.id
    )

    # The session left keeps a decline, so that no later run proposes it again.
    assert rows(db_session) == {
        ("anna", case.morning.id, False, AssignmentStatus.DECLINED),
        ("anna", case.afternoon.id, True, AssignmentStatus.PROPOSED),
    }
    assert (choice.user_id, choice.session_id, choice.team) == (anna.id, case.afternoon.id, 1)
    assert (choice.first_name, choice.last_name) == ("Anna", "Exemple")
    assert choice.starts_at == case.afternoon.starts_at
    assert not choice.is_outside_availability


def test_move_outside_availability_warns(case: Case, db_session: Session) -> None:
    anna = case.people["anna"]
    make_assignment(db_session, canvass_session=case.morning, user=anna)

    choice = move_volunteer(db_session, case.campaign.id, anna.id, case.morning.id, case.sunday.id)

    assert choice.is_outside_availability
    assert rows(db_session) == {
        ("anna", case.morning.id, False, AssignmentStatus.DECLINED),
        ("anna", case.sunday.id, True, AssignmentStatus.PROPOSED),
    }


def test_locks_survive_a_new_run(case: Case, db_session: Session) -> None:
    people = case.people
    for index, name in enumerate(NAMES):
        make_assignment(
            db_session, canvass_session=case.morning, user=people[name], team=index // 2 + 1
        )

    # Anna and Bruno are moved to Sunday, when neither is free, and locked there.
    for name in ("anna", "bruno"):
        move_volunteer(
            db_session, case.campaign.id, people[name].id, case.morning.id, case.sunday.id
        )
    plan = plan_assignments(db_session, case.campaign.id, LIMITS)

    assert plan.status is SolveStatus.OPTIMAL
    after = rows(db_session)
    locked = {(name, sid) for name, sid, is_locked, _ in after if is_locked}
    assert locked == {("anna", case.sunday.id), ("bruno", case.sunday.id)}
    # The moves left declines on the morning, so the run does not put them back there.
    morning = {(name, status) for name, sid, _, status in after if sid == case.morning.id}
    assert ("anna", AssignmentStatus.DECLINED) in morning
    assert ("bruno", AssignmentStatus.DECLINED) in morning
    assert not {("anna", AssignmentStatus.PROPOSED), ("bruno", AssignmentStatus.PROPOSED)} & morning
    # The others are planned around the locks, on Saturday, when they are free. Chloe
    # and David keep their morning session, as the previous plan had them there.
    others = {(name, sid) for name, sid, is_locked, _ in after if not is_locked}
    assert {sid for _, sid in others} <= {case.morning.id, case.afternoon.id}
    assert {("chloe", case.morning.id), ("david", case.morning.id)} <= others


def test_lone_lock_without_partner_is_infeasible(case: Case, db_session: Session) -> None:
    lock_volunteer(db_session, case.campaign.id, case.people["anna"].id, case.sunday.id)

    plan = plan_assignments(db_session, case.campaign.id, LIMITS)

    # Nobody else can join Sunday, and a session holds whole teams of two.
    assert plan.status is SolveStatus.INFEASIBLE
    assert plan.conflicting_locks == (SessionLock(case.people["anna"].id, case.sunday.id),)
    assert rows(db_session) == {("anna", case.sunday.id, True, AssignmentStatus.PROPOSED)}


def test_unlock_keeps_the_assignment(case: Case, db_session: Session) -> None:
    anna = case.people["anna"]
    lock_volunteer(db_session, case.campaign.id, anna.id, case.morning.id)

    assert unlock_volunteer(db_session, case.campaign.id, anna.id, case.morning.id)
    assert rows(db_session) == {("anna", case.morning.id, False, AssignmentStatus.PROPOSED)}
    # A second click finds nothing to unlock.
    assert not unlock_volunteer(db_session, case.campaign.id, anna.id, case.morning.id)


def test_full_session_rejects_one_more_lock(case: Case, db_session: Session) -> None:
    people = case.people
    for name in ("anna", "bruno"):
        lock_volunteer(db_session, case.campaign.id, people[name].id, case.afternoon.id)

    with pytest.raises(LockError) as error:
        lock_volunteer(db_session, case.campaign.id, people["chloe"].id, case.afternoon.id)

    assert error.value.problem is LockProblem.SESSION_FULL
    # Locking again someone already locked there takes no new place.
    lock_volunteer(db_session, case.campaign.id, people["anna"].id, case.afternoon.id)


def coming(db_session: Session, canvass: CanvassSession) -> set[tuple[str, bool]]:
    """Return (first name, locked) of the volunteers still coming to the session."""
    return {
        (name, locked)
        for name, sid, locked, status in rows(db_session)
        if sid == canvass.id and status != AssignmentStatus.DECLINED
    }


def test_place_beyond_maximum_then_replan(case: Case, db_session: Session) -> None:
    people = case.people
    for name in ("anna", "bruno"):
        make_assignment(db_session, canvass_session=case.afternoon, user=people[name])

    choice = lock_volunteer(db_session, case.campaign.id, people["chloe"].id, case.afternoon.id)

    assert choice.is_beyond_maximum
    assert choice.others_coming == 2
    assert choice.max_volunteers == 2
    assert choice.team == 2
    assert coming(db_session, case.afternoon) == {
        ("anna", False),
        ("bruno", False),
        ("chloe", True),
    }
    # The run keeps the lock and takes one unlocked volunteer off, so the solver
    # accepts a lock that the others had left no room for.
    plan = plan_assignments(db_session, case.campaign.id, LIMITS)

    assert plan.status is SolveStatus.OPTIMAL
    after = coming(db_session, case.afternoon)
    assert len(after) == 2
    assert ("chloe", True) in after
    assert len(after & {("anna", False), ("bruno", False)}) == 1


def test_move_to_full_session_is_flagged(case: Case, db_session: Session) -> None:
    people = case.people
    for name in ("anna", "bruno"):
        make_assignment(db_session, canvass_session=case.afternoon, user=people[name])
    make_assignment(db_session, canvass_session=case.morning, user=people["chloe"])

    choice = move_volunteer(
        db_session, case.campaign.id, people["chloe"].id, case.morning.id, case.afternoon.id
    )

    assert choice.is_beyond_maximum
    assert choice.others_coming == 2


def test_relock_on_full_session_not_flagged(case: Case, db_session: Session) -> None:
    people = case.people
    for name in ("anna", "bruno"):
        make_assignment(db_session, canvass_session=case.afternoon, user=people[name])

    choice = lock_volunteer(db_session, case.campaign.id, people["anna"].id, case.afternoon.id)

    assert not choice.is_beyond_maximum
    assert choice.others_coming == 1


def test_declined_volunteers_free_places(case: Case, db_session: Session) -> None:
    people = case.people
    make_assignment(db_session, canvass_session=case.afternoon, user=people["anna"])
    make_assignment(
        db_session,
        canvass_session=case.afternoon,
        user=people["bruno"],
        status=AssignmentStatus.DECLINED,
    )

    # Bruno declined, so the session has one place left for Chloe.
    chloe = lock_volunteer(db_session, case.campaign.id, people["chloe"].id, case.afternoon.id)
    # Bruno coming back makes three on a session of two.
    bruno = lock_volunteer(db_session, case.campaign.id, people["bruno"].id, case.afternoon.id)

    assert not chloe.is_beyond_maximum
    assert chloe.others_coming == 1
    assert bruno.is_beyond_maximum
    assert bruno.others_coming == 2


def test_odd_maximum_counts_whole_teams(case: Case, db_session: Session) -> None:
    case.afternoon.max_volunteers = 3
    lock_volunteer(db_session, case.campaign.id, case.people["anna"].id, case.afternoon.id)
    lock_volunteer(db_session, case.campaign.id, case.people["bruno"].id, case.afternoon.id)

    with pytest.raises(LockError) as error:
        lock_volunteer(db_session, case.campaign.id, case.people["chloe"].id, case.afternoon.id)

    assert error.value.problem is LockProblem.SESSION_FULL


def test_move_of_declined_keeps_the_decline(case: Case, db_session: Session) -> None:
    anna = case.people["anna"]
    make_assignment(
        db_session, canvass_session=case.morning, user=anna, status=AssignmentStatus.DECLINED
    )

    move_volunteer(db_session, case.campaign.id, anna.id, case.morning.id, case.afternoon.id)

    assert rows(db_session) == {
        ("anna", case.morning.id, False, AssignmentStatus.DECLINED),
        ("anna", case.afternoon.id, True, AssignmentStatus.PROPOSED),
    }


def test_move_to_same_session_locks_it(case: Case, db_session: Session) -> None:
    anna = case.people["anna"]
    make_assignment(db_session, canvass_session=case.morning, user=anna, team=2)

    choice = move_volunteer(db_session, case.campaign.id, anna.id, case.morning.id, case.morning.id)

    assert choice.team == 2
    assert rows(db_session) == {("anna", case.morning.id, True, AssignmentStatus.CONFIRMED)}


def test_move_needs_an_assignment_to_leave(case: Case, db_session: Session) -> None:
    with pytest.raises(NotFoundError):
        move_volunteer(
            db_session, case.campaign.id, case.people["anna"].id, case.morning.id, case.sunday.id
        )

    assert rows(db_session) == set()


def test_move_clashing_with_a_lock_is_rejected(case: Case, db_session: Session) -> None:
    anna = case.people["anna"]
    # Sunday 10:00 is locked; a Sunday 11:00 session overlaps it.
    lock_volunteer(db_session, case.campaign.id, anna.id, case.sunday.id)
    make_assignment(db_session, canvass_session=case.morning, user=anna)
    overlapping = make_canvass_session(
        db_session, campaign=case.campaign, iris_code=IRIS_CODE, starts_at=at_utc(2027, 3, 7, 10)
    )

    with pytest.raises(LockError) as error:
        move_volunteer(db_session, case.campaign.id, anna.id, case.morning.id, overlapping.id)

    assert error.value.problem is LockProblem.CLASHES_WITH_LOCK


def test_other_campaign_sessions_not_found(case: Case, db_session: Session) -> None:
    other = make_campaign(db_session, name="Autre campagne")
    foreign = make_canvass_session(
        db_session, campaign=other, iris_code=IRIS_CODE, starts_at=at_utc(2027, 3, 6, 9)
    )
    anna = case.people["anna"]
    make_assignment(db_session, canvass_session=case.morning, user=anna)
    campaign_id = case.campaign.id
    before = rows(db_session)

    with pytest.raises(NotFoundError):
        lock_volunteer(db_session, campaign_id, anna.id, foreign.id)
    with pytest.raises(NotFoundError):
        unlock_volunteer(db_session, campaign_id, anna.id, foreign.id)
    with pytest.raises(NotFoundError):
        move_volunteer(db_session, campaign_id, anna.id, foreign.id, case.morning.id)
    with pytest.raises(NotFoundError):
        move_volunteer(db_session, campaign_id, anna.id, case.morning.id, foreign.id)
    with pytest.raises(NotFoundError):
        lock_volunteer(db_session, campaign_id, anna.id, 999_999)

    db_session.expire_all()
    assert rows(db_session) == before


def test_lock_rejects_who_is_no_volunteer(case: Case, db_session: Session) -> None:
    coordinator = member(db_session, case.campaign, "gilles", Role.COORDINATOR)
    outsider = member(db_session, make_campaign(db_session, name="Autre"), "hugo")

    for user_id in (coordinator.id, outsider.id, 999_999):
        with pytest.raises(LockError) as error:
            lock_volunteer(db_session, case.campaign.id, user_id, case.morning.id)
        assert error.value.problem is LockProblem.NOT_A_VOLUNTEER


def test_lock_on_cancelled_session_rejected(case: Case, db_session: Session) -> None:
    case.sunday.status = SessionStatus.CANCELLED

    with pytest.raises(LockError) as error:
        lock_volunteer(db_session, case.campaign.id, case.people["anna"].id, case.sunday.id)

    assert error.value.problem is LockProblem.SESSION_NOT_PLANNED


def test_availability_counts_days_off_and_extras(case: Case, db_session: Session) -> None:
    anna, bruno = case.people["anna"], case.people["bruno"]
    make_availability_exception(db_session, user=anna, on_date=case.morning.starts_at.date())
    # Extra hours on Sunday 09:00 to 12:00 cover the Sunday session, 10:00 to 12:00.
    make_availability_exception(
        db_session,
        user=bruno,
        on_date=case.sunday.starts_at.date(),
        is_available=True,
        start_minute=540,
        end_minute=720,
    )

    assert not is_available_for(anna, case.morning)
    assert is_available_for(bruno, case.morning)
    assert is_available_for(bruno, case.sunday)
    assert not is_available_for(case.people["chloe"], case.sunday)


def test_availability_must_cover_whole_session(case: Case, db_session: Session) -> None:
    late = make_canvass_session(
        db_session,
        campaign=case.campaign,
        iris_code=IRIS_CODE,
        # Saturday 17:00 to 19:00 Paris time, past the end of the 18:00 slot.
        starts_at=at_utc(2027, 3, 6, 16),
    )
    night = make_canvass_session(
        db_session,
        campaign=case.campaign,
        iris_code=IRIS_CODE,
        # Friday 23:00 to Saturday 01:00: free time never crosses midnight.
        starts_at=at_utc(2027, 3, 5, 22),
    )
    anna = case.people["anna"]
    make_weekly_slot(db_session, user=anna, weekday=4, start_minute=0, end_minute=1440)

    assert not is_available_for(anna, late)
    assert not is_available_for(anna, night)
    assert is_available_for(anna, case.afternoon)


def test_lock_clears_left_out_row(case: Case, db_session: Session) -> None:
    other = make_campaign(db_session, name="Autre campagne")
    for campaign_id, name in ((case.campaign.id, "anna"), (case.campaign.id, "bruno")):
        db_session.add(
            LeftOutVolunteer(
                campaign_id=campaign_id, user_id=case.people[name].id, reason="no_availability"
            )
        )
    db_session.add(
        LeftOutVolunteer(
            campaign_id=other.id, user_id=case.people["anna"].id, reason="no_availability"
        )
    )
    db_session.flush()

    lock_volunteer(db_session, case.campaign.id, case.people["anna"].id, case.morning.id)
    unlock_volunteer(db_session, case.campaign.id, case.people["anna"].id, case.morning.id)

    left_out = db_session.execute(
        select(LeftOutVolunteer.campaign_id, LeftOutVolunteer.user_id)
    ).all()
    assert sorted(left_out) == sorted(
        [(case.campaign.id, case.people["bruno"].id), (other.id, case.people["anna"].id)]
    )
