"""Erasure seen from outside the app: a dump of PostgreSQL, every key of Redis, Twilio.

These tests commit for real, since a dump only sees committed rows, and empty every
table afterwards. Redis database 13 is theirs alone.
"""

import subprocess
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from redis import Redis
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from messaging.queues import MESSAGES_QUEUE
from tests.fakes.provider_server import FakeProviderServer
from tests.redis_urls import PRIVACY_REDIS_URL
from tests.webapp.privacy.seed import (
    EMAIL,
    LAST_NAME,
    NATIONAL_PHONE,
    PHONE,
    SeededPerson,
    make_territory,
    seed_bystander,
    seed_person,
)
from webapp import create_app
from webapp.db import SESSION_FACTORY_KEY, utcnow
from webapp.jobs.dispatch import enqueue_messages
from webapp.models import User
from webapp.models.users import Channel
from webapp.services.erasure import erase_person, is_erased
from webapp.services.rate_limits import subject_key
from webapp.settings import Settings

REDIS_URL = PRIVACY_REDIS_URL
ACCOUNT_SID = "AC" + "0" * 32


@pytest.fixture
def redis() -> Iterator[Redis]:
    connection = Redis.from_url(REDIS_URL)
    connection.flushdb()
    yield connection
    connection.flushdb()
    connection.close()


@pytest.fixture
def committed_app(database_engine: Engine, settings: Settings) -> Iterator[Flask]:
    """An app whose commits reach the database, emptied of every row afterwards."""
    app = create_app(replace(settings, redis_url=REDIS_URL, is_queue_synchronous=False))
    yield app
    app.extensions[SESSION_FACTORY_KEY].kw["bind"].dispose()
    with database_engine.begin() as connection:
        tables = connection.execute(
            text(
                "SELECT string_agg(quote_ident(tablename), ', ') FROM pg_tables "
                "WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
            )
        ).scalar_one()
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


def _seed(app: Flask) -> SeededPerson:
    with app.app_context():
        session = app.extensions[SESSION_FACTORY_KEY]()
        person = seed_person(session, make_territory(session))
        seed_bystander(session, person.campaign)
        session.commit()
        session.close()
    return person


def _erase(app: Flask, user_id: int) -> None:
    with app.app_context():
        session = app.extensions[SESSION_FACTORY_KEY]()
        erase_person(session, user_id)
        session.commit()
        session.close()


