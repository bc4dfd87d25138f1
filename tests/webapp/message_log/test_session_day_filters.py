"""The message list narrowed to one canvassing session, to one Paris day, or to both."""

import logging
from datetime import date, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import make_campaign, make_canvass_session
from tests.webapp.accounts.html_page import Page
from tests.webapp.broadcasts.crew import MAIRIE, Crew, paris
from tests.webapp.message_log.list_page import URL, get_page, ids_of, plain, row_ids
from tests.webapp.message_log.rows import add_message
from webapp.models import Assignment, Broadcast, Message, User
from webapp.models.messaging import MessagePurpose, MessageStatus
from webapp.models.planning import SessionStatus
from webapp.models.users import Channel
from webapp.services.message_log import PAGE_SIZE

UNKNOWN_SESSION = (
    "La session demandée n’existe pas : les messages de toutes les sessions sont affichés."
)
INVALID_DAY = (
    "Le jour demandé n’est pas une date valide (AAAA-MM-JJ) : "
    "les messages de tous les jours sont affichés."
)


def assignment_id(db_session: Session, user: User) -> int:
    return db_session.scalars(select(Assignment.id).where(Assignment.user_id == user.id)).one()


def add_broadcast(db_session: Session, crew: Crew, segment: dict[str, object]) -> Broadcast:
    broadcast = Broadcast(
        campaign_id=crew.campaign.id,
        channel=Channel.SMS,
        segment=segment,
        body="Texte de la diffusion",
        submission_key=f"key-{segment}",
        created_by_user_id=crew.coordinator.id,
    )
    db_session.add(broadcast)
    db_session.flush()
    return broadcast


@pytest.fixture
def mail(db_session: Session, crew: Crew) -> dict[str, Message]:
    """Rows keyed as the application keys them, about the crew's sessions or about none.

    Session 1 is Saturday 7 March 2026 (Alice, Bruno), session 2 Saturday 14 March
    (Chloé, and Gina who declined), session 3 Saturday 28 March (Emma).
    """
    people = crew.volunteers
    first, second, third = crew.sessions
    alice, bruno, chloe, gina, emma = (
        assignment_id(db_session, people[name])
        for name in ("alice", "bruno", "chloe", "gina", "emma")
    )
    coordinator = crew.coordinator
    to_session = add_broadcast(db_session, crew, {"kind": "session", "session_id": second.id})
    to_all = add_broadcast(db_session, crew, {"kind": "all"})
    rows = {
        "alice_confirmation": dict(
            user=people["alice"],
            channel=Channel.EMAIL,
            purpose=MessagePurpose.ASSIGNMENT_CONFIRMATION,
            idempotency_key=f"assignment:{alice}:assignment_confirmation:email",
            sent_at=paris(date(2026, 3, 2), 10),
        ),
        # Waiting: the list shows, and the day filter reads, its planned sending time.
        "bruno_reminder": dict(
            user=people["bruno"],
            channel=Channel.EMAIL,
            purpose=MessagePurpose.SESSION_REMINDER,
            status=MessageStatus.QUEUED,
            idempotency_key=f"assignment:{bruno}:session_reminder:email:20260307T0830",
            send_after=paris(date(2026, 3, 6), 18),
        ),
        "team_present": dict(
            user=coordinator,
            channel=Channel.EMAIL,
            purpose=MessagePurpose.COORDINATOR_NOTICE,
            idempotency_key=(
                f"team-present:{first.id}:1:2026-03-07T09:00:00+00:00:coordinator:{coordinator.id}"
            ),
            sent_at=paris(date(2026, 3, 7), 10),
        ),
        # 22:30 UTC: still Saturday in Paris.
        "late_evening": dict(
            user=people["alice"],
            purpose=MessagePurpose.SESSION_THANKS,
            idempotency_key=f"assignment:{alice}:session_thanks:sms:20260307T0830",
            sent_at=paris(date(2026, 3, 7), 23, 30),
        ),
        # 23:30 UTC on Saturday, but Sunday in Paris.
        "after_midnight": dict(
            user=people["chloe"],
            purpose=MessagePurpose.SESSION_SOON,
            idempotency_key=f"assignment:{chloe}:session_soon:sms:20260314T1300",
            sent_at=paris(date(2026, 3, 8), 0, 30),
        ),
        "gina_declined": dict(
            user=coordinator,
            channel=Channel.EMAIL,
            purpose=MessagePurpose.COORDINATOR_NOTICE,
            idempotency_key=f"declined:{gina}:coordinator:{coordinator.id}",
            sent_at=paris(date(2026, 3, 10), 9),
        ),
        "session_broadcast": dict(
            user=people["chloe"],
            purpose=MessagePurpose.BROADCAST,
            idempotency_key=f"broadcast:{to_session.id}:{people['chloe'].id}:sms",
            broadcast_id=to_session.id,
            sent_at=paris(date(2026, 3, 12), 18),
        ),
        "emma_failed": dict(
            user=people["emma"],
            purpose=MessagePurpose.ASSIGNMENT_CONFIRMATION,
            status=MessageStatus.FAILED,
            failure_reason="landline",
            idempotency_key=f"assignment:{emma}:assignment_confirmation:sms",
        ),
        "everyone_broadcast": dict(
            user=people["david"],
            purpose=MessagePurpose.BROADCAST,
            idempotency_key=f"broadcast:{to_all.id}:{people['david'].id}:sms",
            broadcast_id=to_all.id,
            sent_at=paris(date(2026, 3, 7), 12),
        ),
        "stop": dict(
            recipient="+33612345699",
            purpose=MessagePurpose.STOP_CONFIRMATION,
            idempotency_key="stop-confirmation:SM0123",
            sent_at=paris(date(2026, 3, 7), 8),
        ),
        # Keyed to an assignment whose id starts with the digits of Alice's.
        "near_miss": dict(
            user=people["david"],
            purpose=MessagePurpose.SESSION_REMINDER,
            idempotency_key=f"assignment:{alice}9:session_reminder:sms",
            sent_at=paris(date(2026, 3, 7), 9),
        ),
    }
    created = paris(date(2026, 3, 1), 12)
    mail = {
        name: add_message(db_session, crew.campaign, created + timedelta(minutes=index), **values)
        for index, (name, values) in enumerate(rows.items())
    }
    # The third session is cancelled: its rows stay, and it stays in the list of sessions.
    third.status = SessionStatus.CANCELLED
    db_session.commit()
    return mail


