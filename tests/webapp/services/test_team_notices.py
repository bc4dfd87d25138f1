"""On the day, a team's members hear who joins them, and the volunteer who joins hears
who they now canvass with, on Bondy's case with three teams of two."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from messaging.segments import count_sms_segments
from tests.factories import make_consents, make_planning_volunteer
from tests.webapp.planning import three_teams
from tests.webapp.planning.bondy_case import BondyCase
from tests.webapp.planning.replan_steps import close_the_street, notify
from tests.webapp.planning.three_teams import (
    ROUTE_LINK,
    SESSION,
    door_sets_by_team,
    routes_by_team,
    team_members,
)
from tests.webapp.planning.three_teams import route_change_notices as notices
from webapp.models import Address, Assignment, Campaign, User
from webapp.models.planning import AssignmentStatus
from webapp.models.users import Channel
from webapp.services.replies import cancel_assignment
from webapp.services.reply_links import make_reply_token
from webapp.services.route_notice_state import ROUTE_NOTICE_HOLD, NotifiedRoute
from webapp.services.route_notices import ROUTE_TEMPLATE, TEAM_TEMPLATE, team_notices
from webapp.services.team_changes import join_other_team

SETTINGS = three_teams.ROUTE_SETTINGS

seeded, db_connection, case = three_teams.seeded, three_teams.db_connection, three_teams.case

DECLINED = AssignmentStatus.DECLINED
PHONE = "+33612345678"


app_context, an_hour_before = three_teams.app_context, three_teams.an_hour_before
# Notices and reminders are rendered from templates.
pytestmark = pytest.mark.usefixtures("app_context")


def member(assignment_id: int, name: str) -> Assignment:
    return Assignment(id=assignment_id, user=User(first_name=name, last_name="Exemple"))


LEA, HUGO, ANA = member(1, "Léa"), member(2, "Hugo"), member(3, "Ana")


def notified_state(doors: set[int] | None, members: set[int]) -> NotifiedRoute:
    return NotifiedRoute(
        address_ids=None if doors is None else frozenset(doors), assignment_ids=frozenset(members)
    )


@pytest.mark.parametrize(
    ("notified_route", "members", "expected"),
    [
        # Nothing changed: no notice, even with a member gone.
        (notified_state({10, 11}, {1, 2, 9}), [LEA, HUGO], []),
        # Doors changed: the route notice to each.
        (
            notified_state({10}, {1, 2}),
            [LEA, HUGO],
            [(1, ROUTE_TEMPLATE, {}), (2, ROUTE_TEMPLATE, {})],
        ),
        # Ana joins, the doors are the same.
        (
            notified_state({10, 11}, {1, 2}),
            [LEA, HUGO, ANA],
            [
                (
                    1,
                    TEAM_TEMPLATE,
                    {"is_new_member": False, "names": ["Ana"], "is_route_changed": False},
                ),
                (
                    2,
                    TEAM_TEMPLATE,
                    {"is_new_member": False, "names": ["Ana"], "is_route_changed": False},
                ),
                (3, TEAM_TEMPLATE, {"is_new_member": True, "names": ["Léa", "Hugo"]}),
            ],
        ),
        # Hugo and Ana join Léa, and the doors changed.
        (
            notified_state({10}, {1}),
            [LEA, HUGO, ANA],
            [
                (
                    1,
                    TEAM_TEMPLATE,
                    {"is_new_member": False, "names": ["Hugo", "Ana"], "is_route_changed": True},
                ),
                (2, TEAM_TEMPLATE, {"is_new_member": True, "names": ["Léa", "Ana"]}),
                (3, TEAM_TEMPLATE, {"is_new_member": True, "names": ["Léa", "Hugo"]}),
            ],
        ),
        # Alone on a route new to them: the route is all there is to tell.
        (notified_state({10, 11}, {1, 2}), [ANA], [(3, ROUTE_TEMPLATE, {})]),
        # A route nobody was notified of: each member is new to it.
        (
            notified_state(None, set()),
            [LEA, HUGO],
            [
                (1, TEAM_TEMPLATE, {"is_new_member": True, "names": ["Hugo"]}),
                (2, TEAM_TEMPLATE, {"is_new_member": True, "names": ["Léa"]}),
            ],
        ),
        (notified_state({10}, set()), [], []),
    ],
)
def test_team_notices(
    notified_route: NotifiedRoute,
    members: list[Assignment],
    expected: list[tuple[int, str, dict[str, object]]],
) -> None:
    notices = team_notices(notified_route, [10, 11], members)

    assert [(n.assignment.id, n.template, n.context) for n in notices] == expected


def first_names(session: Session) -> dict[int, str]:
    return {user_id: name for user_id, name in session.execute(select(User.id, User.first_name))}


def join_team_3(session: Session, case: BondyCase, now: datetime) -> Assignment:
    """Decline team 3's first member, join the other to another team, notify; commit."""
    declined, alone = team_members(session, 3)
    declined.status = DECLINED
    session.commit()
    report = join_other_team(
        session, case.campaign_id, case.session_id, 3, settings=SETTINGS, now=now
    ).report
    notify(session, report, now)
    return alone


