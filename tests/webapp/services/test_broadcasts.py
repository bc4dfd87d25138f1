"""Broadcast segments, reach, SMS segments and cost, mentions, creation and progress."""

from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from messaging.providers.outbox import read_outbox
from tests.factories import at_utc, make_consents
from tests.webapp.broadcasts.crew import MAIRIE, Crew, seed_crew
from webapp.models import Broadcast, Message, Suppression
from webapp.models.messaging import BroadcastStatus, MessagePurpose, MessageStatus
from webapp.models.users import Channel
from webapp.services import broadcast_fanout
from webapp.services.broadcast_drafts import (
    BroadcastDraft,
    BroadcastEstimate,
    check_mentions,
    estimate_broadcast,
)
from webapp.services.broadcast_fanout import insert_broadcast_messages
from webapp.services.broadcast_segments import Segment, SegmentKind, list_recipients
from webapp.services.broadcasts import broadcast_progress, create_broadcast
from webapp.services.delivery import deliver_messages
from webapp.services.errors import ValidationError
from webapp.services.message_batch import UNSUBSCRIBE_URL_TAG
from webapp.settings import Settings

FIRST_DAY = date(2027, 3, 13)
NOW = at_utc(2027, 3, 1, 10)
KEY = "form-key-0123456789abcdef"
GSM_TEXT = "Tournee: porte-a-porte samedi. STOP au 36180"


@pytest.fixture
def crew(db_session: Session) -> Crew:
    crew = seed_crew(db_session, FIRST_DAY)
    db_session.commit()
    return crew


def names(crew: Crew, db_session: Session, channel: Channel, segment: Segment) -> list[str]:
    recipients = list_recipients(db_session, crew.campaign.id, channel, segment, NOW)
    by_id = {user.id: name for name, user in crew.volunteers.items()}
    return [by_id[recipient.user_id] for recipient in recipients]


def segments(crew: Crew) -> dict[str, Segment]:
    return {
        "all": Segment(SegmentKind.ALL),
        "session": Segment(SegmentKind.SESSION, session_id=crew.sessions[0].id),
        "iris": Segment(SegmentKind.IRIS, iris_code=MAIRIE),
        "dates": Segment(
            SegmentKind.DATES, date_from=FIRST_DAY, date_to=FIRST_DAY + timedelta(days=7)
        ),
        "unassigned": Segment(SegmentKind.UNASSIGNED),
    }


@pytest.mark.parametrize(
    ("segment", "sms", "email"),
    [
        ("all", ["alice", "chloe", "david", "gina"], ["alice", "bruno", "david", "emma", "gina"]),
        ("session", ["alice"], ["alice", "bruno"]),
        ("iris", ["alice"], ["alice", "bruno", "emma"]),
        ("dates", ["alice", "chloe"], ["alice", "bruno"]),
        ("unassigned", ["david", "gina"], ["david", "gina"]),
    ],
)
def test_recipients_per_segment(
    crew: Crew, db_session: Session, segment: str, sms: list[str], email: list[str]
) -> None:
    chosen = segments(crew)[segment]

    assert names(crew, db_session, Channel.SMS, chosen) == sms
    assert names(crew, db_session, Channel.EMAIL, chosen) == email


def test_dates_segment_follows_paris_days(crew: Crew, db_session: Session) -> None:
    # Session 2 starts at 14:00 on the 20th: a range ending on the 19th leaves it out.
    chosen = Segment(SegmentKind.DATES, date_from=FIRST_DAY, date_to=FIRST_DAY + timedelta(days=6))

    assert names(crew, db_session, Channel.SMS, chosen) == ["alice"]


def test_global_suppression_counts_too(crew: Crew, db_session: Session) -> None:
    db_session.add(
        Suppression(
            campaign_id=None, channel=Channel.EMAIL, address="david@example.org", reason="bounce"
        )
    )
    db_session.commit()

    assert "david" not in names(crew, db_session, Channel.EMAIL, Segment(SegmentKind.ALL))


