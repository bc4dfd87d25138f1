"""A coordinator runs the planning in Chromium, follows its progress, then opens a route.

The weights and lock test and the re-planning test check French texts that need the
rebuilt catalogue.
"""

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import Route as BrowserRoute
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.browser.conftest import LIVE_HOST, PHONE_VIEWPORT
from tests.browser.coordinator_login import add_coordinator, log_in_new_coordinator
from tests.webapp.planning.bondy_case import CLOSABLE_STREET, BondyCase, seed_bondy_case
from webapp.db import utcnow
from webapp.models import Assignment, Campaign, CanvassSession, JobRun, Route, StreetClosure
from webapp.models.jobs import JobStatus
from webapp.models.planning import AssignmentStatus
from webapp.services.routes import RouteSettings, load_street_graph, plan_session_routes

pytestmark = pytest.mark.browser

PASSWORD = "une phrase de passe assez longue"
DESKTOP_VIEWPORT = {"width": 1280, "height": 900}
# Screenshots for a person to look at; the test does not read them.
RUN_SCREENSHOT_PATH = "/tmp/planning_run.png"  # noqa: S108
SESSION_SCREENSHOT_PATH = "/tmp/planning_session.png"  # noqa: S108
WEIGHTS_SCREENSHOT_PATH = "/tmp/planning_weights.png"  # noqa: S108
LOCKED_SCREENSHOT_PATH = "/tmp/planning_locked.png"  # noqa: S108
ABSENT_CONFIRM_SCREENSHOT_PATH = "/tmp/planning_absent_confirm.png"  # noqa: S108
ABSENT_SCREENSHOT_PATH = "/tmp/planning_absent.png"  # noqa: S108
CLOSED_SCREENSHOT_PATH = "/tmp/planning_closed_street.png"  # noqa: S108
PHONE_SESSION_SCREENSHOT_PATH = "/tmp/planning_session_phone.png"  # noqa: S108


@pytest.fixture
def case(live_db: Session) -> BondyCase:
    case = seed_bondy_case(live_db)
    campaign = live_db.get(Campaign, case.campaign_id)
    add_coordinator(live_db, campaign, PASSWORD)
    return case


@pytest.fixture
def coordinator_page(case: BondyCase, phone_page: Page, live_server: str) -> Page:
    """A coordinator logged in on a desktop-sized page.

    `case` comes first so that the page closes before its tables are emptied.
    """
    page = phone_page
    page.set_viewport_size(DESKTOP_VIEWPORT)  # type: ignore[arg-type]
    log_in_new_coordinator(page, live_server, "/planification/sessions", PASSWORD)
    return page


@pytest.fixture
def no_script_page(browser: Browser, live_server: str, case: BondyCase) -> Iterator[Page]:
    """A coordinator logged in on a desktop page with JavaScript turned off."""
    context = browser.new_context(
        viewport=DESKTOP_VIEWPORT,  # type: ignore[arg-type]
        locale="fr-FR",
        timezone_id="Europe/Paris",
        java_script_enabled=False,
    )
    context.set_default_timeout(10_000)

    def loopback_only(route: BrowserRoute) -> None:
        if urlsplit(route.request.url).hostname == LIVE_HOST:
            route.continue_()
        else:
            route.abort()

    page = context.new_page()
    page.route("**/*", loopback_only)
    log_in_new_coordinator(page, live_server, "/planification/sessions", PASSWORD)
    yield page
    context.close()


def test_progress_bar_follows_a_run(
    coordinator_page: Page, live_server: str, live_db: Session, case: BondyCase
) -> None:
    page = coordinator_page
    run = JobRun(
        kind="planning",
        campaign_id=case.campaign_id,
        status=JobStatus.RUNNING,
        progress_pct=40,
        counts={},
    )
    live_db.add(run)
    live_db.commit()

    page.goto(f"{live_server}/planification/execution/{run.id}")
    bar = page.locator("#planning-progress")
    expect(bar).to_have_attribute("value", "40")
    expect(page.get_by_role("status")).to_have_text("Planification en cours : 40\xa0%")
    # The script polls, so the plain link for pages without JavaScript is hidden.
    expect(page.get_by_role("link", name="Actualiser")).to_be_hidden()

    run.progress_pct = 65
    live_db.commit()
    expect(bar).to_have_attribute("value", "65")
    expect(page.get_by_role("status")).to_have_text("Planification en cours : 65\xa0%")

    run.progress_pct = 100
    run.status = JobStatus.SUCCEEDED
    run.finished_at = utcnow()
    run.counts = {
        "placed": 4,
        "volunteers": 4,
        "left_out": 0,
        "routes": 2,
        "doors": 30,
        "dwellings": 74,
        "metres": 4210,
        "messages": 8,
        "solver_status": "optimal",
    }
    live_db.commit()
    # Once finished the page reloads and the server shows the outcome.
    expect(page.locator("#run-outcome h2")).to_have_text(
        "Planification terminée. Résultat du solveur : optimal."
    )
    expect(bar).to_have_attribute("value", "100")
    expect(page.locator("#run-outcome li")).to_have_text(
        [
            "4 places pourvues (4 bénévoles)",
            "0 bénévole non placé",
            "2 parcours, 30 adresses (environ 74 logements)",
            "4\u202f210 m à parcourir en tout",
            "8 nouveaux messages pour les bénévoles (confirmations, rappels et avis).",
        ]
    )