def session_query(crew: Crew, index: int) -> str:
    return f"session={crew.sessions[index].id}"


def notices(page: Page) -> list[str]:
    return [plain(e.text) for e in page.select("p") if "flash-warning" in e.attrs.get("class", "")]


@pytest.mark.parametrize(
    ("index", "names"),
    [
        (0, ("alice_confirmation", "bruno_reminder", "team_present", "late_evening")),
        (1, ("after_midnight", "gina_declined", "session_broadcast")),
        (2, ("emma_failed",)),
    ],
)
def test_session_filter_gives_exact_rows(
    coordinator_client: FlaskClient,
    crew: Crew,
    mail: dict[str, Message],
    index: int,
    names: tuple[str, ...],
) -> None:
    page = get_page(coordinator_client, session_query(crew, index))

    assert row_ids(page) == ids_of(mail, *names)
    assert notices(page) == []


@pytest.mark.parametrize(
    ("day", "names"),
    [
        (
            "2026-03-07",
            ("team_present", "late_evening", "everyone_broadcast", "stop", "near_miss"),
        ),
        ("2026-03-08", ("after_midnight",)),
        ("2026-03-06", ("bruno_reminder",)),
        ("2026-03-01", ("emma_failed",)),
    ],
)
def test_day_filter_reads_paris_days(
    coordinator_client: FlaskClient, mail: dict[str, Message], day: str, names: tuple[str, ...]
) -> None:
    page = get_page(coordinator_client, f"day={day}")

    assert row_ids(page) == ids_of(mail, *names)
    assert notices(page) == []


def test_late_row_shows_paris_time(
    coordinator_client: FlaskClient, mail: dict[str, Message]
) -> None:
    page = get_page(coordinator_client, "day=2026-03-07")

    cell = page.select("td")[0]
    assert row_ids(page)[0] == mail["late_evening"].id
    assert plain(cell.text) == "07/03/2026 23:30"


