"""Fixtures of the messaging benchmark: a fresh database, volunteers in bulk, worker processes.

Volunteers are inserted by SQL (`generate_series`), a million in well under a minute,
each a member of the campaign with a granted consent on both channels.
"""

import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

from tests.webapp.services.delivery_support import worker_environment
from webapp.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SMS_BODY = "Tournee : porte-a-porte samedi 9 h 30, parvis de la mairie. STOP au 36180"


class InstantSender:
    """A sender that accepts everything at once, to leave only the platform's own work."""

    def __init__(self) -> None:
        self.count = 0

    def send_sms(self, *, to: str, body: str, sender: str, reference: str) -> str:
        self.count += 1
        return f"SM{self.count:032d}"

    def send_email(self, **_fields: object) -> str:
        self.count += 1
        return f"em{self.count}"

    def send_email_batch(self, *, recipients: Sequence[object], **_fields: object) -> list[object]:
        from messaging.providers.base import SendOutcome

        self.count += 1
        return [SendOutcome(provider_id=f"em{self.count}") for _ in recipients]

    def find_sms(self, **_fields: object) -> tuple[str, ...]:
        return ()

    def find_email(self, **_fields: object) -> tuple[str, ...]:
        return ()


def add_campaign(engine: Engine, name: str) -> int:
    """Insert a campaign and return its id."""
    with engine.begin() as connection:
        return int(
            connection.execute(
                text(
                    "INSERT INTO campaigns (name, election_kind, commune_codes, our_candidates,"
                    " reference_election, sms_sender_name, rest_minutes, max_sessions_per_week,"
                    " planning_weights, quiet_hours_start, quiet_hours_end, polls_close_at,"
                    " reminder_offsets, created_at)"
                    " VALUES (:name, 'municipales', '[]', '[]', 'pres2022_t1', 'Tournee', 60, 3,"
                    " '{}', '20:00', '08:00', '20:00', '{}', now()) RETURNING id"
                ),
                {"name": name},
            ).scalar_one()
        )


def add_volunteers(engine: Engine, campaign_id: int, count: int, tag: str) -> tuple[int, int]:
    """Insert `count` consenting volunteers of the campaign; return their first and last ids.

    Phone numbers are +336 followed by eight digits, e-mails `<tag><n>@example.org`.
    """
    statements = [
        "INSERT INTO users (email, password_hash, first_name, last_name, phone_e164, locale,"
        " is_enabled, created_at, session_version)"
        " SELECT :tag || g || '@example.org', 'x', 'Alice', 'Exemple',"
        " '+336' || lpad((:offset + g)::text, 8, '0'), 'fr', true, now(), 1"
        " FROM generate_series(1, :count) AS g",
        "INSERT INTO memberships (user_id, campaign_id, role, created_at)"
        " SELECT id, :campaign, 'volunteer', now() FROM users WHERE id BETWEEN :first AND :last",
        "INSERT INTO consents (user_id, purpose, channel, is_granted, wording_version, source,"
        " created_at)"
        " SELECT id, 'canvass_messages', channel, true, 'bench', 'bench', now()"
        " FROM users, (VALUES ('sms'), ('email')) AS c(channel)"
        " WHERE id BETWEEN :first AND :last",
    ]
    with engine.begin() as connection:
        offset = int(connection.execute(text("SELECT count(*) FROM users")).scalar_one())
        connection.execute(text(statements[0]), {"tag": tag, "offset": offset, "count": count})
        first, last = connection.execute(
            text("SELECT min(id), max(id) FROM users WHERE email LIKE :pattern"),
            {"pattern": f"{tag}%@example.org"},
        ).one()
        bounds = {"campaign": campaign_id, "first": first, "last": last}
        for statement in statements[1:]:
            connection.execute(text(statement), bounds)
        connection.execute(text("ANALYZE users, memberships, consents"))
    return int(first), int(last)


def add_messages(
    engine: Engine, campaign_id: int, user_ids: tuple[int, int], channel: str, tag: str
) -> list[int]:
    """Insert one queued message per volunteer in the id range; return the message ids."""
    with engine.begin() as connection:
        rows = connection.execute(
            text(
                "INSERT INTO messages (campaign_id, user_id, idempotency_key, channel, purpose,"
                " recipient, subject, body, status, attempts, created_at, updated_at)"
                " SELECT :campaign, id, :tag || ':' || id, c.channel, 'session_reminder',"
                " CASE WHEN c.channel = 'email' THEN email ELSE phone_e164 END,"
                " CASE WHEN c.channel = 'email' THEN 'Nouvelles de la campagne' ELSE '' END,"
                " :body, 'queued', 0, now(), now()"
                " FROM users, (SELECT CAST(:channel AS varchar) AS channel) AS c"
                " WHERE id BETWEEN :first AND :last ORDER BY id RETURNING id"
            ),
            {
                "campaign": campaign_id,
                "tag": tag,
                "channel": channel,
                "body": SMS_BODY,
                "first": user_ids[0],
                "last": user_ids[1],
            },
        )
        return sorted(int(message_id) for (message_id,) in rows)


def run_workers(
    settings: Settings,
    count: int,
    rate_per_s: float,
    *,
    is_done: Callable[[], bool],
    log: Path,
    profile: Path | None = None,
) -> None:
    """Run `count` worker processes until `is_done()`, then stop them with SIGTERM.

    Each channel's sender is held to `rate_per_s` messages per second.
    """
    command = [sys.executable, "-m", "benchmarks.messaging_worker"]
    if profile is not None:
        command += ["--profile", str(profile)]
    with log.open("ab") as output:
        processes = [
            subprocess.Popen(  # noqa: S603 - fixed arguments
                command,
                cwd=ROOT,
                env=worker_environment(
                    replace(settings, sms_rate_per_s=rate_per_s, email_rate_per_s=rate_per_s)
                ),
                stderr=output,
            )
            for _ in range(count)
        ]
        try:
            while not is_done():
                if any(process.poll() is not None for process in processes):
                    raise RuntimeError(f"a worker exited early; see {log}")
                time.sleep(0.2)
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=60)


def unfinished(engine: Engine, message_ids: Sequence[int]) -> int:
    """Count the rows among `message_ids` still queued or in sending."""
    with engine.connect() as connection:
        return int(
            connection.execute(
                text(
                    "SELECT count(*) FROM messages WHERE id = ANY(:ids)"
                    " AND status IN ('queued', 'sending')"
                ),
                {"ids": list(message_ids)},
            ).scalar_one()
        )