def test_coordinator_plans_then_opens_a_route_on_a_phone(
    coordinator_page: Page,
    live_server: str,
    live_db: Session,
    case: BondyCase,
    blocked_urls: list[str],
) -> None:
    page = coordinator_page

    page.get_by_role("button", name="Lancer la planification").click()

    # The live server runs jobs in-process: the run is over when its page opens.
    expect(page).to_have_url(re.compile(r"/planification/execution/\d+$"))
    expect(page.locator("#planning-progress")).to_have_attribute("value", "100")
    expect(page.get_by_role("status")).to_have_text("Planification terminée : 100\xa0%")
    expect(page.locator("#run-outcome h2")).to_have_text(
        "Planification terminée. Résultat du solveur : optimal."
    )
    expect(page.locator("#run-outcome li").first).to_have_text("4 places pourvues (4 bénévoles)")
    page.screenshot(path=RUN_SCREENSHOT_PATH, full_page=True)

    page.get_by_role("link", name="Voir le bilan de la planification").click()
    expect(page).to_have_url(f"{live_server}/planification/bilan")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bilan de la planification")
    expect(page.locator("#last-run")).to_contain_text("Résultat du solveur : optimal.")

    page.get_by_role("link", name="Toutes les sessions").click()
    page.locator(f"#session-{case.session_id} a").click()
    route_link = page.get_by_role("link", name="Ouvrir le parcours de l’équipe 1")
    page.screenshot(path=SESSION_SCREENSHOT_PATH, full_page=True)
    href = route_link.get_attribute("href")
    assert href is not None
    route = live_db.scalars(select(Route).where(Route.team == 1)).one()
    assert href == f"/parcours/{route.access_token}"

    page.set_viewport_size(PHONE_VIEWPORT)
    route_link.click()
    expect(page).to_have_title("Votre parcours · Tournée")
    expect(page.locator(".walk-door")).to_have_count(route.door_count)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
    # Only map tiles were asked of another host, and none was reached.
    assert all(urlsplit(url).hostname != "127.0.0.1" for url in blocked_urls)
    assert all(urlsplit(url).path.endswith(".png") for url in blocked_urls)


def scroll_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_planning_pages_fit_a_phone(
    coordinator_page: Page, live_server: str, case: BondyCase
) -> None:
    page = coordinator_page
    page.get_by_role("button", name="Lancer la planification").click()
    expect(page.locator("#run-outcome h2")).to_have_text(
        "Planification terminée. Résultat du solveur : optimal."
    )
    page.set_viewport_size(PHONE_VIEWPORT)

    # Each wide table scrolls in its own box, which a keyboard can reach and scroll.
    for path, boxes in (
        ("/planification/sessions", ["Sessions de porte-à-porte"]),
        ("/planification/bilan", ["Pondérations de cette planification"]),
    ):
        page.goto(live_server + path)
        assert scroll_width(page) <= PHONE_VIEWPORT["width"], path
        for name in boxes:
            box = page.get_by_role("region", name=name, exact=True).and_(
                page.locator(".table-scroll")
            )
            assert box.get_attribute("tabindex") == "0", (path, name)
            assert box.evaluate("box => box.scrollWidth > box.clientWidth"), (path, name)

    # The session's routes and volunteers are cards, as wide as the page.
    page.goto(f"{live_server}/planification/sessions/{case.session_id}")
    assert scroll_width(page) <= PHONE_VIEWPORT["width"]
    for name in ("Bénévoles et choix manuels", "Parcours"):
        box = page.get_by_role("region", name=name, exact=True).and_(page.locator(".table-scroll"))
        assert box.evaluate("box => box.scrollWidth <= box.clientWidth"), name
    expect(page.locator(".volunteer-table tbody tr")).to_have_count(len(case.volunteer_ids))
    page.screenshot(path=PHONE_SESSION_SCREENSHOT_PATH, full_page=True)