def doors_line(count: int) -> str:
    noun = "adresse" if count == 1 else "adresses"
    return f"Votre équipe a {count} {noun} à visiter. Ouvrez le parcours sur votre téléphone :"


def test_join_on_the_day_tells_both_sides(
    case: BondyCase, db_session: Session, an_hour_before: datetime
) -> None:
    published = door_sets_by_team(db_session)
    declined = team_members(db_session, 3)[0]

    alone = join_team_3(db_session, case, an_hour_before)

    names = first_names(db_session)
    routes = routes_by_team(db_session)
    rows = {row.user_id: row for row in notices(db_session)}
    team_1 = [m for m in team_members(db_session, 1) if m.id != alone.id]
    link = f"{ROUTE_LINK}{routes[1].access_token}"
    to_visit = len(routes[1].address_ids)
    assert {row.send_after for row in rows.values()} == {an_hour_before + ROUTE_NOTICE_HOLD}
    assert declined.user_id not in rows
    # The volunteer who joined hears who they now canvass with, and their new route.
    joined = rows[alone.user_id]
    mates = " et ".join(names[m.user_id] for m in team_1)
    assert joined.subject == f"Votre nouvelle équipe pour le porte-à-porte du {SESSION}"
    assert joined.body.splitlines()[:8] == [
        f"Bonjour {names[alone.user_id]},",
        "",
        f"Pour la session de porte-à-porte du {SESSION}, vous faites désormais équipe avec "
        f"{mates}.",
        doors_line(to_visit),
        link,
        "Ce lien est réservé à votre équipe : ne le partagez pas.",
        "",
        "Municipales Bondy",
    ]
    # Team 1 hears who joins it, and whether its doors changed, in one message each.
    is_changed = set(routes[1].address_ids) != published[1]
    changed_line = ["Le parcours de votre équipe a changé aussi."] if is_changed else []
    for teammate in team_1:
        row = rows[teammate.user_id]
        assert row.subject == (
            f"{names[alone.user_id]} rejoint votre équipe pour le porte-à-porte du {SESSION}"
        )
        assert row.body.splitlines()[: 5 + len(changed_line)] == [
            f"Bonjour {names[teammate.user_id]},",
            "",
            f"{names[alone.user_id]} rejoint votre équipe pour la session de porte-à-porte du "
            f"{SESSION}.",
            *changed_line,
            doors_line(to_visit),
            link,
        ]
    # Team 2 hears only if its doors changed.
    team_2 = [m.user_id for m in team_members(db_session, 2)]
    is_team_2_changed = set(routes[2].address_ids) != published[2]
    assert sorted(rows) == sorted(
        [alone.user_id, *(m.user_id for m in team_1)] + (team_2 if is_team_2_changed else [])
    )