def sms_draft(body: str, segment: Segment | None = None) -> BroadcastDraft:
    return BroadcastDraft(
        channel=Channel.SMS, segment=segment or Segment(SegmentKind.ALL), body=body
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # 44 GSM-7 characters for four recipients: 4 segments at 0.045 €.
        (GSM_TEXT, BroadcastEstimate(4, "GSM-7", 44, 1, 4, Decimal("0.18"))),
        # 161 characters need two 153-character parts.
        (
            "Tournee: " + "x" * 147 + " STOP",
            BroadcastEstimate(4, "GSM-7", 161, 2, 8, Decimal("0.36")),
        ),
        # The euro sign is an escape pair: 16 characters, 17 septets.
        ("Tournee: 5€ STOP", BroadcastEstimate(4, "GSM-7", 17, 1, 4, Decimal("0.18"))),
        # ç is not GSM-7: the text goes as UCS-2, 70 units a segment, 67 a part.
        (
            "Tournee: ç" + "a" * 55 + " STOP",
            BroadcastEstimate(4, "UCS-2", 70, 1, 4, Decimal("0.18")),
        ),
        (
            "Tournee: ç" + "a" * 56 + " STOP",
            BroadcastEstimate(4, "UCS-2", 71, 2, 8, Decimal("0.36")),
        ),
    ],
)
def test_sms_estimate(
    crew: Crew, db_session: Session, settings: Settings, body: str, expected: BroadcastEstimate
) -> None:
    estimate = estimate_broadcast(
        db_session, crew.campaign.id, sms_draft(body), now=NOW, settings=settings
    )

    assert replace(estimate, timing=None) == expected


def test_cost_rounds_half_up_to_the_cent(
    crew: Crew, db_session: Session, settings: Settings
) -> None:
    draft = sms_draft(GSM_TEXT, Segment(SegmentKind.DATES, date_from=FIRST_DAY, date_to=FIRST_DAY))

    estimate = estimate_broadcast(db_session, crew.campaign.id, draft, now=NOW, settings=settings)

    # One recipient, one segment: 0.045 € is shown as 0.05 €.
    assert (estimate.total_segments, estimate.cost_eur) == (1, Decimal("0.05"))


def test_email_estimate_counts_only(crew: Crew, db_session: Session, settings: Settings) -> None:
    draft = BroadcastDraft(
        channel=Channel.EMAIL, segment=Segment(SegmentKind.ALL), body="Bonjour", subject="Info"
    )

    estimate = estimate_broadcast(db_session, crew.campaign.id, draft, now=NOW, settings=settings)

    assert replace(estimate, timing=None) == BroadcastEstimate(5)


@pytest.mark.parametrize(
    ("body", "missing"),
    [
        ("Tournee: samedi 9h30. Répondez STOP", []),
        ("MUNICIPALES BONDY 2026 : samedi. STOP au 36180", []),
        ("Rendez-vous samedi. Répondez STOP", ["sender"]),
        ("Tournee: rendez-vous samedi.", ["stop"]),
        ("Tournee: ne vous arrêtez pas, stop", ["stop"]),
        ("Samedi, rendez-vous !", ["sender", "stop"]),
    ],
)
def test_mentions(body: str, missing: list[str]) -> None:
    assert check_mentions(body, ("Tournee", "Municipales Bondy 2026")) == missing


def create(
    app: Flask, db_session: Session, crew: Crew, draft: BroadcastDraft, key: str = KEY
) -> Broadcast:
    """Create and commit; the synchronous queue prepares the broadcast during the commit."""
    with app.app_context():
        creation = create_broadcast(
            db_session,
            crew.campaign.id,
            draft,
            submission_key=key,
            created_by_user_id=crew.coordinator.id,
            now=NOW,
        )
        db_session.commit()
    # The preparation wrote the status and count through a session of its own.
    db_session.refresh(creation.broadcast)
    return creation.broadcast


