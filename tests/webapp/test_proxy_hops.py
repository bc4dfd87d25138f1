"""Behind reverse proxies: the public URL, the visitor's address and Secure cookies."""

from dataclasses import replace

import pytest
from flask import Flask, jsonify, request
from sqlalchemy.engine import Connection
from sqlalchemy.orm import sessionmaker

from webapp import create_app
from webapp.db import SESSION_FACTORY_KEY
from webapp.settings import Settings, SettingsError
from webapp.settings_access import get_settings
from webapp.webhooks.signatures import public_url_of

PROXY_HEADERS = {
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "tournee.example.org",
    "X-Forwarded-Port": "443",
    "X-Forwarded-For": "203.0.113.7",
}


def _app_behind(settings: Settings, db_connection: Connection, hops: int) -> Flask:
    """Build the app trusting `hops` proxies, with a page that returns what it reads."""
    app = create_app(
        replace(settings, proxy_hops=hops, public_base_url="https://tournee.example.org")
    )
    app.extensions[SESSION_FACTORY_KEY] = sessionmaker(
        bind=db_connection, join_transaction_mode="create_savepoint"
    )

    @app.get("/_seen")
    def seen() -> object:
        return jsonify(
            url=request.url,
            remote_addr=request.remote_addr,
            is_secure=request.is_secure,
            public_url=public_url_of(request, get_settings()),
        )

    return app


def test_one_trusted_proxy(settings: Settings, db_connection: Connection) -> None:
    client = _app_behind(settings, db_connection, 1).test_client()

    seen = client.get("/_seen?page=2", headers=PROXY_HEADERS).get_json()

    assert seen["url"] == "https://tournee.example.org/_seen?page=2"
    # The URL Twilio signs is now the request URL the app reads.
    assert seen["public_url"] == seen["url"]
    assert seen["remote_addr"] == "203.0.113.7"
    assert seen["is_secure"] is True


def test_headers_ignored_without_trusted_proxy(
    settings: Settings, db_connection: Connection
) -> None:
    client = _app_behind(settings, db_connection, 0).test_client()

    seen = client.get("/_seen", headers=PROXY_HEADERS).get_json()

    assert seen["url"] == "http://localhost/_seen"
    assert seen["remote_addr"] == "127.0.0.1"
    assert seen["is_secure"] is False


def test_visitor_cannot_prepend_an_address(settings: Settings, db_connection: Connection) -> None:
    client = _app_behind(settings, db_connection, 1).test_client()
    # The visitor sent the first value; the one proxy appended the address it saw.
    headers = {**PROXY_HEADERS, "X-Forwarded-For": "198.51.100.9, 203.0.113.7"}

    seen = client.get("/_seen", headers=headers).get_json()

    assert seen["remote_addr"] == "203.0.113.7"


def test_two_hops_read_from_the_right(settings: Settings, db_connection: Connection) -> None:
    client = _app_behind(settings, db_connection, 2).test_client()
    headers = {
        **PROXY_HEADERS,
        "X-Forwarded-For": "198.51.100.9, 203.0.113.7, 10.0.0.2",
        "X-Forwarded-Proto": "https, http",
        "X-Forwarded-Host": "tournee.example.org, backend",
        "X-Forwarded-Port": "443, 8000",
    }

    seen = client.get("/_seen", headers=headers).get_json()

    assert seen["remote_addr"] == "203.0.113.7"
    assert seen["url"] == "https://tournee.example.org/_seen"


def test_production_cookie_secure_behind_proxy(
    settings: Settings, db_connection: Connection
) -> None:
    production = replace(settings, environment="production", is_queue_synchronous=False)
    client = _app_behind(production, db_connection, 1).test_client()
    token_page = client.get("/connexion", headers=PROXY_HEADERS)

    cookie = token_page.headers["Set-Cookie"]

    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert token_page.headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.parametrize(("raw", "hops"), [("0", 0), ("1", 1), ("2", 2)])
def test_proxy_hops_from_environment(raw: str, hops: int) -> None:
    settings = Settings.from_env({"TOURNEE_PROXY_HOPS": raw})

    settings.validate()

    assert settings.proxy_hops == hops


@pytest.mark.parametrize("raw", ["-1", "6", "deux"])
def test_invalid_proxy_hops_refused(raw: str) -> None:
    with pytest.raises(SettingsError, match="TOURNEE_PROXY_HOPS"):
        Settings.from_env({"TOURNEE_PROXY_HOPS": raw}).validate()