def test_coordinator_weighs_locks_and_plans_again(
    coordinator_page: Page, live_server: str, live_db: Session, case: BondyCase
) -> None:
    page = coordinator_page

    page.get_by_role("link", name="Pondérations de la planification").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pondérations de la planification")
    page.get_by_label("Équipes envoyées").fill("3 000")
    page.get_by_label("Trajet").fill("40")
    page.get_by_role("button", name="Enregistrer les pondérations").click()
    expect(page.locator(".flash-success")).to_have_text(
        "Les pondérations sont enregistrées : la prochaine planification les utilisera."
    )
    expect(page.get_by_label("Équipes envoyées")).to_have_value("3000")
    page.screenshot(path=WEIGHTS_SCREENSHOT_PATH, full_page=True)

    page.get_by_role("button", name="Lancer la planification").click()
    expect(page).to_have_url(re.compile(r"/planification/execution/\d+$"))
    expect(page.locator("#planning-progress")).to_have_attribute("value", "100")
    expect(page.get_by_role("status")).to_have_text("Planification terminée : 100\xa0%")
    page.get_by_role("link", name="Voir le bilan de la planification").click()
    # Four volunteers make two teams, each worth the 3,000 points just set.
    expect(page.locator("#run-weight-team th")).to_have_text("Équipes envoyées")
    expect(page.locator("#run-weight-team td")).to_have_text(
        ["3\u202f000", "2\u202f000", "6\u202f000"]
    )
    expect(page.locator("#run-weight-travel td").first).to_have_text("40")

    page.get_by_role("link", name="Toutes les sessions").click()
    page.locator(f"#session-{case.session_id} a").click()
    volunteer_id = case.volunteer_ids[0]
    name = "Bénévole0 Exemple"
    page.get_by_role("button", name=f"Verrouiller {name} sur cette session").click()
    expect(page.locator(".flash-success")).to_have_text(
        f"Verrou posé : {name} reste sur cette session."
    )
    expect(page.locator(f"#volunteer-{volunteer_id} .lock-badge")).to_have_text("verrou posé")
    page.screenshot(path=LOCKED_SCREENSHOT_PATH, full_page=True)

    page.get_by_role("button", name="Relancer la planification autour des verrous").click()
    expect(page.locator("#planning-progress")).to_have_attribute("value", "100")
    expect(page.locator("#run-outcome h2")).to_have_text(
        "Planification terminée. Résultat du solveur : optimal."
    )
    assignment = live_db.scalars(
        select(Assignment).where(
            Assignment.user_id == volunteer_id, Assignment.session_id == case.session_id
        )
    ).one()
    assert assignment.is_locked
    runs = live_db.scalars(select(JobRun).order_by(JobRun.id)).all()
    assert [run.status for run in runs] == [JobStatus.SUCCEEDED, JobStatus.SUCCEEDED]

    page.get_by_role("link", name="Toutes les sessions").click()
    page.locator(f"#session-{case.session_id} a").click()
    expect(page.locator(f"#volunteer-{volunteer_id} .lock-badge")).to_have_text("verrou posé")
    team = assignment.team
    route = live_db.scalars(
        select(Route).where(Route.session_id == case.session_id, Route.team == team)
    ).one()
    page.set_viewport_size(PHONE_VIEWPORT)
    page.get_by_role("link", name=f"Ouvrir le parcours de l’équipe {team}").click()
    expect(page).to_have_title("Votre parcours · Tournée")
    expect(page.locator(".walk-door")).to_have_count(route.door_count)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]


