"""The message list: access, rows of the campaign only, filters, counts, pages, bad values."""

import logging
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import at_utc, make_campaign
from tests.webapp.accounts.html_page import Page
from tests.webapp.broadcasts.conftest import log_in
from tests.webapp.broadcasts.crew import Crew
from tests.webapp.message_log.list_page import URL, get_page, ids_of, plain, row_ids
from tests.webapp.message_log.rows import PRIVATE_BODY, add_message
from webapp.models import AuditEvent, Message
from webapp.models.messaging import MessagePurpose, MessageStatus
from webapp.models.users import Channel
from webapp.services.message_log import LIST_OBJECT, PAGE_SIZE

# Monday 2 March 2026, 10:00 in Paris (UTC+1): the rows are created a minute apart from it.
FIRST_CREATED = at_utc(2026, 3, 2, 9)
OTHER_CAMPAIGN_RECIPIENT = "+33699999999"


@pytest.fixture
def mail(db_session: Session, crew: Crew) -> dict[str, Message]:
    """One row of each kind, created in this order, and a row of another campaign."""
    people = crew.volunteers
    kinds = {
        "queued": dict(
            user=people["alice"],
            purpose=MessagePurpose.SESSION_REMINDER,
            status=MessageStatus.QUEUED,
            send_after=at_utc(2026, 3, 5, 17),
        ),
        "sending": dict(
            user=people["bruno"],
            channel=Channel.EMAIL,
            purpose=MessagePurpose.ASSIGNMENT_CONFIRMATION,
            status=MessageStatus.SENDING,
        ),
        "sent": dict(
            user=people["chloe"],
            purpose=MessagePurpose.SESSION_SOON,
            sent_at=at_utc(2026, 3, 3, 8),
        ),
        "delivered": dict(
            user=people["david"],
            channel=Channel.EMAIL,
            purpose=MessagePurpose.SESSION_THANKS,
            status=MessageStatus.DELIVERED,
            sent_at=at_utc(2026, 3, 3, 13),
            delivered_at=at_utc(2026, 3, 3, 13, 5),
        ),
        "failed": dict(
            user=people["emma"],
            purpose=MessagePurpose.BROADCAST,
            status=MessageStatus.FAILED,
            failure_reason="landline",
        ),
        "withdrawn": dict(
            user=people["gina"],
            channel=Channel.EMAIL,
            purpose=MessagePurpose.SESSION_CHANGED,
            status=MessageStatus.SUPPRESSED,
            failure_reason="withdrawn",
        ),
        "opted_out": dict(
            user=people["farid"],
            purpose=MessagePurpose.ROUTE_CHANGED,
            status=MessageStatus.SUPPRESSED,
            failure_reason="opted_out",
        ),
        "no_user": dict(
            recipient="+33612345699",
            purpose=MessagePurpose.STOP_CONFIRMATION,
            sent_at=at_utc(2026, 3, 4, 9),
        ),
        "notice": dict(
            user=crew.coordinator,
            channel=Channel.EMAIL,
            purpose=MessagePurpose.COORDINATOR_NOTICE,
            sent_at=at_utc(2026, 3, 4, 10),
        ),
    }
    rows = {
        name: add_message(
            db_session, crew.campaign, FIRST_CREATED + timedelta(minutes=index), **values
        )
        for index, (name, values) in enumerate(kinds.items())
    }
    other = make_campaign(db_session, name="Autre campagne")
    rows["other_campaign"] = add_message(
        db_session, other, FIRST_CREATED + timedelta(hours=1), recipient=OTHER_CAMPAIGN_RECIPIENT
    )
    db_session.commit()
    return rows


def test_anonymous_goes_to_login(client: FlaskClient, crew: Crew) -> None:
    response = client.get(URL)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/connexion?next=")


@pytest.mark.parametrize("name", ["alice", "david"])
def test_volunteers_are_forbidden(client: FlaskClient, crew: Crew, name: str) -> None:
    log_in(client, crew.volunteers[name])

    assert client.get(URL).status_code == 403
    assert f'href="{URL}"' not in client.get("/mon-espace").get_data(as_text=True)


def test_coordinator_finds_the_page_in_the_menu(coordinator_client: FlaskClient) -> None:
    page = Page(coordinator_client.get("/diffusions/").get_data(as_text=True))

    assert [e.text for e in page.select("a", href=URL)] == ["Messages"]


def test_lists_the_campaign_rows_newest_first(
    coordinator_client: FlaskClient, mail: dict[str, Message]
) -> None:
    page = get_page(coordinator_client)

    expected = ids_of(mail, *(name for name in mail if name != "other_campaign"))
    assert row_ids(page) == expected
    assert OTHER_CAMPAIGN_RECIPIENT not in page.html
    assert PRIVATE_BODY not in page.html
    assert "Objet personnel" not in page.html
    assert plain(page.by_id("message-total").text) == "9 messages"


