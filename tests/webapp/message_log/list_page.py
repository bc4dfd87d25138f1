"""Reading the message list page in tests: its rows, in the order it shows them."""

import re
from datetime import datetime

from flask.testing import FlaskClient

from tests.webapp.accounts.html_page import Page
from webapp.models import Message
from webapp.models.messaging import MessageStatus

URL = "/messages/"


def plain(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\xa0", " ")).strip()


def row_ids(page: Page) -> list[int]:
    return [
        int(e.attrs["id"].removeprefix("message-"))
        for e in page.select("tr")
        if e.attrs.get("id", "").startswith("message-")
    ]


def shown_time(message: Message) -> datetime:
    """Return the time the list shows for a row: planned while it waits, else the last one."""
    if message.status in (MessageStatus.QUEUED, MessageStatus.SENDING):
        return message.send_after or message.created_at
    return message.delivered_at or message.sent_at or message.updated_at


def ids_of(mail: dict[str, Message], *names: str) -> list[int]:
    """Return the ids of the named rows, latest shown time first as the list shows them."""
    rows = sorted((mail[name] for name in names), key=lambda m: (shown_time(m), m.id))
    return [message.id for message in reversed(rows)]


def get_page(client: FlaskClient, query: str = "") -> Page:
    response = client.get(f"{URL}?{query}" if query else URL)
    assert response.status_code == 200
    return Page(response.get_data(as_text=True))