@pytest.mark.parametrize(
    ("body", "code"),
    [("Rendez-vous samedi. Répondez STOP", "missing_sender"), ("Tournee: samedi.", "missing_stop")],
)
def test_sms_without_mentions_is_refused(
    app: Flask, db_session: Session, crew: Crew, body: str, code: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        create(app, db_session, crew, sms_draft(body))

    assert (raised.value.field, raised.value.message) == ("body", code)
    assert db_session.scalars(select(Broadcast)).all() == []


def test_creation_writes_one_row_per_recipient(app: Flask, db_session: Session, crew: Crew) -> None:
    scheduled_at = NOW + timedelta(days=2)
    draft = BroadcastDraft(
        channel=Channel.SMS,
        segment=Segment(SegmentKind.ALL),
        body=GSM_TEXT,
        scheduled_at=scheduled_at,
    )

    broadcast = create(app, db_session, crew, draft)

    assert (broadcast.status, broadcast.recipient_count) == (BroadcastStatus.SCHEDULED, 4)
    assert broadcast.segment == {"kind": "all"}
    rows = db_session.scalars(select(Message).order_by(Message.user_id)).all()
    ids = {name: user.id for name, user in crew.volunteers.items()}
    assert [m.idempotency_key for m in rows] == [
        f"broadcast:{broadcast.id}:{ids[name]}:sms" for name in ("alice", "chloe", "david", "gina")
    ]
    assert {(m.purpose, m.status, m.send_after, m.body) for m in rows} == {
        (MessagePurpose.BROADCAST, MessageStatus.QUEUED, scheduled_at, GSM_TEXT)
    }


def test_email_rows_share_one_text_per_locale(
    app: Flask, db_session: Session, crew: Crew, settings: Settings
) -> None:
    crew.volunteers["bruno"].locale = "en"
    draft = BroadcastDraft(
        channel=Channel.EMAIL,
        segment=Segment(SegmentKind.SESSION, session_id=crew.sessions[0].id),
        body="Bonjour à toutes et à tous.",
        subject="Nouvelles",
        scheduled_at=NOW + timedelta(hours=1),
    )

    create(app, db_session, crew, draft)

    alice, bruno = db_session.scalars(select(Message).order_by(Message.user_id)).all()
    assert (alice.subject, bruno.subject) == ("Nouvelles", "Nouvelles")
    for row in (alice, bruno):
        assert row.body.startswith("Bonjour à toutes et à tous.\n\n--\n")
        assert row.body.endswith(f"\n{UNSUBSCRIBE_URL_TAG}")
    assert "To stop receiving these e-mails, follow this link:" in bruno.body
    assert alice.body != bruno.body


def test_each_email_carries_its_persons_link(
    app: Flask, db_session: Session, crew: Crew, settings: Settings
) -> None:
    draft = BroadcastDraft(
        channel=Channel.EMAIL,
        segment=Segment(SegmentKind.SESSION, session_id=crew.sessions[0].id),
        body="Bonjour à toutes et à tous.",
        subject="Nouvelles",
        scheduled_at=NOW + timedelta(hours=1),
    )
    create(app, db_session, crew, draft)
    ids = list(db_session.scalars(select(Message.id).order_by(Message.user_id)))

    with app.app_context():
        results = deliver_messages(db_session, ids, now=NOW + timedelta(hours=1))

    assert {result.status for result in results.values()} == {MessageStatus.SENT}
    sent = read_outbox(settings.outbox_path)
    assert [record["to"] for record in sent] == ["alice@example.org", "bruno@example.org"]
    links = [record["body"].rsplit("\n", 1)[1] for record in sent]
    assert all(link.startswith("http://127.0.0.1:5000/desinscription/") for link in links)
    assert links[0] != links[1]
    assert UNSUBSCRIBE_URL_TAG not in "".join(record["body"] for record in sent)
    headers = [record["headers"]["List-Unsubscribe"] for record in sent]
    assert headers[0] != headers[1]


@pytest.mark.parametrize("channel", [Channel.SMS, Channel.EMAIL])
@pytest.mark.parametrize("segment", ["all", "session", "iris", "dates", "unassigned"])
def test_rows_match_the_recipient_list(
    app: Flask, db_session: Session, crew: Crew, segment: str, channel: Channel
) -> None:
    people = crew.volunteers
    # Later decisions win: David withdraws his SMS consent, Farid grants e-mails.
    make_consents(db_session, user=people["david"], email=True, sms=False, source="profile")
    make_consents(db_session, user=people["farid"], email=True, sms=False, source="profile")
    db_session.add_all(
        [
            Suppression(
                campaign_id=None, channel=Channel.EMAIL, address=people["david"].email, reason="x"
            ),
            Suppression(
                campaign_id=crew.campaign.id,
                channel=Channel.SMS,
                address=people["chloe"].phone_e164 or "",
                reason="stop",
            ),
        ]
    )
    db_session.commit()
    chosen = segments(crew)[segment]
    expected = [
        (recipient.user_id, recipient.address)
        for recipient in list_recipients(db_session, crew.campaign.id, channel, chosen, NOW)
    ]
    subject = "Nouvelles" if channel == Channel.EMAIL else ""
    draft = BroadcastDraft(channel=channel, segment=chosen, body=GSM_TEXT, subject=subject)

    broadcast = create(app, db_session, crew, draft)

    rows = db_session.execute(
        select(Message.user_id, Message.recipient)
        .where(Message.broadcast_id == broadcast.id)
        .order_by(Message.user_id)
    ).all()
    assert [tuple(row) for row in rows] == expected
    assert broadcast.recipient_count == len(expected)


def test_preparing_again_adds_nothing(app: Flask, db_session: Session, crew: Crew) -> None:
    broadcast = create(app, db_session, crew, sms_draft(GSM_TEXT))

    with app.app_context():
        again = insert_broadcast_messages(db_session, broadcast, NOW)

    assert again == []
    assert len(db_session.scalars(select(Message)).all()) == 4


def test_same_key_creates_nothing_more(app: Flask, db_session: Session, crew: Crew) -> None:
    draft = sms_draft(GSM_TEXT)
    first = create(app, db_session, crew, draft)

    again = create(app, db_session, crew, sms_draft(GSM_TEXT + " bis"))

    assert again.id == first.id
    assert len(db_session.scalars(select(Broadcast)).all()) == 1
    assert len(db_session.scalars(select(Message)).all()) == 4


@pytest.mark.parametrize("key", ["", "short", "x" * 65, "clé-avec-accent-0123456789"])
def test_malformed_key_is_refused(app: Flask, db_session: Session, crew: Crew, key: str) -> None:
    with pytest.raises(ValidationError):
        create(app, db_session, crew, sms_draft(GSM_TEXT), key=key)


@pytest.mark.parametrize(
    ("scheduled_at", "code"),
    [(NOW - timedelta(minutes=5), "in_the_past"), (NOW + timedelta(days=400), "too_far")],
)
def test_schedule_limits(
    app: Flask, db_session: Session, crew: Crew, scheduled_at: datetime, code: str
) -> None:
    draft = BroadcastDraft(
        channel=Channel.SMS,
        segment=Segment(SegmentKind.ALL),
        body=GSM_TEXT,
        scheduled_at=scheduled_at,
    )

    with pytest.raises(ValidationError) as raised:
        create(app, db_session, crew, draft)

    assert raised.value.message == code


def test_progress_counts(app: Flask, db_session: Session, crew: Crew) -> None:
    draft = BroadcastDraft(
        channel=Channel.EMAIL,
        segment=Segment(SegmentKind.ALL),
        body="Bonjour",
        subject="Nouvelles",
        scheduled_at=NOW + timedelta(hours=1),
    )
    broadcast = create(app, db_session, crew, draft)
    rows = {m.recipient: m for m in db_session.scalars(select(Message))}
    rows["alice@example.org"].status = MessageStatus.SENT
    rows["bruno@example.org"].status = MessageStatus.DELIVERED
    rows["david@example.org"].status = MessageStatus.FAILED
    rows["david@example.org"].failure_reason = "invalid_recipient"
    rows["emma@example.org"].status = MessageStatus.SUPPRESSED
    db_session.add(
        Suppression(
            campaign_id=crew.campaign.id,
            channel=Channel.EMAIL,
            address="emma@example.org",
            reason="unsubscribe_link",
        )
    )
    db_session.commit()

    progress = broadcast_progress(db_session, broadcast, now=NOW)

    assert progress.to_json() == {
        "total": 5,
        "queued": 1,
        "sending": 0,
        "sent": 1,
        "delivered": 1,
        "failed": 1,
        "failed_by_reason": {"invalid_recipient": 1},
        "suppressed_by_reason": {"unknown": 1},
        "suppressed": 0,
        "opted_out": 1,
        "withdrawn": 0,
        "percent_done": 80,
        "is_complete": False,
        "state": "scheduled",
    }


def last_analyze(session: Session) -> object:
    # Statistics views are read once per transaction unless the snapshot is dropped.
    session.execute(text("SELECT pg_stat_clear_snapshot()"))
    return session.execute(
        text("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'messages'")
    ).scalar_one()


def test_large_preparation_refreshes_statistics(
    app: Flask, db_session: Session, crew: Crew, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = last_analyze(db_session)
    monkeypatch.setattr(broadcast_fanout, "ANALYZE_AFTER_ROWS", 4)

    create(app, db_session, crew, sms_draft(GSM_TEXT))

    after = last_analyze(db_session)
    assert after is not None
    assert before is None or after > before  # type: ignore[operator]
