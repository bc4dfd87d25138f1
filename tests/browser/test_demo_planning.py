"""On the laptop demo, the coordinator launches the planning and watches its progress bar.

The demo's server plans in a thread of its own process, on SQLite: the button's page
opens while the planning runs, and the bar moves on until the outcome shows. A gate
stops the planning midway so the test sees the running page whatever the solver's speed.
"""

import re
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pyotp
import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.serving import BaseWSGIServer, make_server

from tests.browser.conftest import LIVE_HOST, LIVE_SECRET_KEY
from tests.conftest import SAMPLE_DIR
from tests.webapp.planning.planning_gate import GATE_WAIT_S, PlanningGate
from webapp import create_app, migrate
from webapp.db import SESSION_FACTORY_KEY
from webapp.jobs import planning as planning_job
from webapp.models import JobRun
from webapp.services.demo import DemoSetup, build_demo
from webapp.services.planning import ROUTES_START_PCT
from webapp.services.planning_steps import solve_planning
from webapp.settings import Settings

pytestmark = pytest.mark.browser

DESKTOP_VIEWPORT = {"width": 1280, "height": 900}
# A screenshot for a person to look at; the test does not read it.
RUNNING_SCREENSHOT_PATH = "/tmp/demo_planning_running.png"  # noqa: S108


@pytest.fixture
def demo_app(tmp_path: Path) -> Iterator[Flask]:
    """The demo's app as `make demo` serves it, with short solver limits."""
    settings = Settings(
        environment="development",
        secret_key=LIVE_SECRET_KEY,
        database_url=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        outbox_path=tmp_path / "outbox.jsonl",
        is_rate_limit_enabled=False,
        is_planning_threaded=True,
        assignment_time_limit_s=2.0,
        route_time_limit_s=0.2,
    )
    app = create_app(settings)
    engine = app.extensions[SESSION_FACTORY_KEY].kw["bind"]
    migrate.upgrade(engine)
    yield app
    engine.dispose()


@pytest.fixture
def demo(demo_app: Flask) -> DemoSetup:
    with demo_app.app_context():
        session: Session = demo_app.extensions[SESSION_FACTORY_KEY]()
        setup = build_demo(session, SAMPLE_DIR, datetime(2027, 3, 8, 10, 5))
        session.commit()
        session.close()
    return setup


@pytest.fixture
def demo_server(demo_app: Flask, demo: DemoSetup) -> Iterator[str]:
    """Serve the demo's app from a thread on a free port of 127.0.0.1; return its URL."""
    server: BaseWSGIServer = make_server(LIVE_HOST, 0, demo_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="demo-server", daemon=True)
    thread.start()
    yield f"http://{LIVE_HOST}:{server.port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    for planning in threading.enumerate():
        if planning.name.startswith("planning-"):
            planning.join(GATE_WAIT_S)


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[PlanningGate]:
    gate = PlanningGate(pct=ROUTES_START_PCT)
    monkeypatch.setattr(planning_job, "solve_planning", gate.wrap(solve_planning))
    yield gate
    gate.opened.set()


@pytest.fixture
def demo_page(browser: Browser, demo_server: str) -> Iterator[Page]:
    """A French desktop page that loads only from the demo's server."""
    context = browser.new_context(
        viewport=DESKTOP_VIEWPORT,  # type: ignore[arg-type]
        locale="fr-FR",
        timezone_id="Europe/Paris",
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(demo_server) else route.abort()
        ),
    )
    yield page
    context.close()


def test_coordinator_watches_the_demo_planning(
    demo_page: Page, demo_server: str, demo_app: Flask, demo: DemoSetup, gate: PlanningGate
) -> None:
    page = demo_page
    page.goto(f"{demo_server}/connexion?next=/planification/sessions")
    page.locator("#email").fill(demo.coordinator_email)
    page.locator("#password").fill(demo.coordinator_password)
    page.locator("form.stacked button[type=submit]").click()
    expect(page).to_have_url(f"{demo_server}/connexion/code")
    page.locator("#code").fill(pyotp.TOTP(demo.coordinator_totp_secret).now())
    page.locator("form.stacked button[type=submit]").click()
    expect(page).to_have_url(f"{demo_server}/planification/sessions")

    page.get_by_role("button", name="Lancer la planification").click()

    # The page opens while the planning runs, and shows how far it has gone.
    expect(page).to_have_url(re.compile(r"/planification/execution/\d+$"))
    assert gate.reached.wait(GATE_WAIT_S)
    bar = page.locator("#planning-progress")
    expect(bar).to_have_attribute("value", "40")
    expect(page.get_by_role("status")).to_have_text("Planification en cours : 40\xa0%")
    expect(page.locator("#run-outcome")).to_have_count(0)
    page.screenshot(path=RUNNING_SCREENSHOT_PATH, full_page=True)

    gate.opened.set()

    # Once the planning has finished the page reloads and shows its outcome.
    expect(page.locator("#run-outcome h2")).to_have_text(
        re.compile(r"^Planification terminée\. Résultat du solveur : "), timeout=60_000
    )
    expect(bar).to_have_attribute("value", "100")
    expect(page.get_by_role("status")).to_have_text("Planification terminée : 100\xa0%")
    with demo_app.app_context():
        session: Session = demo_app.extensions[SESSION_FACTORY_KEY]()
        run = session.scalars(select(JobRun)).one()
        session.close()
    placed, volunteers = run.counts["placed"], run.counts["volunteers"]
    assert placed >= volunteers > 1
    expect(page.locator("#run-outcome li").first).to_have_text(
        f"{placed} places pourvues ({volunteers} bénévoles)"
    )