def test_filters_combine(
    coordinator_client: FlaskClient, crew: Crew, mail: dict[str, Message]
) -> None:
    first = session_query(crew, 0)

    assert row_ids(get_page(coordinator_client, f"{first}&day=2026-03-07")) == ids_of(
        mail, "team_present", "late_evening"
    )
    assert row_ids(get_page(coordinator_client, f"status=waiting&{first}")) == ids_of(
        mail, "bruno_reminder"
    )
    assert row_ids(get_page(coordinator_client, f"channel=email&{first}")) == ids_of(
        mail, "alice_confirmation", "bruno_reminder", "team_present"
    )
    assert row_ids(
        get_page(coordinator_client, f"purpose=broadcast&{session_query(crew, 1)}")
    ) == ids_of(mail, "session_broadcast")
    empty = get_page(coordinator_client, f"{session_query(crew, 2)}&day=2026-03-07")
    assert row_ids(empty) == []
    assert plain(empty.by_id("no-message").text) == "Aucun message ne correspond à ces filtres."


def test_counts_follow_session_and_day(
    coordinator_client: FlaskClient, crew: Crew, mail: dict[str, Message]
) -> None:
    page = get_page(coordinator_client, f"status=failed&{session_query(crew, 0)}")

    counts = {e.attrs["data-count"]: e.text for e in page.select("span", **{"class": "count"})}
    assert counts == {"all": "4", "waiting": "1", "sent": "3", "failed": "0", "not_sent": "0"}

    page = get_page(coordinator_client, "day=2026-03-01")

    counts = {e.attrs["data-count"]: e.text for e in page.select("span", **{"class": "count"})}
    assert counts == {"all": "1", "waiting": "0", "sent": "0", "failed": "1", "not_sent": "0"}


def test_form_keeps_session_and_day(
    coordinator_client: FlaskClient, db_session: Session, crew: Crew, mail: dict[str, Message]
) -> None:
    other = make_campaign(db_session, name="Autre campagne")
    make_canvass_session(
        db_session, campaign=other, iris_code=MAIRIE, starts_at=paris(date(2026, 3, 7), 9)
    )
    db_session.commit()

    page = get_page(coordinator_client, f"{session_query(crew, 1)}&day=2026-03-08")

    select_element = page.by_id("session")
    options = [e for e in page.select("option") if e.is_inside(select_element)]
    assert [(e.attrs["value"], e.text) for e in options] == [
        ("", "Toutes les sessions"),
        (str(crew.sessions[0].id), "Samedi 7 mars 2026 à 09:30 (Mairie)"),
        (str(crew.sessions[1].id), "Samedi 14 mars 2026 à 14:00 (Centre Ville)"),
        (str(crew.sessions[2].id), "Samedi 28 mars 2026 à 09:30 (Mairie), annulée"),
    ]
    assert [e.attrs["value"] for e in options if "selected" in e.attrs] == [
        str(crew.sessions[1].id)
    ]
    day_input = page.by_id("day")
    assert (day_input.attrs["type"], day_input.attrs["value"]) == ("date", "2026-03-08")
    labels = {e.attrs["for"]: e.text for e in page.select("label")}
    assert (labels["session"], labels["day"]) == ("Session", "Jour")


def test_links_keep_session_and_day(
    coordinator_client: FlaskClient, db_session: Session, crew: Crew
) -> None:
    first = crew.sessions[0].id
    alice = assignment_id(db_session, crew.volunteers["alice"])
    rows = [
        add_message(
            db_session,
            crew.campaign,
            paris(date(2026, 3, 7), 8) + timedelta(minutes=index),
            idempotency_key=f"assignment:{alice}:session_reminder:sms:{index}",
        )
        for index in range(PAGE_SIZE + 1)
    ]
    # One row of the same session on another day, and one of the same day about no session.
    add_message(
        db_session,
        crew.campaign,
        paris(date(2026, 3, 6), 8),
        idempotency_key=f"assignment:{alice}:session_soon:sms",
    )
    add_message(db_session, crew.campaign, paris(date(2026, 3, 7), 8))
    db_session.commit()
    query = f"session={first}&day=2026-03-07"

    first_page = get_page(coordinator_client, query)
    second_page = get_page(coordinator_client, f"{query}&page=2")

    assert row_ids(first_page) == [m.id for m in reversed(rows[1:])]
    assert row_ids(second_page) == [rows[0].id]
    assert [e.attrs["href"] for e in first_page.select("a", rel="next")] == [
        f"/messages/?session={first}&day=2026-03-07&page=2"
    ]
    assert [e.attrs["href"] for e in second_page.select("a", rel="prev")] == [
        f"/messages/?session={first}&day=2026-03-07"
    ]
    status_links = [
        e.attrs["href"]
        for e in first_page.select("a")
        if e.is_inside(first_page.by_id("status-counts"))
    ]
    assert status_links == [
        f"/messages/?session={first}&day=2026-03-07",
        f"/messages/?status=waiting&session={first}&day=2026-03-07",
        f"/messages/?status=sent&session={first}&day=2026-03-07",
        f"/messages/?status=failed&session={first}&day=2026-03-07",
        f"/messages/?status=not_sent&session={first}&day=2026-03-07",
    ]


