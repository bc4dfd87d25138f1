"""Re-planning while teams are out: a team goes on from its last visited door."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from routing import resume
from routing.route_types import PlannedRoute, TurfProblem
from routing.street_graph import StreetGraph
from tests.webapp.planning import three_teams
from tests.webapp.planning.bondy_case import PARC_ADDRESS_COUNT, BondyCase
from tests.webapp.planning.replan_steps import replan
from tests.webapp.planning.three_teams import routes_by_team
from webapp.models import Address, CanvassSession, DoorVisit, Route
from webapp.models.canvass import DoorOutcome
from webapp.services.replanning import UncoveredReason
from webapp.services.route_view import route_geojson, sheet_of_route
from webapp.services.team_changes import mark_team_absent

SETTINGS = three_teams.ROUTE_SETTINGS

seeded, db_connection, case = three_teams.seeded, three_teams.db_connection, three_teams.case


def visit(session: Session, route: Route, visits: list[tuple[int, datetime]]) -> None:
    for address_id, visited_at in visits:
        session.add(
            DoorVisit(
                route_id=route.id,
                address_id=address_id,
                outcome=DoorOutcome.ABSENT,
                visited_at=visited_at,
            )
        )
    session.commit()


def point_of(session: Session, address_id: int) -> list[float]:
    address = session.get(Address, address_id)
    assert address is not None
    return [address.lon, address.lat]


def meeting_point(session: Session, case: BondyCase) -> list[float]:
    canvass = session.get(CanvassSession, case.session_id)
    assert canvass is not None
    return [canvass.meeting_lon, canvass.meeting_lat]


def test_team_out_goes_on_from_its_last_door(case: BondyCase, db_session: Session) -> None:
    before = routes_by_team(db_session)
    # The team with the longest list is out, the one with the shortest absent.
    by_length = sorted(before, key=lambda team: (len(before[team].address_ids), team))
    out, absent = by_length[-1], by_length[0]
    stays = ({1, 2, 3} - {out, absent}).pop()
    done = before[out].address_ids[:5]
    # The last door by time is the fifth one; the third one was recorded first.
    times = [1, 2, 0, 3, 4]
    visit(
        db_session,
        before[out],
        [(a, case.starts_at + timedelta(minutes=10 * k)) for a, k in zip(done, times, strict=True)],
    )
    now = case.starts_at + timedelta(minutes=40)

    report = mark_team_absent(
        db_session, case.campaign_id, case.session_id, absent, settings=SETTINGS, now=now
    )

    after = routes_by_team(db_session)
    last = point_of(db_session, done[-1])
    meeting = meeting_point(db_session, case)
    assert after[out].address_ids[:5] == done
    assert after[out].path[0] == last
    assert after[out].path[-1] == meeting
    # The other team has not started: its walk leaves from the meeting point.
    assert after[stays].path[0] == after[stays].path[-1] == meeting
    # The absent team's route stays, empty, so its link still opens.
    assert after[absent].address_ids == []
    for route in (after[out], after[stays]):
        assert 0 < route.total_minutes <= 180 - 40
        assert route.door_count == len(route.address_ids)
    routed = [
        a
        for route in after.values()
        for a in route.address_ids[len(done) if route.team == out else 0 :]
    ]
    assert report.routed_door_count == len(routed) == len(set(routed))
    assert len(routed) + len(report.uncovered) == PARC_ADDRESS_COUNT - len(done)
    assert {door.reason for door in report.uncovered} <= {UncoveredReason.OUT_OF_TIME}


def test_tied_visits_follow_route_order(case: BondyCase, db_session: Session) -> None:
    before = routes_by_team(db_session)
    # The team with most doors: it has doors left after four, so it walks on.
    team = max(before, key=lambda number: len(before[number].address_ids))
    done = before[team].address_ids[:4]
    assert len(before[team].address_ids) > len(done)
    points = [point_of(db_session, a) for a in done]
    assert points[-1] not in points[:-1]
    # Recorded in reverse order, all in the same second.
    visit(db_session, before[team], [(a, case.starts_at) for a in reversed(done)])

    replan(db_session, case, case.starts_at + timedelta(minutes=30))

    after = routes_by_team(db_session)
    assert after[team].address_ids[:4] == done
    assert after[team].path[0] == points[-1]


def test_team_far_out_leaves_doors_out_of_time(
    case: BondyCase, db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = routes_by_team(db_session)
    # 1 Allée Gabriel Fauré is off the team's list, 1,872 m from the meeting point along
    # the streets: 26.7 min, so with 28 min left no door fits on the way back.
    far = db_session.scalars(
        select(Address.id).where(Address.street == "Allée Gabriel Fauré", Address.number == 1)
    ).one()
    visit(
        db_session,
        before[1],
        [(before[1].address_ids[0], case.starts_at), (far, case.ends_at - timedelta(minutes=29))],
    )
    given_doors: list[int] = []
    dropped: list[int] = []
    real_walk_from = resume.walk_from

    def spy(
        problem: TurfProblem, graph: StreetGraph, *, team: int
    ) -> tuple[PlannedRoute, tuple[int, ...]]:
        walk, late = real_walk_from(problem, graph, team=team)
        given_doors.extend(door.address_id for door in problem.doors)
        dropped.extend(late)
        return walk, late

    monkeypatch.setattr(resume, "walk_from", spy)

    report = replan(db_session, case, case.ends_at - timedelta(minutes=28))

    after = routes_by_team(db_session)
    assert after[1].address_ids == [before[1].address_ids[0], far]
    # No door fits: every door of the route the team took is out of time.
    assert given_doors
    assert sorted(dropped) == sorted(given_doors)
    out_of_time = {
        door.address_id for door in report.uncovered if door.reason == UncoveredReason.OUT_OF_TIME
    }
    assert set(dropped) <= out_of_time
    routed = {a for route in after.values() for a in route.address_ids}
    assert routed.isdisjoint(out_of_time)
    assert len(routed) - 2 + len(report.uncovered) == PARC_ADDRESS_COUNT - 1
    assert (after[1].path, after[1].length_m, after[1].total_minutes) == ([], 0, 0.0)
    for route in after.values():
        assert route.total_minutes <= 28


def test_team_out_ends_at_the_stop(case: BondyCase, db_session: Session) -> None:
    canvass = db_session.get(CanvassSession, case.session_id)
    assert canvass is not None
    stop = db_session.get(Address, case.address_ids[-1])
    assert stop is not None
    canvass.end_lon, canvass.end_lat, canvass.end_point_label = stop.lon, stop.lat, "Arrêt"
    db_session.flush()
    before = routes_by_team(db_session)
    # The team with the longest list is out: a team whose three doors are all done
    # would rest rather than walk on.
    out = max(before, key=lambda team: (len(before[team].address_ids), team))
    done = before[out].address_ids[:3]
    visit(
        db_session,
        before[out],
        [(a, case.starts_at + timedelta(minutes=k)) for k, a in enumerate(done)],
    )

    replan(db_session, case, case.starts_at + timedelta(minutes=20))

    after = routes_by_team(db_session)
    assert after[out].address_ids[:3] == done
    assert after[out].path[0] == point_of(db_session, done[-1])
    for team in {1, 2, 3} - {out}:
        assert after[team].path[0] == meeting_point(db_session, case)
    for route in after.values():
        assert route.path[-1] == [stop.lon, stop.lat]
        assert route.total_minutes <= 180 - 20


def test_route_sheet_path_starts_at_last_door(case: BondyCase, db_session: Session) -> None:
    before = routes_by_team(db_session)
    done = before[3].address_ids[:2]
    visit(
        db_session,
        before[3],
        [(a, case.starts_at + timedelta(minutes=k)) for k, a in enumerate(done)],
    )
    mark_team_absent(
        db_session,
        case.campaign_id,
        case.session_id,
        2,
        settings=SETTINGS,
        now=case.starts_at + timedelta(minutes=15),
    )

    sheet = sheet_of_route(db_session, routes_by_team(db_session)[3])

    # The visited doors head the list, and the drawn walk leaves from the last of them.
    assert [[stop.lon, stop.lat] for stop in sheet.stops[:2]] == [
        point_of(db_session, a) for a in done
    ]
    (line,) = [f for f in route_geojson(sheet)["features"] if f["properties"]["kind"] == "path"]
    assert line["geometry"]["coordinates"][0] == point_of(db_session, done[-1])
    assert line["geometry"]["coordinates"][-1] == meeting_point(db_session, case)


def test_teams_out_keep_their_doors_when_one_drops_out(
    case: BondyCase, db_session: Session
) -> None:
    routes = routes_by_team(db_session)
    lists = {team: list(route.address_ids) for team, route in routes.items()}
    absent = max(lists, key=lambda team: (len(lists[team]), team))
    # Halfway through the session, the other teams have visited half of their doors.
    now = case.starts_at + timedelta(minutes=90)
    done = {team: len(doors) // 2 if team != absent else 0 for team, doors in lists.items()}
    for team, route in routes.items():
        visit(
            db_session, route, [(a, now - timedelta(minutes=1)) for a in lists[team][: done[team]]]
        )

    report = mark_team_absent(
        db_session, case.campaign_id, case.session_id, absent, settings=SETTINGS, now=now
    )

    after = routes_by_team(db_session)
    # Each team out walks on with every door it had, from where it is, and takes those of
    # the absent team that its time allows: none is taken from it by a cut that starts
    # at the meeting point.
    for team in set(lists) - {absent}:
        assert set(lists[team][done[team] :]) <= set(after[team].address_ids)
        assert after[team].walk_start_index == done[team]
    assert after[absent].address_ids == []
    assert report.routed_door_count + len(report.uncovered) == PARC_ADDRESS_COUNT - sum(
        done.values()
    )
