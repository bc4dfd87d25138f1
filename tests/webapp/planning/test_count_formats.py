"""Counts of addresses, dwellings, volunteers and messages carry the locale's separator.

French groups digits with a narrow no-break space (U+202F), English with a comma. The
texts are read as rendered, without folding spaces, so that the separator is checked.
"""

import re
from html import unescape

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy.orm import Session

from routing.status import SolveStatus
from tests.factories import at_utc, make_canvass_session, make_route
from tests.webapp.planning.conftest import TARGET_IRIS, Territory
from tests.webapp.planning.test_launch_planning import add_run
from webapp.models import CanvassSession
from webapp.models.jobs import JobStatus
from webapp.planning.replan_summary import replan_report_lines
from webapp.services.door_progress import DoorProgress
from webapp.services.replanning import ReplanReport, RouteChange, UncoveredDoor, UncoveredReason

NNBSP = "\u202f"
RUN_COUNTS = {
    "placed": 1234,
    "volunteers": 1001,
    "left_out": 1,
    "routes": 1000,
    "doors": 1234,
    "dwellings": 2468,
    "messages": 2345,
}


def count_items(html: str) -> list[str]:
    """Return the items of the page's list of counts as rendered, spaces unfolded."""
    block = html.split('<ul class="planning-counts">', 1)[1].split("</ul>", 1)[0]
    return [unescape(item).strip() for item in re.findall(r"<li>(.*?)</li>", block, re.S)]


def in_english(client: FlaskClient) -> None:
    with client.session_transaction() as browser_session:
        browser_session["locale"] = "en"


def run_counts(
    client: FlaskClient,
    territory: Territory,
    db_session: Session,
    counts: dict[str, int] = RUN_COUNTS,
) -> list[str]:
    run = add_run(db_session, territory.campaign.id, status=JobStatus.SUCCEEDED, progress_pct=100)
    run.counts = {**counts, "metres": 12345}
    db_session.commit()
    return count_items(client.get(f"/planification/execution/{run.id}").get_data(as_text=True))


def test_run_outcome_in_french(
    coordinator_client: FlaskClient, db_session: Session, territory: Territory
) -> None:
    assert run_counts(coordinator_client, territory, db_session) == [
        f"1{NNBSP}234 places pourvues (1{NNBSP}001 bénévoles)",
        "1 bénévole non placé",
        f"1{NNBSP}000 parcours, 1{NNBSP}234 adresses (environ 2{NNBSP}468 logements)",
        f"12{NNBSP}345 m à parcourir en tout",
        f"2{NNBSP}345 nouveaux messages pour les bénévoles (confirmations, rappels et avis).",
    ]


def test_run_outcome_in_english(
    coordinator_client: FlaskClient, db_session: Session, territory: Territory
) -> None:
    in_english(coordinator_client)

    assert run_counts(coordinator_client, territory, db_session) == [
        "1,234 places filled (1,001 volunteers)",
        "1 volunteer left out",
        "1,000 routes, 1,234 addresses (about 2,468 dwellings)",
        "12,345 m to walk in all",
        "2,345 new messages for the volunteers (confirmations, reminders and notices).",
    ]


def test_run_outcome_without_new_message(
    coordinator_client: FlaskClient, db_session: Session, territory: Territory
) -> None:
    none = {**RUN_COUNTS, "messages": 0}

    assert run_counts(coordinator_client, territory, db_session, none)[4:] == [
        "Aucun nouveau message pour les bénévoles."
    ]


