"""Rows, settings, signatures and a committed database for the messaging tests."""

import base64
import itertools
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import Flask
from redis import Redis
from rq import Queue, SimpleWorker
from rq.job import Job
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator

from messaging.queues import ALL_QUEUES
from tests.fakes.provider_server import FakeProviderServer
from tests.redis_urls import JOBS_REDIS_URL
from webapp import create_app
from webapp.db import SESSION_FACTORY_KEY, Base
from webapp.jobs.dispatch import job_span
from webapp.models import Campaign, Consent, Message, User
from webapp.models.messaging import MessagePurpose
from webapp.models.users import Channel, ConsentPurpose
from webapp.services.delivery import DeliveryResult, deliver_messages
from webapp.settings import Settings

REDIS_URL = JOBS_REDIS_URL
ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "test-auth-token-0123456789"
PUBLIC_BASE_URL = "https://tournee.example.org"
SMS_BODY = "Tournée samedi à 9 h 30, parvis de la mairie."

# Wednesday 3 June 2026, 12:00 in Paris: inside every window.
OPEN_NOON = datetime(2026, 6, 3, 10, 0, tzinfo=UTC)

_numbers = itertools.count(1)


def provider_settings(
    settings: Settings, server: FakeProviderServer, **changes: object
) -> Settings:
    """Return test settings that send through Redis db 15 and the fake providers."""
    values: dict[str, object] = {
        "redis_url": REDIS_URL,
        "is_queue_synchronous": False,
        "message_backend": "providers",
        "public_base_url": PUBLIC_BASE_URL,
        "twilio_account_sid": ACCOUNT_SID,
        "twilio_auth_token": AUTH_TOKEN,
        "twilio_api_base_url": server.base_url,
        "sendgrid_api_key": "SG.test-key",
        "sendgrid_api_host": server.base_url,
        "sendgrid_webhook_public_key": SENDGRID_KEYS.public_key,
    }
    return replace(settings, **{**values, **changes})  # type: ignore[arg-type]


def worker_environment(settings: Settings) -> dict[str, str]:
    """Return the `TOURNEE_*` environment from which a worker process builds `settings`."""
    return {
        **os.environ,
        "TOURNEE_ENVIRONMENT": "test",
        "TOURNEE_SECRET_KEY": settings.secret_key,
        "TOURNEE_DATABASE_URL": settings.database_url,
        "TOURNEE_REDIS_URL": settings.redis_url,
        "TOURNEE_IS_QUEUE_SYNCHRONOUS": "false",
        "TOURNEE_PUBLIC_BASE_URL": settings.public_base_url,
        "TOURNEE_MESSAGE_BACKEND": "providers",
        "TOURNEE_TWILIO_ACCOUNT_SID": settings.twilio_account_sid,
        "TOURNEE_TWILIO_AUTH_TOKEN": settings.twilio_auth_token,
        "TOURNEE_TWILIO_API_BASE_URL": settings.twilio_api_base_url,
        "TOURNEE_SENDGRID_API_KEY": settings.sendgrid_api_key,
        "TOURNEE_SENDGRID_API_HOST": settings.sendgrid_api_host,
        "TOURNEE_OUTBOX_PATH": str(settings.outbox_path),
        "TOURNEE_SMS_RATE_PER_S": str(settings.sms_rate_per_s),
        "TOURNEE_EMAIL_RATE_PER_S": str(settings.email_rate_per_s),
    }


def clean_redis() -> Iterator[Redis]:
    connection = Redis.from_url(REDIS_URL)
    connection.flushdb()
    yield connection
    connection.flushdb()


def run_worker(app: Flask, connection: Redis) -> None:
    """Run every job waiting in the queues, then return."""
    with app.app_context():
        queues = [Queue(name, connection=connection) for name in ALL_QUEUES]
        SimpleWorker(queues, connection=connection).work(burst=True)


def message_ids_in_jobs(connection: Redis, job_ids: Iterable[str]) -> set[int]:
    """Return the message ids that these send or lookup jobs cover."""
    covered: set[int] = set()
    for job_id in job_ids:
        span = job_span(job_id)
        if span is None:
            continue
        if span.is_batch:
            covered.update(Job.fetch(job_id, connection=connection).args[0])
        else:
            covered.add(span.first_id)
    return covered


