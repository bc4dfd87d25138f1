"""The assignment service on real PostgreSQL: the problem built from the models, stored
plans, declines, and choices pinned by hand."""

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.assignment_types import DatedException, LeftOutReason, TravelMode
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
from webapp.models import (
    Assignment,
    Campaign,
    CanvassSession,
    LeftOutVolunteer,
    Membership,
    User,
)
from webapp.models.planning import AssignmentStatus, SessionStatus
from webapp.models.users import Role
from webapp.services.assignment import (
    AssignmentLimits,
    LockError,
    LockProblem,
    build_problem,
    campaign_weights,
    lock_assignment,
    plan_assignments,
    unlock_assignment,
)
from webapp.services.errors import NotFoundError

SATURDAY = date(2027, 3, 6)
IRIS_CODE = "930100101"
LIMITS = AssignmentLimits(max_distance_m=3000, time_limit_s=5.0)
# Saturday 09:00 to 15:00, Paris time.
SATURDAY_DAY = {"weekday": 5, "start_minute": 9 * 60, "end_minute": 15 * 60}


@dataclass
class Setup:
    campaign: Campaign
    morning: CanvassSession  # 10:00-12:00 Paris time
    noon: CanvassSession  # 12:30-14:30
    people: dict[str, User]


def member(
    session: Session, campaign: Campaign, name: str, role: Role = Role.VOLUNTEER, **kwargs: bool
) -> User:
    """Add a user without hashing a password: these tests never log in."""
    user = User(
        email=f"{name}@example.org",
        password_hash="not-a-hash",
        first_name=name.capitalize(),
        last_name="Exemple",
        **kwargs,
    )
    user.memberships.append(Membership(campaign_id=campaign.id, role=role))
    session.add(user)
    session.flush()
    return user


def volunteer(session: Session, campaign: Campaign, name: str, **kwargs: object) -> User:
    user = member(session, campaign, name, is_enabled=bool(kwargs.pop("is_enabled", True)))
    if kwargs.pop("weekly", True):
        make_weekly_slot(session, user=user, **SATURDAY_DAY)
    make_volunteer_profile(session, user=user, **kwargs)  # type: ignore[arg-type]
    return user


@pytest.fixture
def setup(db_session: Session) -> Setup:
    campaign = make_campaign(db_session)
    campaign.rest_minutes = 30
    campaign.max_sessions_per_week = 2
    campaign.planning_weights = {"travel": 20, "speed": 3}
    make_commune(db_session)
    make_iris(db_session, code=IRIS_CODE)
    make_iris_score(
        db_session, campaign=campaign, iris_code=IRIS_CODE, score=70.0, languages=("ar",)
    )
    # Winter time: Paris is UTC+1.
    morning = make_canvass_session(
        db_session, campaign=campaign, iris_code=IRIS_CODE, starts_at=at_utc(2027, 3, 6, 9, 0)
    )
    noon = make_canvass_session(
        db_session, campaign=campaign, iris_code=IRIS_CODE, starts_at=at_utc(2027, 3, 6, 11, 30)
    )
    people: dict[str, User] = {}
    people["bruno"] = volunteer(db_session, campaign, "bruno")
    people["anna"] = volunteer(
        db_session,
        campaign,
        "anna",
        is_experienced=True,
        languages=("ar", "en"),
        partner=people["bruno"],
    )
    people["chloe"] = volunteer(db_session, campaign, "chloe")
    make_availability_exception(db_session, user=people["chloe"], on_date=SATURDAY)
    people["david"] = volunteer(
        db_session, campaign, "david", weekly=False, max_travel_minutes=20, travel_mode="transit"
    )
    make_availability_exception(
        db_session,
        user=people["david"],
        on_date=SATURDAY,
        is_available=True,
        start_minute=9 * 60,
        end_minute=15 * 60,
    )
    people["emma"] = volunteer(db_session, campaign, "emma", is_enabled=False)
    people["fatou"] = volunteer(
        db_session, campaign, "fatou", max_sessions_per_week=1, partner=people["emma"]
    )
    people["gilles"] = member(db_session, campaign, "gilles", Role.COORDINATOR)
    db_session.flush()
    return Setup(campaign, morning, noon, people)


def stored(db_session: Session) -> set[tuple[str, int, bool]]:
    """Return (first name, session id, locked) of every assignment not declined."""
    rows = db_session.execute(
        select(User.first_name, Assignment.session_id, Assignment.is_locked)
        .join(User, User.id == Assignment.user_id)
        .where(Assignment.status != AssignmentStatus.DECLINED)
    )
    return {(name.lower(), sid, locked) for name, sid, locked in rows}