def test_run_outcome_counts_rewritten_messages(
    coordinator_client: FlaskClient, db_session: Session, territory: Territory
) -> None:
    single = {**RUN_COUNTS, "rewritten_messages": 1}
    many = {**RUN_COUNTS, "rewritten_messages": 1234}
    withdrawn = {**RUN_COUNTS, "withdrawn_messages": 2, "rewritten_messages": 1}

    assert run_counts(coordinator_client, territory, db_session, withdrawn)[5:] == [
        "2 messages retirés avant l’envoi, parce que des places ou des équipes ont changé.",
        "1 message réécrit à la place d’un message retiré, avec la nouvelle équipe ou le"
        " nouveau lien.",
    ]

    assert run_counts(coordinator_client, territory, db_session, single)[5:] == [
        "1 message réécrit à la place d’un message retiré, avec la nouvelle équipe ou le"
        " nouveau lien."
    ]
    assert run_counts(coordinator_client, territory, db_session, many)[5:] == [
        f"1{NNBSP}234 messages réécrits à la place de messages retirés, avec la nouvelle"
        " équipe ou le nouveau lien."
    ]
    in_english(coordinator_client)
    assert run_counts(coordinator_client, territory, db_session, many)[5:] == [
        "1,234 messages written again in place of withdrawn ones, with the new team or link."
    ]


def test_run_outcome_singular_counts(
    coordinator_client: FlaskClient, db_session: Session, territory: Territory
) -> None:
    single = {**RUN_COUNTS, "routes": 1, "doors": 1, "dwellings": 1}
    flats = {**single, "dwellings": 24}

    assert run_counts(coordinator_client, territory, db_session, single)[2] == (
        "1 parcours, 1 adresse (environ 1 logement)"
    )
    assert run_counts(coordinator_client, territory, db_session, flats)[2] == (
        "1 parcours, 1 adresse (environ 24 logements)"
    )
    in_english(coordinator_client)
    assert run_counts(coordinator_client, territory, db_session, single)[2] == (
        "1 route, 1 address (about 1 dwelling)"
    )


def test_older_run_shows_addresses_only(
    coordinator_client: FlaskClient, db_session: Session, territory: Territory
) -> None:
    older = {key: value for key, value in RUN_COUNTS.items() if key != "dwellings"}

    assert run_counts(coordinator_client, territory, db_session, older)[2] == (
        f"1{NNBSP}000 parcours, 1{NNBSP}234 adresses"
    )


def test_older_run_shows_places_only(
    coordinator_client: FlaskClient, db_session: Session, territory: Territory
) -> None:
    older = {key: value for key, value in RUN_COUNTS.items() if key != "volunteers"}

    assert run_counts(coordinator_client, territory, db_session, older)[0] == (
        f"1{NNBSP}234 places pourvues"
    )


def routed_session(db_session: Session, territory: Territory) -> CanvassSession:
    """Add a session with one route of 1,234 addresses holding 2,468 dwellings."""
    canvass = make_canvass_session(
        db_session,
        campaign=territory.campaign,
        iris_code=TARGET_IRIS,
        starts_at=at_utc(2027, 3, 6, 9),
    )
    route = make_route(db_session, canvass_session=canvass)
    route.door_count = 1234
    route.dwelling_count = 2468
    db_session.commit()
    return canvass


def session_cells(html: str, canvass: CanvassSession) -> list[str]:
    """Return the assigned, route, address and dwelling cells of the session's row."""
    row = re.search(rf'<tr id="session-{canvass.id}">(.*?)</tr>', html, re.S)
    assert row is not None
    cells = re.findall(r'<td class="number[^"]*">(.*?)</td>', row.group(1), re.S)
    return [unescape(cell).strip() for cell in cells[-4:]]


def test_summary_and_session_list_in_french(
    coordinator_client: FlaskClient, db_session: Session, territory: Territory
) -> None:
    canvass = routed_session(db_session, territory)

    summary = coordinator_client.get("/planification/bilan").get_data(as_text=True)
    sessions = coordinator_client.get("/planification/sessions").get_data(as_text=True)

    assert count_items(summary) == [
        "0 place pourvue (0 bénévole)",
        "0 bénévole non placé",
        f"1 parcours, 1{NNBSP}234 adresses (environ 2{NNBSP}468 logements)",
        "0 message en attente d’envoi",
    ]
    assert session_cells(sessions, canvass) == ["0", "1", f"1{NNBSP}234", f"2{NNBSP}468"]


