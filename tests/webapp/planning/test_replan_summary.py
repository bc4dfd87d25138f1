"""The one flashed message that sums up a re-planning: its lines, in English and French.

The French cases read the compiled catalogue.
"""

from dataclasses import replace

import pytest
from flask import Flask, get_flashed_messages
from flask_babel import force_locale

from routing.status import SolveStatus
from webapp.models import Message
from webapp.planning.replan_summary import (
    changed_teams_line,
    flash_replan_summary,
    notice_lines,
    replan_report_lines,
)
from webapp.services.replanning import (
    ReplanReport,
    RouteChange,
    TeamWalk,
    UncoveredDoor,
    UncoveredReason,
)
from webapp.services.route_notices import RouteNotices


def report_of(teams: tuple[int, ...], uncovered: tuple[UncoveredDoor, ...] = ()) -> ReplanReport:
    """Return a report of a session with three teams, whose doors changed for `teams`."""
    return ReplanReport(
        session_id=1,
        status=SolveStatus.OPTIMAL,
        teams=(1, 2, 3),
        removed_teams=(),
        routed_door_count=40,
        uncovered=uncovered,
        routed_before_count=40,
        changed_routes=tuple(RouteChange(team=team, to_visit_count=10) for team in teams),
        walks=tuple(TeamWalk(team=team, to_visit_count=10) for team in (1, 2, 3)),
    )


def removal_report(
    walking: tuple[int, ...], changed: tuple[int, ...], removed_door_count: int
) -> ReplanReport:
    """Return a report of team 2 left without a walk, after it had `removed_door_count`
    doors to visit. The teams `walking` keep a walk, and those `changed` took doors."""
    return ReplanReport(
        session_id=1,
        status=SolveStatus.OPTIMAL,
        teams=walking,
        removed_teams=(2,),
        routed_door_count=20,
        uncovered=(),
        routed_before_count=20 + removed_door_count,
        changed_routes=tuple(RouteChange(team=team, to_visit_count=12) for team in changed),
        walks=tuple(TeamWalk(team=team, to_visit_count=10) for team in walking),
        removed_door_count=removed_door_count,
    )


def messages_to(*user_ids: int) -> list[Message]:
    return [Message(user_id=user_id) for user_id in user_ids]


@pytest.mark.parametrize(
    ("teams", "locale", "expected"),
    [
        ((), "en", "Doors to visit unchanged for every team."),
        ((2,), "en", "Route changed: team 2."),
        ((1, 3), "en", "Routes changed: teams 1 and 3."),
        ((1, 2, 3), "en", "Routes changed: teams 1, 2, and 3."),
        ((), "fr", "Portes à visiter inchangées pour chaque équipe."),
        ((2,), "fr", "Parcours modifié : équipe 2."),
        ((1, 3), "fr", "Parcours modifiés : équipes 1 et 3."),
        ((1, 2, 3), "fr", "Parcours modifiés : équipes 1, 2 et 3."),
    ],
)
def test_changed_teams_line(app: Flask, teams: tuple[int, ...], locale: str, expected: str) -> None:
    with app.test_request_context(), force_locale(locale):
        assert changed_teams_line(report_of(teams)) == expected


@pytest.mark.parametrize(
    ("report", "locale", "expected"),
    [
        # Team 2's 29 doors all fit no other walk: only the other teams are unchanged.
        (removal_report((1, 3), (), 29), "en", "Doors to visit unchanged for the other teams."),
        (
            removal_report((1, 3), (), 29),
            "fr",
            "Portes à visiter inchangées pour les autres équipes.",
        ),
        (removal_report((1, 3), (3,), 29), "fr", "Parcours modifié : équipe 3."),
        # Team 2 was left without a walk by an earlier change: it had no door to lose.
        (removal_report((1, 3), (), 0), "fr", "Portes à visiter inchangées pour chaque équipe."),
    ],
)
def test_changed_teams_line_after_team_removed(
    app: Flask, report: ReplanReport, locale: str, expected: str
) -> None:
    with app.test_request_context(), force_locale(locale):
        assert changed_teams_line(report) == expected


def test_no_changed_teams_line_once_no_team_walks(app: Flask) -> None:
    no_team = tuple(UncoveredDoor(address_id, UncoveredReason.NO_TEAM) for address_id in (5, 6))
    # Team 2 was the last team walking, with doors 5 and 6 left to visit.
    report = replace(
        removal_report((), (), 2), uncovered=no_team, routed_door_count=0, routed_before_count=2
    )

    with app.test_request_context(), force_locale("fr"):
        assert changed_teams_line(report) is None
        lines = replan_report_lines(report)

    assert lines == [
        "Parcours recalculés. Adresses à visiter : 0.",
        "Par rapport à avant : 2 adresses à visiter en moins.",
        "2 adresses de l’IRIS ne sont pas couvertes : il ne reste aucune équipe pour les visiter.",
    ]


def test_notice_lines_count_volunteers_once(app: Flask) -> None:
    # Volunteer 7 gets an e-mail and an SMS: one volunteer, two messages.
    notices = RouteNotices(queued=messages_to(7, 7, 8), withdrawn=messages_to(9))

    with app.test_request_context(), force_locale("en"):
        lines = notice_lines(notices)

    assert lines == [
        "The notice of the previous change to 1 volunteer had not gone out yet: it is withdrawn.",
        "2 volunteers will be notified of the change by SMS or e-mail in 2 minutes.",
    ]


def test_notice_lines_empty_without_notices(app: Flask) -> None:
    with app.test_request_context(), force_locale("en"):
        assert notice_lines(RouteNotices(queued=[], withdrawn=[])) == []


def test_summary_is_one_flashed_message(app: Flask) -> None:
    report = report_of((1, 3), (UncoveredDoor(5, UncoveredReason.STREET_CLOSED),))
    notices = RouteNotices(queued=messages_to(7, 8, 9, 10), withdrawn=[])

    with app.test_request_context(), force_locale("en"):
        flash_replan_summary("Team 2 is marked absent.", report, notices)
        flashed = get_flashed_messages(with_categories=True)

    assert flashed == [
        (
            "success",
            {
                "text": "Team 2 is marked absent.",
                "details": [
                    "Routes cut again: 40 doors to visit.",
                    "Routes changed: teams 1 and 3.",
                    "1 door of the IRIS is not covered: its street is closed.",
                    "4 volunteers will be notified of the change by SMS or e-mail in 2 minutes.",
                ],
            },
        )
    ]