def test_problem_built_from_the_models(
    setup: Setup, db_session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="webapp.services.assignment"):
        problem = build_problem(db_session, setup.campaign, LIMITS)

    people = setup.people
    by_id = {v.id: v for v in problem.volunteers}
    names = {v.id: u for u, v in ((name, by_id.get(p.id)) for name, p in people.items()) if v}
    assert sorted(names.values()) == ["anna", "bruno", "chloe", "david", "fatou"]
    anna, bruno = by_id[people["anna"].id], by_id[people["bruno"].id]
    assert anna.partner_id == people["bruno"].id
    assert anna.is_experienced and not bruno.is_experienced
    assert anna.languages == frozenset({"ar", "en"})
    # Emma is disabled: she cannot be planned, so she is no partner either.
    assert by_id[people["fatou"].id].partner_id is None
    assert by_id[people["fatou"].id].max_sessions_per_week == 1
    assert by_id[people["chloe"].id].exceptions == (DatedException(SATURDAY, False, None, None),)
    david = by_id[people["david"].id]
    assert david.availability == ()
    assert david.exceptions == (DatedException(SATURDAY, True, 540, 900),)
    assert (david.max_travel_minutes, david.travel_mode) == (20, TravelMode.TRANSIT)
    assert (problem.rest_minutes, problem.max_sessions_per_week) == (30, 2)
    assert problem.weights.travel == 20
    assert problem.weights.team == 2000
    morning = next(s for s in problem.sessions if s.id == setup.morning.id)
    assert morning.starts_at == datetime(2027, 3, 6, 10, 0)
    assert (morning.weight, morning.languages) == (70.0, frozenset({"ar"}))
    assert "planning weight 'speed' ignored (unknown name)" in caplog.text


def test_plan_is_stored_with_reasons(setup: Setup, db_session: Session) -> None:
    plan = plan_assignments(db_session, setup.campaign.id, LIMITS)

    people = setup.people
    assert plan.status is SolveStatus.OPTIMAL
    placed = {(p.volunteer_id, p.session_id) for p in plan.placements}
    rows = db_session.execute(select(Assignment.user_id, Assignment.session_id)).all()
    assert set(map(tuple, rows)) == placed
    # Fatou takes one session a week; Anna and Bruno, friends, canvass together.
    assert sum(1 for v, _ in placed if v == people["fatou"].id) == 1
    anna_sessions = {s for v, s in placed if v == people["anna"].id}
    assert anna_sessions == {s for v, s in placed if v == people["bruno"].id}
    left = dict(db_session.execute(select(LeftOutVolunteer.user_id, LeftOutVolunteer.reason)).all())
    assert left[people["chloe"].id] == LeftOutReason.DAY_OFF
    assert people["emma"].id not in left


def test_declined_assignment_is_kept_and_not_proposed_again(
    setup: Setup, db_session: Session
) -> None:
    bruno = setup.people["bruno"]
    make_assignment(
        db_session, canvass_session=setup.morning, user=bruno, status=AssignmentStatus.DECLINED
    )

    plan = plan_assignments(db_session, setup.campaign.id, LIMITS)

    assert (bruno.id, setup.morning.id) not in {
        (p.volunteer_id, p.session_id) for p in plan.placements
    }
    declined = db_session.scalars(
        select(Assignment).where(Assignment.status == AssignmentStatus.DECLINED)
    ).all()
    assert [(a.user_id, a.session_id) for a in declined] == [(bruno.id, setup.morning.id)]


def test_previous_plan_counts_for_stability(setup: Setup, db_session: Session) -> None:
    fatou = setup.people["fatou"]
    make_assignment(db_session, canvass_session=setup.noon, user=fatou)

    problem = build_problem(db_session, setup.campaign, LIMITS)

    inputs = {v.id: v for v in problem.volunteers}
    assert inputs[fatou.id].previous_session_ids == (setup.noon.id,)
    assert inputs[fatou.id].locked_session_ids == ()


def test_lock_is_kept_by_the_next_run(setup: Setup, db_session: Session) -> None:
    people = setup.people
    plan_assignments(db_session, setup.campaign.id, LIMITS)

    lock_assignment(db_session, setup.campaign.id, people["chloe"].id, setup.noon.id)
    lock_assignment(db_session, setup.campaign.id, people["fatou"].id, setup.noon.id)
    plan = plan_assignments(db_session, setup.campaign.id, LIMITS)

    assert plan.status.has_solution
    rows = stored(db_session)
    # Chloe has a day off, but the coordinator agreed the session with her.
    assert ("chloe", setup.noon.id, True) in rows
    assert ("fatou", setup.noon.id, True) in rows
    assert ("fatou", setup.morning.id, False) not in rows