def test_counts_per_status_group(coordinator_client: FlaskClient, mail: dict[str, Message]) -> None:
    page = get_page(coordinator_client)

    counts = {e.attrs["data-count"]: e.text for e in page.select("span", **{"class": "count"})}
    assert counts == {"all": "9", "waiting": "2", "sent": "4", "failed": "1", "not_sent": "2"}


def test_counts_follow_channel_and_purpose(
    coordinator_client: FlaskClient, mail: dict[str, Message]
) -> None:
    page = get_page(coordinator_client, "channel=email&status=failed")

    counts = {e.attrs["data-count"]: e.text for e in page.select("span", **{"class": "count"})}
    assert counts == {"all": "4", "waiting": "1", "sent": "2", "failed": "0", "not_sent": "1"}
    assert plain(page.by_id("no-message").text) == "Aucun message ne correspond à ces filtres."


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("status=waiting", ("queued", "sending")),
        ("status=sent", ("sent", "delivered", "no_user", "notice")),
        ("status=failed", ("failed",)),
        ("status=not_sent", ("withdrawn", "opted_out")),
        ("channel=email", ("sending", "delivered", "withdrawn", "notice")),
        ("channel=sms", ("queued", "sent", "failed", "opted_out", "no_user")),
        ("purpose=broadcast", ("failed",)),
        ("purpose=coordinator_notice", ("notice",)),
        ("status=sent&channel=sms", ("sent", "no_user")),
        ("status=not_sent&channel=email&purpose=session_changed", ("withdrawn",)),
    ],
)
def test_filters_give_exact_rows(
    coordinator_client: FlaskClient, mail: dict[str, Message], query: str, names: tuple[str, ...]
) -> None:
    page = get_page(coordinator_client, query)

    assert row_ids(page) == ids_of(mail, *names)
    assert not page.has_id("no-message")


def test_filter_form_keeps_the_chosen_values(
    coordinator_client: FlaskClient, mail: dict[str, Message]
) -> None:
    page = get_page(coordinator_client, "status=failed&channel=sms&purpose=broadcast")

    selected = {e.attrs["value"] for e in page.select("option") if "selected" in e.attrs}
    assert selected == {"failed", "sms", "broadcast"}


def test_rows_show_french_labels_and_paris_times(
    coordinator_client: FlaskClient, mail: dict[str, Message]
) -> None:
    page = get_page(coordinator_client)

    def cells(name: str) -> list[str]:
        return row_cells(page, mail[name])

    assert cells("queued") == [
        "05/03/2026 18:00 envoi prévu",
        "Alice Exemple",
        "SMS",
        "Rappel",
        "en attente d’envoi",
    ]
    assert cells("delivered") == [
        "03/03/2026 14:05",
        "David Exemple",
        "E-mail",
        "Remerciement",
        "remis",
    ]
    assert cells("failed")[2:] == [
        "SMS",
        "Message groupé",
        "échec de l’envoi numéro de téléphone fixe",
    ]
    assert cells("withdrawn")[0].endswith(" date de l’arrêt")
    assert cells("withdrawn")[3:] == [
        "Session modifiée",
        "non envoyé retiré avant l’envoi : remplacé par un message plus récent, ou devenu inutile",
    ]
    assert cells("no_user")[1:4] == ["+33612345699", "SMS", "Confirmation de désinscription"]
    assert cells("sending")[3] == "Confirmation d’affectation"
    assert cells("notice")[3] == "Avis à l’équipe de coordination"


def row_cells(page: Page, message: Message) -> list[str]:
    """Return the texts of a row's cells: the `td` elements after it, up to the next row."""
    start = page.elements.index(page.by_id(f"message-{message.id}"))
    texts: list[str] = []
    for element in page.elements[start + 1 :]:
        if element.tag == "tr":
            break
        if element.tag == "td":
            texts.append(plain(element.text))
    return texts


@pytest.mark.parametrize(
    ("query", "notice"),
    [
        (
            "status=lost",
            "Le statut demandé n’existe pas : les messages de tous les statuts sont affichés.",
        ),
        (
            "channel=fax",
            "Le canal demandé n’existe pas : les messages de tous les canaux sont affichés.",
        ),
        (
            "purpose=SESSION_REMINDER",
            "Le type de message demandé n’existe pas : "
            "les messages de tous les types sont affichés.",
        ),
        ("page=abc", "Le numéro de page n’est pas valide : la première page est affichée."),
        ("page=0", "Le numéro de page n’est pas valide : la première page est affichée."),
        ("page=-2", "Le numéro de page n’est pas valide : la première page est affichée."),
        ("page=²", "Le numéro de page n’est pas valide : la première page est affichée."),
        ("page=000", "Le numéro de page n’est pas valide : la première page est affichée."),
        ("page=7", "Cette page est au-delà de la fin de la liste : la dernière page est affichée."),
        (
            "page=9999999",
            "Cette page est au-delà de la fin de la liste : la dernière page est affichée.",
        ),
        (
            "page=" + "9" * 5000,
            "Cette page est au-delà de la fin de la liste : la dernière page est affichée.",
        ),
    ],
)
def test_bad_values_are_dropped_with_a_notice(
    coordinator_client: FlaskClient, mail: dict[str, Message], query: str, notice: str
) -> None:
    page = get_page(coordinator_client, query)

    notices = [
        plain(e.text) for e in page.select("p") if "flash-warning" in e.attrs.get("class", "")
    ]
    assert notices == [notice]
    assert len(row_ids(page)) == 9


