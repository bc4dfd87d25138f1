"""Planning weights: stored per campaign, validated, recorded on a run and used by it.

The small case has two sessions at the same time, each for one team of two. Session A
is in an IRIS scored 100, 2 km from the volunteers' homes; session B is in an IRIS
scored 0, at their door. One volunteer is experienced, so no team lacks one. With the
default weights, A is worth 2,000 (team) + 20 × 100 (score) + 500 (held) minus 10
points per kilometre per volunteer, about 4,460, and B is worth 2,500: the pair goes to
A. With 1,000 points per kilometre, A falls to about 500 and the pair goes to B.
"""

from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.assignment_weights import PlanningWeights, WeightName
from routing.geo import GeoPoint, haversine_m
from tests.factories import (
    at_utc,
    make_campaign,
    make_canvass_session,
    make_commune,
    make_iris,
    make_iris_score,
    make_volunteer_profile,
    make_weekly_slot,
)
from tests.webapp.services.test_assignment import LIMITS, member
from webapp.db import utcnow
from webapp.models import Assignment, Campaign, CanvassSession, JobRun
from webapp.services.assignment import plan_assignments
from webapp.services.errors import NotFoundError, ValidationError
from webapp.services.planning import create_planning_run
from webapp.services.planning_weights import (
    load_planning_weights,
    restore_default_weights,
    run_weights,
    save_planning_weights,
    weight_rows,
    weights_as_dict,
)

HOME = GeoPoint(2.4826, 48.9022)
# 0.018 degrees of latitude north of home: about 2 km.
FAR_POINT = GeoPoint(2.4826, 48.9202)
HIGH_IRIS, LOW_IRIS = "930100101", "930100202"


@dataclass
class Case:
    campaign: Campaign
    high: CanvassSession
    low: CanvassSession
    volunteer_ids: tuple[int, int]


@pytest.fixture
def case(db_session: Session) -> Case:
    campaign = make_campaign(db_session)
    make_commune(db_session)
    for code, score in ((HIGH_IRIS, 100.0), (LOW_IRIS, 0.0)):
        make_iris(db_session, code=code)
        make_iris_score(db_session, campaign=campaign, iris_code=code, score=score)
    sessions = [
        make_canvass_session(
            db_session,
            campaign=campaign,
            iris_code=code,
            starts_at=at_utc(2027, 3, 6, 9, 0),
            meeting_lon=point.lon,
            meeting_lat=point.lat,
            min_volunteers=2,
            max_volunteers=2,
        )
        for code, point in ((HIGH_IRIS, FAR_POINT), (LOW_IRIS, HOME))
    ]
    ids = []
    for name, is_experienced in (("anna", True), ("bruno", False)):
        user = member(db_session, campaign, name)
        make_weekly_slot(db_session, user=user, weekday=5, start_minute=9 * 60, end_minute=15 * 60)
        make_volunteer_profile(
            db_session, user=user, lon=HOME.lon, lat=HOME.lat, is_experienced=is_experienced
        )
        ids.append(user.id)
    db_session.flush()
    return Case(campaign, sessions[0], sessions[1], (ids[0], ids[1]))


def placed_sessions(db_session: Session) -> set[int]:
    return set(db_session.scalars(select(Assignment.session_id)))


def far_travel_points(weight: int) -> int:
    """Points one volunteer loses going to session A, as the planner rounds them."""
    return weight * round(haversine_m(HOME, FAR_POINT)) // 1000


def test_defaults_send_pair_to_high_score(case: Case, db_session: Session) -> None:
    plan = plan_assignments(db_session, case.campaign.id, LIMITS)

    assert placed_sessions(db_session) == {case.high.id}
    assert plan.objective == 2000 + 20 * 100 + 500 - 2 * far_travel_points(10)
    terms = {term.name: term.points for term in plan.terms}
    assert terms[WeightName.TRAVEL] == -2 * far_travel_points(10)
    assert terms[WeightName.TARGET_SCORE] == 2000


def test_travel_weight_keeps_pair_near(case: Case, db_session: Session) -> None:
    save_planning_weights(db_session, case.campaign.id, {"travel": 1000})

    plan = plan_assignments(db_session, case.campaign.id, LIMITS)

    assert placed_sessions(db_session) == {case.low.id}
    assert plan.objective == 2000 + 500
    # Staying at session A would have scored less than session B.
    assert 2000 + 20 * 100 + 500 - 2 * far_travel_points(1000) < plan.objective