def make_campaign(
    session: Session,
    *,
    name: str = "Municipales Bondy",
    rounds: tuple[date | None, date | None] = (None, None),
    quiet_hours: tuple[time, time] = (time(20, 0), time(8, 0)),
    polls_close_at: time = time(20, 0),
) -> Campaign:
    campaign = Campaign(
        name=name,
        election_kind="municipales",
        commune_codes=["93010"],
        our_candidates=["X"],
        first_round_on=rounds[0],
        second_round_on=rounds[1],
        quiet_hours_start=quiet_hours[0],
        quiet_hours_end=quiet_hours[1],
        polls_close_at=polls_close_at,
        sms_sender_name="Tournee",
    )
    session.add(campaign)
    session.flush()
    return campaign


def make_volunteer(
    session: Session, *, phone: str | None = None, consent: bool = True, locale: str = "fr"
) -> User:
    """Add a volunteer with a consent decision on both channels."""
    number = next(_numbers)
    user = User(
        email=f"benevole{number}@example.org",
        password_hash="x",
        first_name="Alice",
        last_name="Exemple",
        phone_e164=phone or f"+336399{number:05d}",
        locale=locale,
    )
    session.add(user)
    session.flush()
    for channel in (Channel.EMAIL, Channel.SMS):
        session.add(
            Consent(
                user_id=user.id,
                purpose=ConsentPurpose.CANVASS_MESSAGES,
                channel=channel,
                is_granted=consent,
                wording_version="test",
                source="test",
            )
        )
    session.flush()
    return user


def make_message(
    session: Session,
    campaign: Campaign,
    user: User,
    *,
    channel: Channel = Channel.SMS,
    purpose: MessagePurpose = MessagePurpose.ASSIGNMENT_CONFIRMATION,
    body: str = SMS_BODY,
    key: str | None = None,
) -> Message:
    recipient = user.phone_e164 if channel == Channel.SMS else user.email
    assert recipient is not None
    message = Message(
        campaign_id=campaign.id,
        user_id=user.id,
        idempotency_key=key or f"test:{next(_numbers)}:{purpose}:{channel}",
        channel=channel,
        purpose=purpose,
        recipient=recipient,
        subject="Votre session" if channel == Channel.EMAIL else "",
        body=body,
    )
    session.add(message)
    session.flush()
    return message


def twilio_signature(url: str, form: Mapping[str, str], token: str = AUTH_TOKEN) -> str:
    return str(RequestValidator(token).compute_signature(url, dict(form)))


@dataclass(frozen=True)
class SendGridKeys:
    """An ECDSA P-256 key pair standing for SendGrid's event webhook key."""

    private_key: ec.EllipticCurvePrivateKey
    public_key: str

    def sign(self, timestamp: str, payload: bytes) -> str:
        signature = self.private_key.sign(timestamp.encode() + payload, ec.ECDSA(hashes.SHA256()))
        return base64.b64encode(signature).decode()


def make_sendgrid_keys() -> SendGridKeys:
    private_key = ec.generate_private_key(ec.SECP256R1())
    der = private_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return SendGridKeys(private_key=private_key, public_key=base64.b64encode(der).decode())


SENDGRID_KEYS = make_sendgrid_keys()


@dataclass(frozen=True)
class CommittedApp:
    """An app on the test database whose sessions really commit, for threads and processes."""

    app: Flask
    engine: Engine
    settings: Settings

    def session(self) -> Session:
        session: Session = self.app.extensions[SESSION_FACTORY_KEY]()
        return session


def committed_app(settings: Settings, database_engine: Engine) -> Iterator[CommittedApp]:
    """Yield an app on the migrated test database; every table is emptied afterwards."""
    app = create_app(settings)
    engine: Engine = app.extensions[SESSION_FACTORY_KEY].kw["bind"]
    try:
        yield CommittedApp(app=app, engine=engine, settings=settings)
    finally:
        engine.dispose()
        tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
        with database_engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


def deliver(
    app: Flask, session: Session, messages: list[Message], **options: object
) -> dict[int, DeliveryResult]:
    """Commit, then deliver `messages` at `now` (OPEN_NOON unless given) with `options`."""
    session.commit()
    with app.app_context():
        return deliver_messages(
            session,
            [message.id for message in messages],
            now=options.pop("now", OPEN_NOON),  # type: ignore[arg-type]
            **options,  # type: ignore[arg-type]
        )