def test_session_stop_from_map(
    coordinator_page: Page, live_server: str, live_db: Session, case: BondyCase
) -> None:
    page = coordinator_page
    page.goto(f"{live_server}/planification/sessions/nouvelle")
    page.get_by_label("Date").fill("2027-03-13")
    page.get_by_label("Heure de début").fill("09:30")
    page.get_by_label("Heure de fin").fill("12:00")
    page.locator("#iris_code").select_option(index=1)
    page.locator("#meeting-map").click(position={"x": 100, "y": 100})
    page.locator("#end-map").click(position={"x": 200, "y": 150})
    page.get_by_label("Nom de l’arrêt").fill("Gare de Bondy")

    end_lat = page.locator("#end_lat").input_value()
    end_lon = page.locator("#end_lon").input_value()
    assert re.fullmatch(r"4\d\.\d{6}", end_lat)
    assert (end_lat, end_lon) != (
        page.locator("#meeting_lat").input_value(),
        page.locator("#meeting_lon").input_value(),
    )
    page.get_by_role("button", name="Créer la session").click()

    expect(page.locator("dl.session-facts")).to_contain_text("Gare de Bondy")
    stored = live_db.scalars(select(CanvassSession).order_by(CanvassSession.id.desc())).first()
    assert stored is not None
    assert (stored.end_lat, stored.end_lon) == (float(end_lat), float(end_lon))


def team_statuses(session: Session, case: BondyCase) -> list[tuple[int, str, str | None]]:
    session.expire_all()
    return [
        (a.team, a.status, a.status_before_absence)
        for a in session.scalars(
            select(Assignment)
            .where(Assignment.session_id == case.session_id)
            .order_by(Assignment.user_id)
        )
    ]


def test_absent_team_confirmed_and_undone_without_script(
    no_script_page: Page, live_server: str, live_db: Session, case: BondyCase
) -> None:
    page = no_script_page
    canvass = live_db.get(CanvassSession, case.session_id)
    assert canvass is not None
    for index, user_id in enumerate(case.volunteer_ids):
        live_db.add(Assignment(session_id=canvass.id, user_id=user_id, team=index // 2 + 1))
    live_db.flush()
    plan_session_routes(
        live_db, canvass, load_street_graph(live_db), RouteSettings(time_limit_s=1.0)
    )
    live_db.commit()
    proposed = AssignmentStatus.PROPOSED
    coming = [(1, proposed, None), (1, proposed, None), (2, proposed, None), (2, proposed, None)]
    assert team_statuses(live_db, case) == coming
    page.goto(f"{live_server}/planification/sessions/{case.session_id}")
    team_two_route = page.get_by_role("link", name="Ouvrir le parcours de l’équipe 2")

    # Leaving the confirmation page changes nothing.
    page.get_by_role("link", name="Noter l’équipe 2 absente").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Noter l’équipe 2 absente ?")
    page.get_by_role("link", name="Revenir à la session sans rien changer").click()
    expect(team_two_route).to_be_visible()
    assert team_statuses(live_db, case) == coming

    page.get_by_role("link", name="Noter l’équipe 2 absente").click()
    page.screenshot(path=ABSENT_CONFIRM_SCREENSHOT_PATH, full_page=True)
    page.get_by_role("button", name="Confirmer : l’équipe 2 est absente").click()
    expect(page.locator(".flash-success > p")).to_have_text("L’équipe 2 est notée absente.")
    expect(page.locator("#team-2 .team-absent")).to_have_text("équipe absente")
    # The team keeps its link, on a route left empty, until it is marked present.
    expect(team_two_route).to_be_visible()
    page.screenshot(path=ABSENT_SCREENSHOT_PATH, full_page=True)
    declined = AssignmentStatus.DECLINED
    assert team_statuses(live_db, case) == [
        *coming[:2],
        (2, declined, proposed),
        (2, declined, proposed),
    ]

    page.get_by_role("button", name="Noter l’équipe 2 présente").click()
    expect(page.locator(".flash-success > p")).to_have_text(
        "L’équipe 2 est de nouveau notée présente."
    )
    expect(page.locator("#team-2 .team-absent")).to_have_count(0)
    expect(team_two_route).to_be_visible()
    expect(page.get_by_role("link", name="Noter l’équipe 2 absente")).to_be_visible()
    assert team_statuses(live_db, case) == coming
    teams = live_db.scalars(select(Route.team).where(Route.session_id == case.session_id))
    assert sorted(teams) == [1, 2]

    page.locator("#street").select_option(label=CLOSABLE_STREET)
    page.get_by_role("button", name="Fermer la rue et recalculer les parcours").click()
    expect(page.locator("#closed-streets li")).to_have_count(1)
    page.screenshot(path=CLOSED_SCREENSHOT_PATH, full_page=True)
    page.get_by_role("button", name=f"Rouvrir {CLOSABLE_STREET}").click()
    expect(page.locator(".flash-success > p")).to_have_text(
        f"Rue rouverte pour cette session : {CLOSABLE_STREET}."
    )
    expect(page.locator("#closed-streets")).to_have_count(0)
    assert live_db.scalars(select(StreetClosure)).all() == []