def _pg_dump(engine: Engine) -> str:
    url = make_url(str(engine.url))
    assert url.host == "127.0.0.1"
    completed = subprocess.run(  # noqa: S603 - fixed arguments, local server
        [
            "/usr/bin/pg_dump",
            "--data-only",
            "--no-owner",
            "-h",
            "127.0.0.1",
            "-p",
            str(url.port or 5432),
            "-U",
            url.username or "postgres",
            "-d",
            url.database or "",
        ],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return completed.stdout.decode("utf-8")


def _redis_dump(redis: Redis) -> str:
    """Return every key of the database with its value, as text."""
    parts: list[str] = []
    for key in redis.scan_iter(count=500):
        kind = redis.type(key).decode()
        if kind == "string":
            value: object = redis.get(key)
        elif kind == "hash":
            value = redis.hgetall(key)
        elif kind == "list":
            value = redis.lrange(key, 0, -1)
        elif kind == "set":
            value = redis.smembers(key)
        elif kind == "zset":
            value = redis.zrange(key, 0, -1)
        else:
            value = redis.dump(key)
        parts.append(f"{key!r} {value!r}")
    return "\n".join(parts)


def _leaks(dump: str) -> list[str]:
    lowered = dump.lower()
    needles = (EMAIL, PHONE, NATIONAL_PHONE, LAST_NAME)
    return [needle for needle in needles if needle.lower() in lowered]


def test_erased_person_is_in_neither_database_nor_redis(
    committed_app: Flask, database_engine: Engine, redis: Redis
) -> None:
    person = _seed(committed_app)
    settings = committed_app.extensions["tournee.settings"]
    enqueue_messages(
        settings,
        [
            (person.sms_message.id, None),
            (person.email_message.id, utcnow() + timedelta(hours=5)),
        ],
    )
    limit_key = "LIMITER/" + subject_key(settings.secret_key, "email", EMAIL) + "/login/5/15/minute"
    redis.set(limit_key, 2)
    redis.set(f"tournee:last-contact:{EMAIL}", PHONE)
    redis.set("tournee:unrelated", "kept")
    before = _pg_dump(database_engine)
    assert set(_leaks(before)) == {EMAIL, PHONE, LAST_NAME}
    assert redis.exists(f"rq:job:send-message-{person.sms_message.id}")

    _erase(committed_app, person.user.id)

    assert _leaks(_pg_dump(database_engine)) == []
    redis_dump = _redis_dump(redis)
    assert _leaks(redis_dump) == []
    assert f"send-message-{person.sms_message.id}" not in redis_dump
    assert f"send-message-{person.email_message.id}" not in redis_dump
    assert not redis.exists(limit_key)
    assert redis.get("tournee:unrelated") == b"kept"
    assert redis.llen(f"rq:queue:{MESSAGES_QUEUE}") == 0
    assert redis.zcard(f"rq:scheduled:{MESSAGES_QUEUE}") == 0


def test_erased_contacts_block_new_messages(
    committed_app: Flask, database_engine: Engine, redis: Redis
) -> None:
    person = _seed(committed_app)

    _erase(committed_app, person.user.id)

    with database_engine.connect() as connection:
        rows = connection.execute(
            text("SELECT channel, address_hash FROM erased_contacts ORDER BY channel")
        ).all()
    assert [channel for channel, _ in rows] == ["email", "email", "sms"]
    assert all(len(digest) == 64 for _, digest in rows)
    with committed_app.app_context():
        session = committed_app.extensions[SESSION_FACTORY_KEY]()
        assert is_erased(session, Channel.SMS, NATIONAL_PHONE)
        assert is_erased(session, Channel.EMAIL, EMAIL)
        session.close()


@pytest.fixture
def provider_settings(
    settings: Settings, provider_server: FakeProviderServer, tmp_path: Path
) -> Settings:
    """Settings sending through Twilio and SendGrid, Twilio being the local fake."""
    return replace(
        settings,
        message_backend="providers",
        twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token="test-auth-token",
        twilio_api_base_url=provider_server.base_url,
        sendgrid_api_key="SG.test",
        outbox_path=tmp_path / "unused.jsonl",
    )


def test_twilio_is_asked_to_delete_the_sms_after_commit(
    app: Flask,
    provider_settings: Settings,
    provider_server: FakeProviderServer,
    person: SeededPerson,
) -> None:
    session = app.extensions[SESSION_FACTORY_KEY]()
    with app.app_context():
        erase_person(session, person.user.id, settings=provider_settings)
        assert provider_server.deletions == []
        session.commit()
    session.close()

    assert sorted(provider_server.deletions) == [
        f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{'SM' + 'a1' * 16}.json",
        f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{'SM' + 'b2' * 16}.json",
    ]


def test_twilio_refusal_keeps_the_erasure(
    app: Flask,
    provider_settings: Settings,
    provider_server: FakeProviderServer,
    person: SeededPerson,
    caplog: pytest.LogCaptureFixture,
) -> None:
    provider_server.fail_next_deletions(2)
    session = app.extensions[SESSION_FACTORY_KEY]()
    with app.app_context():
        erase_person(session, person.user.id, settings=provider_settings)
        session.commit()
        assert session.get(User, person.user.id) is None
    session.close()

    assert len(provider_server.deletions) == 2
    assert caplog.text.count("Twilio kept message") == 2
    assert PHONE not in caplog.text