def test_join_by_sms(case: BondyCase, db_session: Session, an_hour_before: datetime) -> None:
    published = set(routes_by_team(db_session)[1].address_ids)
    teammate = team_members(db_session, 1)[0]
    user = teammate.user
    user.phone_e164 = PHONE
    make_consents(db_session, user=user, email=True, sms=True)
    db_session.commit()

    alone = join_team_3(db_session, case, an_hour_before)

    route = routes_by_team(db_session)[1]
    rows = [row for row in notices(db_session) if row.user_id == user.id]
    name = first_names(db_session)[alone.user_id]
    link = f"{ROUTE_LINK}{route.access_token}"
    expected = (
        f"Tournee : {name} rejoint votre équipe, et votre parcours a changé : {link}"
        if set(route.address_ids) != published
        else f"Tournee : {name} rejoint votre équipe. Votre parcours : {link}"
    )
    assert [(row.channel, row.recipient, row.body) for row in rows] == [
        (Channel.SMS, PHONE, expected)
    ]
    assert count_sms_segments(rows[0].body).segments == 1


def test_join_before_the_day_counts_as_notified(case: BondyCase, db_session: Session) -> None:
    two_days_before = case.starts_at - timedelta(days=2)
    alone = join_team_3(db_session, case, two_days_before)
    assert notices(db_session) == []
    assert alone.id in routes_by_team(db_session)[1].notified_assignment_ids
    before = door_sets_by_team(db_session)
    an_hour_before = case.starts_at - timedelta(hours=1)

    notify(db_session, close_the_street(db_session, case, an_hour_before), an_hour_before)

    # The rewritten reminders carried team 1's link: on the day the volunteer who joined
    # is one of the team, notified of the route like the others.
    rows = {row.user_id: row for row in notices(db_session)}
    after = door_sets_by_team(db_session)
    changed = [team for team in (1, 2) if after[team] != before[team]]
    coming = [
        m.user_id
        for team in changed
        for m in team_members(db_session, team)
        if m.status != DECLINED
    ]
    assert changed != []
    assert sorted(rows) == sorted(coming)
    assert (alone.user_id in rows) is (1 in changed)
    assert {row.subject for row in rows.values()} == {
        f"Votre parcours de porte-à-porte du {SESSION} a changé"
    }


def test_replacement_is_not_presented_as_joining(
    case: BondyCase, db_session: Session, an_hour_before: datetime
) -> None:
    campaign = db_session.get(Campaign, case.campaign_id)
    assert campaign is not None
    home = db_session.get(Address, case.address_ids[0])
    assert home is not None
    replacement = make_planning_volunteer(db_session, campaign=campaign, index=6, home=home)
    db_session.commit()
    leaving, staying = team_members(db_session, 1)
    token = make_reply_token(leaving.id, case.starts_at)

    result = cancel_assignment(db_session, token, now=case.starts_at - timedelta(hours=5))
    db_session.commit()
    before = set(routes_by_team(db_session)[1].address_ids)
    notify(db_session, close_the_street(db_session, case, an_hour_before), an_hour_before)

    # The replacement's confirmation carried the route link: a later notice treats them
    # as notified, and nobody hears of them as joining.
    assert result.replacement_user_id == replacement.id
    assert [m.user_id for m in team_members(db_session, 1)] == [
        leaving.user_id,
        staying.user_id,
        replacement.id,
    ]
    is_changed = set(routes_by_team(db_session)[1].address_ids) != before
    subjects = [
        row.subject
        for row in notices(db_session)
        if row.user_id in (replacement.id, staying.user_id)
    ]
    assert subjects == [f"Votre parcours de porte-à-porte du {SESSION} a changé"] * (
        2 if is_changed else 0
    )
    assert not any("rejoint" in row.subject for row in notices(db_session))
