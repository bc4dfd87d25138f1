from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from messaging.providers.outbox import OutboxSender

NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


def test_outbox_finds_what_it_stored(tmp_path: Path) -> None:
    outbox = OutboxSender(tmp_path / "outbox.jsonl", clock=lambda: NOW)
    sms_id = outbox.send_sms(to="+33612345612", body="Samedi 10h", sender="T", reference="m:1")
    email_id = outbox.send_email(
        to="a@example.org",
        subject="S",
        text_body="B",
        html_body=None,
        sender="s@example.org",
        sender_name="T",
        reference="m:2",
        headers={},
    )

    before = NOW - timedelta(minutes=1)
    assert outbox.find_sms(to="+33612345612", body="Samedi 10h", sent_after=before) == (sms_id,)
    assert outbox.find_sms(to="+33612345612", body="Samedi 11h", sent_after=before) == ()
    assert (
        outbox.find_sms(to="+33612345612", body="Samedi 10h", sent_after=NOW + timedelta(1)) == ()
    )
    assert outbox.find_email(reference="m:2") == (email_id,)
    assert outbox.find_email(reference="m:1") == ()


def test_missing_outbox_finds_nothing(tmp_path: Path) -> None:
    outbox = OutboxSender(tmp_path / "none.jsonl")

    assert outbox.find_email(reference="m:1") == ()
    with pytest.raises(ValueError, match="timezone-aware"):
        outbox.find_sms(to="+33612345612", body="x", sent_after=datetime(2026, 1, 1))  # noqa: DTZ001
