"""Re-planning one session on Bondy's real streets: absent teams, closed streets."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.street_graph import StreetGraph
from tests.webapp.planning import three_teams
from tests.webapp.planning.bondy_case import (
    ADDRESS_ONLY_STREETS,
    CLOSABLE_STREET,
    CLOSABLE_STREET_DOORS,
    OTHER_CLOSABLE_STREET,
    PARC_ADDRESS_COUNT,
    PARC_DWELLING_COUNT,
    BondyCase,
)
from tests.webapp.planning.three_teams import (
    door_sets_by_team,
    doors_by_team,
    record_nobody_home,
    routed_doors,
    routes_by_team,
    tokens_by_team,
)
from webapp.db import utcnow
from webapp.models import (
    Address,
    Assignment,
    CanvassSession,
    DoorVisit,
    StreetClosure,
    StreetWay,
)
from webapp.models.planning import AssignmentStatus, SessionStatus
from webapp.services import replanning
from webapp.services.closable_streets import list_closable_streets
from webapp.services.errors import NotFoundError
from webapp.services.replanning import (
    ReplanError,
    ReplanErrorCode,
    UncoveredDoor,
    UncoveredReason,
    close_street,
    reopen_street,
    replan_session,
)
from webapp.services.routes import load_street_graph, plan_session_routes
from webapp.services.team_changes import mark_team_absent

SETTINGS = three_teams.ROUTE_SETTINGS
SESSION_MINUTES = 180

seeded, db_connection, case = three_teams.seeded, three_teams.db_connection, three_teams.case
before_session = three_teams.before_session


def test_first_routes_cover_the_iris(case: BondyCase, db_session: Session) -> None:
    routes = routes_by_team(db_session)

    assert sorted(routes) == [1, 2, 3]
    routed = routed_doors(routes)
    assert sorted(routed) == sorted(case.address_ids)
    assert len(routed) == PARC_ADDRESS_COUNT
    assert case.dwellings_in(routed) == PARC_DWELLING_COUNT
    assert sum(route.dwelling_count for route in routes.values()) == PARC_DWELLING_COUNT
    for route in routes.values():
        assert route.dwelling_count == case.dwellings_in(route.address_ids)
        assert route.dwelling_count >= route.door_count
        assert route.summary() == {
            "team": route.team,
            "addresses": len(route.address_ids),
            "dwellings": case.dwellings_in(route.address_ids),
            "length_m": route.length_m,
            "minutes": round(route.total_minutes),
        }


def test_replanning_recounts_changed_dwellings(
    case: BondyCase, db_session: Session, before_session: datetime
) -> None:
    routes = routes_by_team(db_session)
    visited = routes[1].address_ids[:1]
    record_nobody_home(db_session, routes[1], visited)
    # A new import re-estimates a visited address and another one.
    other = routes[2].address_ids[-1]
    for address_id, dwellings in ((visited[0], 40), (other, 0)):
        address = db_session.get(Address, address_id)
        assert address is not None
        address.dwellings = dwellings
    db_session.commit()
    now = {**case.dwellings_of, visited[0]: 40, other: 1}

    replan_session(
        db_session, case.campaign_id, case.session_id, settings=SETTINGS, now=before_session
    )

    after = routes_by_team(db_session)
    assert sum(route.dwelling_count for route in after.values()) == (
        PARC_DWELLING_COUNT - case.dwellings_of[visited[0]] + 40 - case.dwellings_of[other] + 1
    )
    for route in after.values():
        assert route.dwelling_count == sum(now[key] for key in route.address_ids)


def test_absent_team_doors_go_to_other_teams_visited_doors_stay(
    case: BondyCase, db_session: Session, before_session: datetime
) -> None:
    tokens = tokens_by_team(db_session)
    before = routes_by_team(db_session)
    visited_one = before[1].address_ids[:2]
    visited_three = before[3].address_ids[:1]
    record_nobody_home(db_session, before[1], visited_one)
    record_nobody_home(db_session, before[3], visited_three)
    team_two_doors = set(before[2].address_ids)
    # The re-planning updates these rows in place: keep the doors of teams 1 and 3.
    kept = {team: set(before[team].address_ids) for team in (1, 3)}

    report = mark_team_absent(
        db_session, case.campaign_id, case.session_id, 2, settings=SETTINGS, now=before_session
    )
    db_session.commit()

    after = routes_by_team(db_session)
    # Team 2 keeps its link, on a route left empty.
    assert sorted(after) == [1, 2, 3]
    assert tokens_by_team(db_session) == tokens
    assert (after[2].address_ids, after[2].door_count, after[2].length_m) == ([], 0, 0)
    assert after[1].address_ids[:2] == visited_one
    assert after[3].address_ids[:1] == visited_three
    routed = routed_doors(after)
    assert len(routed) == len(set(routed)) == PARC_ADDRESS_COUNT
    # Team 2's dwellings moved to the two routes left, visited addresses included.
    assert after[1].dwelling_count + after[3].dwelling_count == PARC_DWELLING_COUNT
    assert after[1].dwelling_count == case.dwellings_in(after[1].address_ids)
    assert after[3].dwelling_count == case.dwellings_in(after[3].address_ids)
    assert team_two_doors <= set(routed)
    # Teams 1 and 3 keep every door they had.
    assert kept[1] <= set(after[1].address_ids)
    assert kept[3] <= set(after[3].address_ids)
    canvass = db_session.get(CanvassSession, case.session_id)
    assert canvass is not None
    # Both teams are out: each walk leaves from the team's last visited door.
    for route, last in ((after[1], visited_one[-1]), (after[3], visited_three[-1])):
        address = db_session.get(Address, last)
        assert address is not None
        assert route.door_count == len(route.address_ids)
        assert 0 < route.total_minutes <= SESSION_MINUTES
        assert route.path[0] == [address.lon, address.lat]
        assert route.path[-1] == [canvass.meeting_lon, canvass.meeting_lat]
    assert report.teams == (1, 3)
    assert report.removed_teams == (2,)
    assert report.removed_door_count == len(team_two_doors)
    assert report.visited_door_count == 3
    assert report.routed_door_count == PARC_ADDRESS_COUNT - 3
    assert report.uncovered == ()
    statuses = {a.team: a.status for a in db_session.scalars(select(Assignment))}
    assert statuses[2] == AssignmentStatus.DECLINED
    assert statuses[1] == AssignmentStatus.PROPOSED


def test_replanning_without_change_keeps_every_route(
    case: BondyCase, db_session: Session, before_session: datetime
) -> None:
    before = door_sets_by_team(db_session)

    report = replan_session(
        db_session, case.campaign_id, case.session_id, settings=SETTINGS, now=before_session
    )

    assert door_sets_by_team(db_session) == before
    assert report.changed_routes == ()
    assert report.routed_door_count == report.routed_before_count == PARC_ADDRESS_COUNT


def test_closed_street_doors_are_listed_not_routed(
    case: BondyCase, db_session: Session, before_session: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    tokens = tokens_by_team(db_session)
    # Two ways bear the name; the service road of that name 2 km south is not closed.
    closed_way_ids = set(
        db_session.scalars(select(StreetWay.id).where(StreetWay.osm_id == "way/25415571"))
    )
    graphs: list[set[int]] = []
    real_load = load_street_graph

    def spy(session: Session, excluded_way_ids: set[int] | None = None) -> StreetGraph:
        graphs.append(set(excluded_way_ids or ()))
        return real_load(session, excluded_way_ids)

    monkeypatch.setattr(replanning, "load_street_graph", spy)
    assert list_closable_streets(db_session, case.session_id) == [
        *ADDRESS_ONLY_STREETS,
        CLOSABLE_STREET,
        OTHER_CLOSABLE_STREET,
    ]

    report = close_street(
        db_session,
        case.campaign_id,
        case.session_id,
        "chemin lateral",
        settings=SETTINGS,
        now=before_session,
    )
    db_session.commit()

    closed_doors = case.addresses_in(CLOSABLE_STREET)
    assert len(closed_doors) == CLOSABLE_STREET_DOORS
    assert report.uncovered == tuple(
        UncoveredDoor(address_id, UncoveredReason.STREET_CLOSED)
        for address_id in sorted(closed_doors)
    )
    closures = db_session.scalars(
        select(StreetClosure.street_way_id).where(StreetClosure.session_id == case.session_id)
    )
    assert set(closures) == closed_way_ids == graphs[0]
    after = routes_by_team(db_session)
    routed = {address_id for route in after.values() for address_id in route.address_ids}
    assert routed.isdisjoint(closed_doors)
    assert routed == set(case.address_ids) - set(closed_doors)
    # The 26 closed addresses hold one dwelling each; the 17 left hold the other 105.
    assert sum(route.dwelling_count for route in after.values()) == 105
    assert tokens_by_team(db_session) == tokens
    assert list_closable_streets(db_session, case.session_id) == [
        *ADDRESS_ONLY_STREETS,
        OTHER_CLOSABLE_STREET,
    ]


def test_visited_door_on_closed_street_stays_done(
    case: BondyCase, db_session: Session, before_session: datetime
) -> None:
    closed_doors = set(case.addresses_in(CLOSABLE_STREET))
    owner = next(
        route
        for route in routes_by_team(db_session).values()
        if closed_doors & set(route.address_ids)
    )
    done = next(a for a in owner.address_ids if a in closed_doors)
    record_nobody_home(db_session, owner, [done])

    report = close_street(
        db_session,
        case.campaign_id,
        case.session_id,
        CLOSABLE_STREET,
        settings=SETTINGS,
        now=before_session,
    )

    assert routes_by_team(db_session)[owner.team].address_ids[0] == done
    assert done not in {door.address_id for door in report.uncovered}
    assert report.uncovered_count(UncoveredReason.STREET_CLOSED) == CLOSABLE_STREET_DOORS - 1


def test_absent_team_with_visits_keeps_only_its_done_doors(
    case: BondyCase, db_session: Session, before_session: datetime
) -> None:
    team_two = routes_by_team(db_session)[2]
    done = team_two.address_ids[:2]
    to_visit_count = len(team_two.address_ids) - len(done)
    record_nobody_home(db_session, team_two, done)

    report = mark_team_absent(
        db_session, case.campaign_id, case.session_id, 2, settings=SETTINGS, now=before_session
    )

    after = routes_by_team(db_session)
    assert after[2].address_ids == done
    assert (after[2].door_count, after[2].length_m, after[2].path) == (2, 0, [])
    assert after[2].dwelling_count == case.dwellings_in(done)
    assert report.removed_teams == (2,)
    assert report.removed_door_count == to_visit_count
    assert db_session.scalars(select(DoorVisit.address_id)).all() == done
    # A later re-planning leaves team 2 without a walk again, with no door left to lose.
    again = replan_session(
        db_session, case.campaign_id, case.session_id, settings=SETTINGS, now=before_session
    )
    assert again.removed_teams == (2,)
    assert again.removed_door_count == 0


def test_during_the_session_routes_fit_the_time_left(case: BondyCase, db_session: Session) -> None:
    an_hour_in = case.starts_at + timedelta(hours=1)

    report = replan_session(
        db_session, case.campaign_id, case.session_id, settings=SETTINGS, now=an_hour_in
    )

    for route in routes_by_team(db_session).values():
        assert route.total_minutes <= SESSION_MINUTES - 60
    assert report.routed_door_count + len(report.uncovered) == PARC_ADDRESS_COUNT
    assert {door.reason for door in report.uncovered} <= {UncoveredReason.OUT_OF_TIME}


def test_every_team_absent_leaves_doors_without_team(
    case: BondyCase, db_session: Session, before_session: datetime
) -> None:
    for team in (1, 2):
        mark_team_absent(
            db_session,
            case.campaign_id,
            case.session_id,
            team,
            settings=SETTINGS,
            now=before_session,
        )

    report = mark_team_absent(
        db_session, case.campaign_id, case.session_id, 3, settings=SETTINGS, now=before_session
    )

    # Every team keeps its link, on a route left empty.
    assert doors_by_team(db_session) == {1: [], 2: [], 3: []}
    assert report.teams == ()
    assert report.uncovered_count(UncoveredReason.NO_TEAM) == PARC_ADDRESS_COUNT


def test_unknown_team_changes_nothing(
    case: BondyCase, db_session: Session, before_session: datetime
) -> None:
    doors = doors_by_team(db_session)

    with pytest.raises(ReplanError) as raised:
        mark_team_absent(
            db_session, case.campaign_id, case.session_id, 9, settings=SETTINGS, now=before_session
        )
    db_session.rollback()

    assert raised.value.code == ReplanErrorCode.UNKNOWN_TEAM
    assert doors_by_team(db_session) == doors


def test_street_without_a_way_is_closed_by_name(
    case: BondyCase, db_session: Session, before_session: datetime
) -> None:
    # "Avenue Galliéni" has addresses in the IRIS, but no way of the street network
    # near it bears that name.
    gallieni = case.addresses_in(ADDRESS_ONLY_STREETS[0])
    assert gallieni

    report = close_street(
        db_session,
        case.campaign_id,
        case.session_id,
        "Avenue Galliéni",
        settings=SETTINGS,
        now=before_session,
    )
    db_session.commit()

    closures = db_session.execute(
        select(StreetClosure.street_way_id, StreetClosure.street_key)
    ).all()
    assert closures == [(None, "avenue gallieni")]
    routed = {a for route in routes_by_team(db_session).values() for a in route.address_ids}
    assert routed == set(case.address_ids) - set(gallieni)
    assert report.uncovered == tuple(
        UncoveredDoor(address_id, UncoveredReason.STREET_CLOSED) for address_id in gallieni
    )

    reopen_street(
        db_session,
        case.campaign_id,
        case.session_id,
        "Avenue Galliéni",
        settings=SETTINGS,
        now=before_session,
    )
    db_session.commit()

    assert db_session.scalars(select(StreetClosure)).all() == []
    routed = {a for route in routes_by_team(db_session).values() for a in route.address_ids}
    assert routed == set(case.address_ids)


@pytest.mark.parametrize("street", ["Rue Imaginaire", "  ", ""])
def test_street_outside_the_iris_is_refused(
    case: BondyCase, db_session: Session, before_session: datetime, street: str
) -> None:
    with pytest.raises(ReplanError) as raised:
        close_street(
            db_session,
            case.campaign_id,
            case.session_id,
            street,
            settings=SETTINGS,
            now=before_session,
        )
    db_session.rollback()

    assert raised.value.code == ReplanErrorCode.UNKNOWN_STREET
    assert db_session.scalars(select(StreetClosure)).all() == []


def test_session_over_or_cancelled_is_refused(case: BondyCase, db_session: Session) -> None:
    with pytest.raises(ReplanError) as over:
        replan_session(
            db_session,
            case.campaign_id,
            case.session_id,
            settings=SETTINGS,
            now=case.ends_at,
        )
    assert over.value.code == ReplanErrorCode.SESSION_OVER

    canvass = db_session.get(CanvassSession, case.session_id)
    assert canvass is not None
    canvass.status = SessionStatus.CANCELLED
    db_session.flush()
    with pytest.raises(ReplanError) as cancelled:
        replan_session(
            db_session, case.campaign_id, case.session_id, settings=SETTINGS, now=utcnow()
        )
    assert cancelled.value.code == ReplanErrorCode.SESSION_NOT_PLANNED


def test_session_of_another_campaign_is_not_found(case: BondyCase, db_session: Session) -> None:
    with pytest.raises(NotFoundError):
        replan_session(
            db_session, case.campaign_id + 1, case.session_id, settings=SETTINGS, now=utcnow()
        )
    with pytest.raises(NotFoundError):
        replan_session(db_session, case.campaign_id, 999_999, settings=SETTINGS, now=utcnow())


def test_full_planning_respects_closures_and_absences(
    case: BondyCase, db_session: Session, before_session: datetime
) -> None:
    close_street(
        db_session,
        case.campaign_id,
        case.session_id,
        CLOSABLE_STREET,
        settings=SETTINGS,
        now=before_session,
    )
    for assignment in db_session.scalars(select(Assignment).where(Assignment.team == 3)):
        assignment.status = AssignmentStatus.DECLINED
    db_session.flush()

    canvass = db_session.get(CanvassSession, case.session_id)
    assert canvass is not None
    routes = plan_session_routes(db_session, canvass, load_street_graph(db_session), SETTINGS)

    assert [route.team for route in routes] == [1, 2]
    routed = {address_id for route in routes for address_id in route.address_ids}
    closed = set(case.addresses_in(CLOSABLE_STREET))
    assert routed == set(case.address_ids) - closed


def test_routes_and_replanned_routes_end_at_the_stop(
    case: BondyCase, db_session: Session, before_session: datetime
) -> None:
    canvass = db_session.get(CanvassSession, case.session_id)
    assert canvass is not None
    # A point of the IRIS away from the meeting point stands for a bus stop.
    stop = db_session.get(Address, case.address_ids[-1])
    assert stop is not None
    canvass.end_lon, canvass.end_lat, canvass.end_point_label = stop.lon, stop.lat, "Arrêt"
    db_session.flush()

    routes = plan_session_routes(db_session, canvass, load_street_graph(db_session), SETTINGS)
    db_session.commit()
    # The re-planning updates these rows in place: keep what the first plan drew.
    planned = [(list(route.path), route.total_minutes) for route in routes]
    mark_team_absent(
        db_session, case.campaign_id, case.session_id, 2, settings=SETTINGS, now=before_session
    )
    db_session.commit()

    kept = routes_by_team(db_session)
    assert kept[2].address_ids == []
    replanned = [(kept[team].path, kept[team].total_minutes) for team in (1, 3)]
    for path, total_minutes in [*planned, *replanned]:
        assert path[0] == [canvass.meeting_lon, canvass.meeting_lat]
        assert path[-1] == [stop.lon, stop.lat]
        assert total_minutes <= SESSION_MINUTES