def test_every_bad_value_has_its_notice(
    coordinator_client: FlaskClient, mail: dict[str, Message]
) -> None:
    page = get_page(coordinator_client, "status=x&channel=sms&purpose=y&page=z")

    assert len([e for e in page.select("p") if "flash-warning" in e.attrs.get("class", "")]) == 3
    assert row_ids(page) == ids_of(mail, "queued", "sent", "failed", "opted_out", "no_user")


def test_empty_campaign(coordinator_client: FlaskClient) -> None:
    page = get_page(coordinator_client)

    assert plain(page.by_id("no-message").text) == "Aucun message pour l’instant."
    assert not page.has_id("page-position")


@pytest.fixture
def many(db_session: Session, crew: Crew) -> list[Message]:
    """One more row than a page holds, created a minute apart, oldest first."""
    rows = [
        add_message(db_session, crew.campaign, FIRST_CREATED + timedelta(minutes=index))
        for index in range(PAGE_SIZE + 1)
    ]
    add_message(
        db_session,
        crew.campaign,
        FIRST_CREATED,
        channel=Channel.EMAIL,
        recipient="ailleurs@example.org",
    )
    db_session.commit()
    return rows


def test_pages_split_at_the_page_size(coordinator_client: FlaskClient, many: list[Message]) -> None:
    first = get_page(coordinator_client, "channel=sms")
    second = get_page(coordinator_client, "channel=sms&page=2")

    assert row_ids(first) == [m.id for m in reversed(many[1:])]
    assert row_ids(second) == [many[0].id]
    assert plain(first.by_id("page-position").text) == "Page 1 sur 2"
    assert [e.attrs["href"] for e in first.select("a", rel="next")] == [
        "/messages/?channel=sms&page=2"
    ]
    assert first.select("a", rel="prev") == []
    assert [e.attrs["href"] for e in second.select("a", rel="prev")] == ["/messages/?channel=sms"]
    assert second.select("a", rel="next") == []


def test_full_page_has_no_next_page(
    coordinator_client: FlaskClient, many: list[Message], db_session: Session
) -> None:
    db_session.delete(many[0])
    db_session.commit()

    page = get_page(coordinator_client, "channel=sms")

    assert len(row_ids(page)) == PAGE_SIZE
    assert plain(page.by_id("page-position").text) == "Page 1 sur 1"
    assert page.select("a", rel="next") == []


def test_page_past_the_end_shows_last(coordinator_client: FlaskClient, many: list[Message]) -> None:
    page = get_page(coordinator_client, "channel=sms&page=3")

    assert row_ids(page) == [many[0].id]
    notices = [
        plain(e.text) for e in page.select("p") if "flash-warning" in e.attrs.get("class", "")
    ]
    assert notices == [
        "Cette page est au-delà de la fin de la liste : la dernière page est affichée."
    ]


def test_reading_the_names_is_audited(
    coordinator_client: FlaskClient, crew: Crew, mail: dict[str, Message], db_session: Session
) -> None:
    get_page(coordinator_client, "status=failed")
    get_page(coordinator_client, "purpose=session_soon&channel=email")

    events = db_session.scalars(select(AuditEvent).where(AuditEvent.object_type == LIST_OBJECT))
    assert [(e.actor_user_id, e.action, e.object_id, e.row_count) for e in events] == [
        (crew.coordinator.id, "read", str(crew.campaign.id), 1)
    ]


def test_english_labels(coordinator_client: FlaskClient, mail: dict[str, Message]) -> None:
    with coordinator_client.session_transaction() as cookie:
        cookie["locale"] = "en"

    page = get_page(coordinator_client, "status=failed")

    assert plain(page.by_id(f"message-{mail['failed'].id}").text) == (
        "3/2/26, 10:04 AM Emma Exemple SMS Broadcast message sending failed landline number"
    )


def test_form_with_empty_fields_redirects_to_short_url(
    coordinator_client: FlaskClient, mail: dict[str, Message]
) -> None:
    response = coordinator_client.get(f"{URL}?status=&channel=sms&purpose=")

    assert response.status_code == 302
    assert response.headers["Location"] == f"{URL}?channel=sms"


def test_dropped_values_are_logged_by_name(
    coordinator_client: FlaskClient, mail: dict[str, Message], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="webapp.message_log.views")

    get_page(coordinator_client, "status=lost&channel=sms&purpose=secret-value&page=7")

    lines = [r.getMessage() for r in caplog.records if r.name == "webapp.message_log.views"]
    assert lines == ["Message list asked with values it could not use: status, purpose, page"]