def test_lock_moves_volunteer_off_clashing_sessions(setup: Setup, db_session: Session) -> None:
    bruno = setup.people["bruno"]
    make_assignment(db_session, canvass_session=setup.morning, user=bruno, team=1)
    overlapping = make_canvass_session(
        db_session,
        campaign=setup.campaign,
        iris_code=IRIS_CODE,
        starts_at=at_utc(2027, 3, 6, 10, 0),
    )

    assignment = lock_assignment(db_session, setup.campaign.id, bruno.id, overlapping.id)

    assert (assignment.session_id, assignment.is_locked, assignment.team) == (
        overlapping.id,
        True,
        1,
    )
    assert stored(db_session) == {("bruno", overlapping.id, True)}
    with pytest.raises(LockError) as error:
        lock_assignment(db_session, setup.campaign.id, bruno.id, setup.morning.id)
    assert error.value.problem is LockProblem.CLASHES_WITH_LOCK


def test_lock_after_a_decline_makes_a_proposal(setup: Setup, db_session: Session) -> None:
    anna = setup.people["anna"]
    make_assignment(
        db_session, canvass_session=setup.noon, user=anna, status=AssignmentStatus.DECLINED
    )

    assignment = lock_assignment(db_session, setup.campaign.id, anna.id, setup.noon.id)

    assert (assignment.status, assignment.is_locked) == (AssignmentStatus.PROPOSED, True)


def test_lock_fills_teams_in_order(setup: Setup, db_session: Session) -> None:
    people = setup.people
    teams = [
        lock_assignment(db_session, setup.campaign.id, people[name].id, setup.noon.id).team
        for name in ("anna", "bruno", "david")
    ]

    assert teams == [1, 1, 2]


def test_unlock_keeps_the_assignment(setup: Setup, db_session: Session) -> None:
    anna = setup.people["anna"]
    lock_assignment(db_session, setup.campaign.id, anna.id, setup.noon.id)

    unlock_assignment(db_session, setup.campaign.id, anna.id, setup.noon.id)

    assert stored(db_session) == {("anna", setup.noon.id, False)}
    with pytest.raises(NotFoundError):
        unlock_assignment(db_session, setup.campaign.id, anna.id, setup.noon.id)


def test_lock_refuses_bad_requests(setup: Setup, db_session: Session) -> None:
    people = setup.people
    other = make_campaign(db_session, name="Autre campagne")
    elsewhere = make_canvass_session(
        db_session, campaign=other, iris_code=IRIS_CODE, starts_at=at_utc(2027, 3, 6, 9, 0)
    )
    cancelled = make_canvass_session(
        db_session,
        campaign=setup.campaign,
        iris_code=IRIS_CODE,
        starts_at=at_utc(2027, 3, 7, 9, 0),
    )
    cancelled.status = SessionStatus.CANCELLED
    campaign_id = setup.campaign.id

    with pytest.raises(LockError) as not_volunteer:
        lock_assignment(db_session, campaign_id, people["gilles"].id, setup.noon.id)
    with pytest.raises(LockError) as disabled:
        lock_assignment(db_session, campaign_id, people["emma"].id, setup.noon.id)
    with pytest.raises(LockError) as not_planned:
        lock_assignment(db_session, campaign_id, people["anna"].id, cancelled.id)
    with pytest.raises(NotFoundError):
        lock_assignment(db_session, campaign_id, people["anna"].id, elsewhere.id)
    with pytest.raises(NotFoundError):
        lock_assignment(db_session, campaign_id, people["anna"].id, 999_999)

    assert not_volunteer.value.problem is LockProblem.NOT_A_VOLUNTEER
    assert disabled.value.problem is LockProblem.NOT_A_VOLUNTEER
    assert not_planned.value.problem is LockProblem.SESSION_NOT_PLANNED
    assert stored(db_session) == set()


def test_unknown_campaign_is_not_found(db_session: Session) -> None:
    with pytest.raises(NotFoundError):
        plan_assignments(db_session, 999_999, LIMITS)


def test_bad_campaign_weights_are_skipped(
    db_session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    campaign = make_campaign(db_session)
    campaign.planning_weights = {"travel": -3, "team": "beaucoup", "fairness": 10.4}

    with caplog.at_level(logging.WARNING, logger="webapp.services.assignment"):
        weights = campaign_weights(campaign)

    assert (weights.travel, weights.team, weights.fairness) == (10, 2000, 10)
    assert caplog.text.count("ignored (bad value)") == 2


def test_no_planned_session_gives_an_empty_plan(db_session: Session) -> None:
    campaign = make_campaign(db_session)

    plan = plan_assignments(db_session, campaign.id, LIMITS)

    assert plan.status is SolveStatus.EMPTY
    assert db_session.scalars(select(Assignment)).all() == []


def test_sessions_span_rest_and_week(setup: Setup) -> None:
    gap = setup.noon.starts_at - setup.morning.ends_at

    assert gap == timedelta(minutes=30)