def test_day_when_clocks_change(
    coordinator_client: FlaskClient, db_session: Session, crew: Crew
) -> None:
    # Sunday 29 March 2026 lasts 23 hours in Paris: from 23:00 UTC to 22:00 UTC.
    times = {
        "saturday_late": paris(date(2026, 3, 28), 23, 30),
        "sunday_early": paris(date(2026, 3, 29), 0, 30),
        "sunday_late": paris(date(2026, 3, 29), 23, 30),
        "monday_early": paris(date(2026, 3, 30), 0, 30),
    }
    mail = {name: add_message(db_session, crew.campaign, at) for name, at in times.items()}
    db_session.commit()

    page = get_page(coordinator_client, "day=2026-03-29")

    assert row_ids(page) == ids_of(mail, "sunday_early", "sunday_late")


@pytest.mark.parametrize(
    ("query", "notice"),
    [
        ("session=abc", UNKNOWN_SESSION),
        ("session=999999999", UNKNOWN_SESSION),
        ("session=-1", UNKNOWN_SESSION),
        ("session=" + "9" * 5000, UNKNOWN_SESSION),
        ("day=2026-02-30", INVALID_DAY),
        ("day=07/03/2026", INVALID_DAY),
        ("day=20260307", INVALID_DAY),
        ("day=2026-W10-6", INVALID_DAY),
        ("day=2026-3-7", INVALID_DAY),
        ("day=٢٠٢٦-٠٣-٠٧", INVALID_DAY),
        ("day=0001-01-01", INVALID_DAY),
        ("day=9999-12-31", INVALID_DAY),
    ],
)
def test_bad_values_dropped_with_notice(
    coordinator_client: FlaskClient, mail: dict[str, Message], query: str, notice: str
) -> None:
    page = get_page(coordinator_client, query)

    assert notices(page) == [notice]
    assert row_ids(page) == ids_of(mail, *mail)


def test_foreign_session_is_unknown(
    coordinator_client: FlaskClient, db_session: Session, mail: dict[str, Message]
) -> None:
    other = make_campaign(db_session, name="Autre campagne")
    foreign = make_canvass_session(
        db_session, campaign=other, iris_code=MAIRIE, starts_at=paris(date(2026, 3, 7), 9)
    )
    db_session.commit()

    page = get_page(coordinator_client, f"session={foreign.id}&channel=email")

    assert notices(page) == [UNKNOWN_SESSION]
    assert row_ids(page) == ids_of(
        mail, "alice_confirmation", "bruno_reminder", "team_present", "gina_declined"
    )


def test_far_day_is_valid_and_empty(
    coordinator_client: FlaskClient, mail: dict[str, Message]
) -> None:
    page = get_page(coordinator_client, "day=1000-01-01")

    assert notices(page) == []
    assert row_ids(page) == []
    assert plain(page.by_id("no-message").text) == "Aucun message ne correspond à ces filtres."


def test_empty_fields_redirect_short(
    coordinator_client: FlaskClient, crew: Crew, mail: dict[str, Message]
) -> None:
    first = crew.sessions[0].id

    response = coordinator_client.get(f"{URL}?status=&channel=&purpose=&session={first}&day=")

    assert response.status_code == 302
    assert response.headers["Location"] == f"{URL}?session={first}"


def test_dropped_values_logged_by_name(
    coordinator_client: FlaskClient, mail: dict[str, Message], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="webapp.message_log.views")

    get_page(coordinator_client, "session=secret&day=tomorrow&channel=sms")

    lines = [r.getMessage() for r in caplog.records if r.name == "webapp.message_log.views"]
    assert lines == ["Message list asked with values it could not use: session, day"]


def test_english_notices(coordinator_client: FlaskClient, mail: dict[str, Message]) -> None:
    with coordinator_client.session_transaction() as cookie:
        cookie["locale"] = "en"

    page = get_page(coordinator_client, "session=0&day=2026-13-01")

    assert notices(page) == [
        "The session asked for is not known: messages of every session are shown.",
        "The day asked for is not a valid date (YYYY-MM-DD): messages of every day are shown.",
    ]