def test_summary_and_session_list_in_english(
    coordinator_client: FlaskClient, db_session: Session, territory: Territory
) -> None:
    canvass = routed_session(db_session, territory)
    in_english(coordinator_client)

    summary = coordinator_client.get("/planification/bilan").get_data(as_text=True)
    sessions = coordinator_client.get("/planification/sessions").get_data(as_text=True)

    assert count_items(summary) == [
        "0 places filled (0 volunteers)",
        "0 volunteers left out",
        "1 route, 1,234 addresses (about 2,468 dwellings)",
        "0 messages waiting to be sent",
    ]
    assert session_cells(sessions, canvass) == ["0", "1", "1,234", "2,468"]


def replan_lines(app: Flask, locale: str, routed_before_count: int = 14000) -> list[str]:
    report = ReplanReport(
        session_id=1,
        status=SolveStatus.OPTIMAL,
        teams=(1,),
        removed_teams=(),
        routed_door_count=12345,
        uncovered=(
            *(UncoveredDoor(n, UncoveredReason.OUT_OF_TIME) for n in range(1234)),
            UncoveredDoor(5000, UncoveredReason.NO_TEAM),
            UncoveredDoor(6000, UncoveredReason.STREET_CLOSED),
            UncoveredDoor(6001, UncoveredReason.STREET_CLOSED),
        ),
        routed_before_count=routed_before_count,
        # 1,000 of the doors out of time were on the routes before, 234 were on none.
        routed_before=frozenset(range(1000)),
        kept=DoorProgress(door_count=13358, done_count=1001, come_back_count=12),
        changed_routes=(RouteChange(team=1, to_visit_count=12345),),
    )
    with app.test_request_context(), force_locale(locale):
        return replan_report_lines(report)


def test_replan_report_in_french(app: Flask) -> None:
    assert replan_lines(app, "fr") == [
        f"Parcours recalculés. Adresses à visiter : 12{NNBSP}345. "
        f"Portes déjà visitées conservées : 1{NNBSP}001 faites, 12 à repasser.",
        f"Par rapport à avant : 1{NNBSP}655 adresses à visiter en moins.",
        "Parcours modifié : équipe 1.",
        "2 adresses de l’IRIS ne sont pas couvertes : leur rue est fermée.",
        f"1{NNBSP}000 adresses que les parcours avaient à visiter en sont retirées, "
        "faute de temps.",
        "1 adresse de l’IRIS n’est pas couverte : il ne reste aucune équipe pour la visiter.",
        "234 adresses de l’IRIS, sur aucun parcours de session, ne tiennent pas dans le "
        "temps restant.",
    ]


def test_replan_report_in_english(app: Flask) -> None:
    assert replan_lines(app, "en") == [
        "Routes cut again: 12,345 doors to visit. Doors visited kept: 1,001 done, "
        "12 to come back to.",
        "Compared with before: 1,655 fewer doors to visit.",
        "Route changed: team 1.",
        "2 doors of the IRIS are not covered: their street is closed.",
        "1,000 doors the routes had to visit are left off, for lack of time.",
        "1 door of the IRIS is not covered: no team is left to visit it.",
        "234 addresses of the IRIS, on no session's route, do not fit in the time left.",
    ]


@pytest.mark.parametrize(
    ("before", "locale", "expected"),
    [
        (12346, "fr", "Par rapport à avant : 1 adresse à visiter en moins."),
        (12344, "fr", "Par rapport à avant : 1 adresse à visiter en plus."),
        (12343, "fr", "Par rapport à avant : 2 adresses à visiter en plus."),
        (12346, "en", "Compared with before: 1 fewer door to visit."),
        (12344, "en", "Compared with before: 1 more door to visit."),
    ],
)
def test_replan_change_of_one_door(app: Flask, before: int, locale: str, expected: str) -> None:
    assert expected in replan_lines(app, locale, routed_before_count=before)
