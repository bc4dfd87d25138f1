"""Readers of the route page and its forms, as a phone opens and posts them."""

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.webapp.accounts.html_page import Page, csrf_token


def route_page(client: FlaskClient, token: str) -> Page:
    response = client.get(f"/parcours/{token}")
    assert response.status_code == 200
    return Page(response.get_data(as_text=True))


def post_from_route_page(client: FlaskClient, token: str, action: str, **data: str) -> TestResponse:
    """Open the route page, then post one of its forms with the page's CSRF token."""
    html = client.get(f"/parcours/{token}").get_data(as_text=True)
    return client.post(f"/parcours/{token}/{action}", data={"csrf_token": csrf_token(html), **data})