def test_saved_weights_are_stored_whole(case: Case, db_session: Session) -> None:
    weights = save_planning_weights(db_session, case.campaign.id, {"travel": 40, "team": 0})

    expected = weights_as_dict(PlanningWeights()) | {"travel": 40, "team": 0}
    assert case.campaign.planning_weights == expected
    assert weights_as_dict(weights) == expected
    assert load_planning_weights(db_session, case.campaign.id) == weights
    # A second save keeps what the first one set.
    save_planning_weights(db_session, case.campaign.id, {"fairness": 7})
    assert case.campaign.planning_weights == expected | {"fairness": 7}


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"travel": -1}, "travel", "out_of_range"),
        ({"team": 1_000_001}, "team", "out_of_range"),
        ({"partner": 2.5}, "partner", "not_an_integer"),
        ({"language": True}, "language", "not_an_integer"),
        ({"speed": 3}, "speed", "unknown_weight"),
    ],
)
def test_bad_weight_is_rejected(
    case: Case, db_session: Session, values: dict[str, object], field: str, message: str
) -> None:
    case.campaign.planning_weights = {"travel": 25}

    with pytest.raises(ValidationError) as error:
        save_planning_weights(db_session, case.campaign.id, values)  # type: ignore[arg-type]

    assert (error.value.field, error.value.message) == (field, message)
    assert case.campaign.planning_weights == {"travel": 25}


def test_weight_bounds_are_accepted(case: Case, db_session: Session) -> None:
    weights = save_planning_weights(db_session, case.campaign.id, {"travel": 0, "team": 1_000_000})

    assert (weights.travel, weights.team) == (0, 1_000_000)


def test_restore_defaults_forgets_weights(case: Case, db_session: Session) -> None:
    save_planning_weights(db_session, case.campaign.id, {"travel": 1000})

    weights = restore_default_weights(db_session, case.campaign.id)

    assert weights == PlanningWeights()
    assert case.campaign.planning_weights == {}
    plan_assignments(db_session, case.campaign.id, LIMITS)
    assert placed_sessions(db_session) == {case.high.id}


def test_unknown_campaign_weights_not_found(db_session: Session) -> None:
    with pytest.raises(NotFoundError):
        save_planning_weights(db_session, 999_999, {"travel": 1})
    with pytest.raises(NotFoundError):
        restore_default_weights(db_session, 999_999)
    with pytest.raises(NotFoundError):
        load_planning_weights(db_session, 999_999)


def test_new_run_records_campaign_weights(case: Case, db_session: Session) -> None:
    save_planning_weights(db_session, case.campaign.id, {"travel": 1000})

    run = create_planning_run(db_session, case.campaign.id, utcnow()).run
    # A change after the request does not reach the run already recorded.
    save_planning_weights(db_session, case.campaign.id, {"travel": 5})

    assert run.parameters == {"weights": weights_as_dict(PlanningWeights(travel=1000))}
    assert run_weights(run) == PlanningWeights(travel=1000)


def test_run_weights_of_older_runs(db_session: Session, caplog: pytest.LogCaptureFixture) -> None:
    campaign = make_campaign(db_session)
    older = JobRun(kind="planning", campaign_id=campaign.id, counts={})
    broken = JobRun(
        kind="planning", campaign_id=campaign.id, counts={}, parameters={"weights": {"team": -5}}
    )
    db_session.add_all([older, broken])
    db_session.flush()

    assert run_weights(older) is None
    assert run_weights(broken) is None
    assert f"Planning run {broken.id}: recorded weights ignored" in caplog.text


def test_weight_rows_pair_values_and_points() -> None:
    rows = weight_rows(PlanningWeights(travel=40), {"travel": -80, "team": 4000, "fairness": True})

    assert [row.name for row in rows] == list(WeightName)
    travel = rows[list(WeightName).index(WeightName.TRAVEL)]
    assert (travel.value, travel.default, travel.points, travel.is_default) == (40, 10, -80, False)
    team = rows[0]
    assert (team.value, team.points, team.is_default) == (2000, 4000, True)
    # A value that is no whole number of points is not shown as points.
    assert rows[list(WeightName).index(WeightName.FAIRNESS)].points is None
    assert rows[list(WeightName).index(WeightName.STABILITY)].points is None
