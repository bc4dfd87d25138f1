import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from messaging.providers.base import EmailRecipient
from messaging.providers.outbox import OutboxSender, read_outbox

CREATED_AT = datetime(2027, 3, 6, 9, 30, tzinfo=UTC)


def make_outbox(path: Path) -> OutboxSender:
    return OutboxSender(path, clock=lambda: CREATED_AT)


def test_round_trip_keeps_order_and_fields(tmp_path: Path) -> None:
    path = tmp_path / "dev" / "outbox.jsonl"
    outbox = make_outbox(path)

    sms_id = outbox.send_sms(
        to="+33612345612", body="Tournée samedi 10h", sender="TOURNEE", reference="msg-1"
    )
    email_id = outbox.send_email(
        to="camille@example.org",
        subject="Votre tournée",
        text_body="Rendez-vous à 10h.",
        html_body=None,
        sender="equipe@example.org",
        sender_name="Équipe",
        reference="msg-2",
        headers={"List-Unsubscribe": "<http://127.0.0.1/u/tok>"},
    )

    assert sms_id.startswith("outbox-")
    assert email_id.startswith("outbox-")
    assert sms_id != email_id
    assert read_outbox(path) == [
        {
            "id": sms_id,
            "created_at": "2027-03-06T09:30:00+00:00",
            "channel": "sms",
            "to": "+33612345612",
            "sender": "TOURNEE",
            "subject": None,
            "body": "Tournée samedi 10h",
            "reference": "msg-1",
        },
        {
            "id": email_id,
            "created_at": "2027-03-06T09:30:00+00:00",
            "channel": "email",
            "to": "camille@example.org",
            "sender": "equipe@example.org",
            "sender_name": "Équipe",
            "subject": "Votre tournée",
            "body": "Rendez-vous à 10h.",
            "html_body": None,
            "headers": {"List-Unsubscribe": "<http://127.0.0.1/u/tok>"},
            "reference": "msg-2",
        },
    ]


def test_file_holds_one_line_per_message(tmp_path: Path) -> None:
    path = tmp_path / "outbox.jsonl"
    outbox = make_outbox(path)

    for index in range(3):
        outbox.send_sms(to="+33612345612", body="a\nb", sender="T", reference=f"msg-{index}")

    assert len(path.read_text(encoding="utf-8").splitlines()) == 3


def test_missing_outbox_reads_as_empty(tmp_path: Path) -> None:
    assert read_outbox(tmp_path / "absent.jsonl") == []


def test_line_that_is_not_an_object_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "outbox.jsonl"
    path.write_text('{"channel": "sms"}\n\n[1, 2]\n', encoding="utf-8")

    with pytest.raises(ValueError, match="not a JSON object"):
        read_outbox(path)


def test_log_masks_number_and_omits_body(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="messaging")

    make_outbox(tmp_path / "o.jsonl").send_sms(
        to="+33612345612", body="Tournée samedi", sender="T", reference="msg-7"
    )

    [record] = caplog.records
    assert record.levelno == logging.INFO
    assert "+33 6 ** ** ** 12" in record.getMessage()
    assert "msg-7" in record.getMessage()
    assert "+33612345612" not in caplog.text
    assert "samedi" not in caplog.text


def test_batch_stores_each_recipient_with_their_link(tmp_path: Path) -> None:
    path = tmp_path / "outbox.jsonl"
    tag = "%unsubscribe_url%"
    recipients = [
        EmailRecipient(
            to=f"p{index}@example.org",
            reference=f"key-{index}",
            substitutions={tag: f"http://127.0.0.1/u/{index}"},
            headers={"List-Unsubscribe": f"<http://127.0.0.1/u/{index}>"},
        )
        for index in range(2)
    ]

    outcomes = make_outbox(path).send_email_batch(
        recipients=recipients,
        subject="Nouvelles",
        text_body=f"Bonjour.\n{tag}",
        html_body=f"<p>Bonjour.</p><a href='{tag}'>x</a>",
        sender="equipe@example.org",
        sender_name="Équipe",
    )

    stored = read_outbox(path)
    assert [outcome.provider_id for outcome in outcomes] == [record["id"] for record in stored]
    assert [record["body"] for record in stored] == [
        "Bonjour.\nhttp://127.0.0.1/u/0",
        "Bonjour.\nhttp://127.0.0.1/u/1",
    ]
    assert stored[1]["html_body"] == "<p>Bonjour.</p><a href='http://127.0.0.1/u/1'>x</a>"
    assert [record["reference"] for record in stored] == ["key-0", "key-1"]
    assert stored[0]["headers"] == {"List-Unsubscribe": "<http://127.0.0.1/u/0>"}
