"""A coordinator composes a broadcast in Chromium, sees its reach and cost, then its progress."""

import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, ViewportSize, expect
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from messaging.send_timing import SendTiming, TimingProblem
from messaging.silence import silence_period
from tests.browser.coordinator_login import log_in_new_coordinator
from tests.webapp.broadcasts.crew import PASSWORD, seed_crew
from webapp import create_app
from webapp.broadcasts.timing_labels import duration_label, timing_problem_label
from webapp.db import utcnow
from webapp.models import Broadcast, Campaign, Message
from webapp.models.messaging import MessageStatus
from webapp.settings import Settings

pytestmark = pytest.mark.browser

DESKTOP_VIEWPORT: ViewportSize = {"width": 1280, "height": 900}
SPACES = re.compile(r"[\s\u202f\xa0]+")


def plain(text: str) -> str:
    return SPACES.sub(" ", text).strip()


@pytest.fixture
def coordinator_page(phone_page: Page, live_server: str, live_db: Session) -> Page:
    """A desktop-sized page of the crew's coordinator, on the new broadcast form."""
    seed_crew(live_db, utcnow().date() + timedelta(days=30))
    live_db.commit()
    page = phone_page
    page.set_viewport_size(DESKTOP_VIEWPORT)
    log_in_new_coordinator(page, live_server, "/diffusions/nouvelle", PASSWORD)
    # The form script must listen before the test types, or no estimate is asked for.
    page.wait_for_load_state()
    return page


def test_coordinator_sends_a_broadcast(
    coordinator_page: Page, live_server: str, live_db: Session, blocked_urls: list[str]
) -> None:
    page = coordinator_page
    expect(page.locator("#estimate-recipients")).to_have_text("4 bénévoles")
    # The e-mail subject only shows for e-mails.
    expect(page.get_by_label("Objet de l’e-mail")).to_be_hidden()

    # A cedilla turns the SMS to UCS-2; the figures follow the typing.
    page.get_by_label("Texte").fill("Tournee : ça commence samedi. Répondez STOP")
    expect(page.locator("#estimate-segments")).to_contain_text("UCS-2")
    assert plain(page.locator("#estimate-segments").inner_text()) == (
        "1 segment SMS (UCS-2, 43 caractères)"
    )
    assert plain(page.locator("#estimate-cost").inner_text()) == "0,18 €"

    # The volunteers of the first session, by e-mail: Alice and Bruno.
    page.get_by_label("E-mail", exact=True).check()
    page.get_by_label("Les bénévoles d’une session").check()
    page.get_by_label("Session", exact=True).select_option(index=1)
    expect(page.locator("#estimate-recipients")).to_have_text("2 bénévoles")
    expect(page.locator("#estimate-segments")).to_have_count(0)
    page.get_by_label("Objet de l’e-mail").fill("Samedi")
    page.get_by_label("Texte").fill("Bonjour, rendez-vous samedi devant la mairie.")
    page.get_by_role("button", name="Aperçu").click()
    expect(page.locator("#broadcast-preview")).to_contain_text("Objet : Samedi")
    page.get_by_role("button", name="Envoyer").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Diffusion du ")
    broadcast = live_db.scalars(select(Broadcast)).one()
    assert broadcast.recipient_count == 2
    messages = live_db.scalars(select(Message).order_by(Message.recipient)).all()
    assert [m.recipient for m in messages] == ["alice@example.org", "bruno@example.org"]
    # The outbox takes them at once inside the push window and holds them outside it;
    # either way none failed.
    assert {m.status for m in messages} <= {MessageStatus.SENT, MessageStatus.QUEUED}

    # One message sent, one waiting: the page follows the second without a reload.
    live_db.execute(update(Message).values(status=MessageStatus.SENT))
    live_db.execute(
        update(Message)
        .where(Message.recipient == "bruno@example.org")
        .values(status=MessageStatus.QUEUED)
    )
    live_db.commit()
    page.reload()
    assert plain(page.locator("#progress-percent").inner_text()) == "50 %"
    expect(page.locator("[data-count='sent']")).to_have_text("1")
    live_db.execute(update(Message).values(status=MessageStatus.SENT))
    live_db.commit()
    expect(page.locator("#progress-percent")).to_have_text(re.compile(r"^100\s%$"))
    expect(page.locator("#progress-bar")).to_have_attribute("value", "100")
    expect(page.locator("[data-count='sent']")).to_have_text("2")
    expect(page.locator("#broadcast-state")).to_have_text("terminée")
    assert blocked_urls == []


def in_page_locale(render: Callable[[], str]) -> str:
    """Render a label as the live server does, in French with or without its catalogue."""
    app = create_app(Settings(environment="test", database_url="sqlite://"))
    with app.test_request_context():
        return plain(render())


def silence_refusal(round_day: date) -> str:
    now = utcnow()
    timing = SendTiming(
        units=4,
        rate_per_s=10.0,
        validity_period_s=3600,
        duration_s=0.4,
        requested_at=now,
        starts_at=now,
        ends_at=now,
        window_closes_at=now,
        problem=TimingProblem.INTO_SILENCE,
        silence=silence_period(round_day),
    )
    return in_page_locale(lambda: timing_problem_label(timing))


def test_coordinator_sees_sending_time_and_refusal(
    coordinator_page: Page, live_db: Session, blocked_urls: list[str]
) -> None:
    round_day = utcnow().date() + timedelta(days=40)
    live_db.execute(update(Campaign).values(first_round_on=round_day))
    live_db.commit()
    page = coordinator_page

    # Four SMS of one segment at the default ten segments a second.
    page.get_by_label("Texte").fill("Tournee : porte-a-porte samedi. STOP au 36180")
    expect(page.locator("#estimate-duration")).to_have_text(
        in_page_locale(lambda: duration_label(0.4))
    )
    expect(page.locator("#estimate-problem")).to_have_count(0)

    # 10:00 on the eve of the round falls in the electoral silence.
    eve = round_day - timedelta(days=1)
    page.locator("#send_day").fill(eve.isoformat())
    page.locator("#send_time").fill("10:00")
    refusal = silence_refusal(round_day)
    expect(page.locator("#estimate-problem")).to_have_text(refusal)
    page.get_by_role("button", name="Envoyer").click()

    assert plain(page.locator("#send_day-error").inner_text()).endswith(refusal)
    expect(page.locator("#estimate-problem")).to_have_text(refusal)
    assert live_db.scalars(select(Broadcast)).all() == []
    assert blocked_urls == []
