"""Unknown short route codes are counted per client address, in Redis (database 14)."""

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.webapp.accounts import rate_limited
from tests.webapp.canvass.conftest import TOKEN, Walk

# The rate limits are on in this module, counted in an emptied Redis database.
settings = rate_limited.settings
limits_store = rate_limited.limits_store


def _browser(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_twenty_first_unknown_code_is_refused(app: Flask, walk: Walk) -> None:
    client = _browser(app, "203.0.113.20")
    for index in range(20):
        assert client.get(f"/p/k7mq3x{index + 22}").status_code == 404

    response = client.get("/p/k7mq3xzq")

    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "Trop de tentatives" in page
    assert "tapez de nouveau le code tel qu’il est imprimé sur votre feuille" in page
    # A request from another address still gets the 404 page.
    assert _browser(app, "203.0.113.21").get("/p/k7mq3xzq").status_code == 404


def test_known_code_never_limited(app: Flask, db_session: Session, walk: Walk) -> None:
    walk.route.short_code = "k7mq3xzp"
    db_session.commit()
    client = _browser(app, "203.0.113.30")
    for _ in range(19):
        assert client.get("/p/k7mq3xzq").status_code == 404

    for _ in range(30):
        response = client.get("/p/k7mq3xzp")
        assert response.status_code == 302
        assert response.headers["Location"] == f"/parcours/{TOKEN}"
    # The twentieth unknown code still gets its 404, and the next one a 429.
    assert client.get("/p/k7mq3xzr").status_code == 404
    assert client.get("/p/k7mq3xzs").status_code == 429
