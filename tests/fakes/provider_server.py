"""A local HTTP server that responds like Twilio's Messages API and SendGrid's Mail Send API.

Besides sending, it serves the lookups used to reconcile a message whose outcome is
unknown: Twilio's message list filtered by `To` and `DateSent>`, and SendGrid's Email
Activity search by a custom argument. It also serves Twilio's deletion of one message,
which the erasure of a person requests. It speaks HTTP/1.1, so clients keep their
connections open between requests. A SendGrid request is accepted as one message per
personalization, with that personalization's substitutions applied to the text.
"""

import dataclasses
import json
import re
import secrets
import socket
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

TWILIO_MESSAGES_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC[0-9a-zA-Z]+)/Messages\.json$")
TWILIO_MESSAGE_PATH = re.compile(
    r"^/2010-04-01/Accounts/AC[0-9a-zA-Z]+/Messages/[A-Z]{2}[0-9a-f]+\.json$"
)
# Twilio's error code for deleting a message that is still being sent.
TWILIO_MESSAGE_IN_FLIGHT = 20009
SENDGRID_MAIL_PATH = "/v3/mail/send"
SENDGRID_ACTIVITY_PATH = "/v3/messages"
_ACTIVITY_QUERY = re.compile(r"^unique_args\['(?P<name>[^']+)'\]=\"(?P<value>[^\"]*)\"$")


@dataclass(frozen=True)
class AcceptedMessage:
    """A message the fake provider accepted, as it would list it afterwards.

    `created_at` is what the provider reports (whole seconds for Twilio);
    `received_at` is when this server took the request, to the microsecond.
    """

    channel: str
    provider_id: str
    to: str
    body: str
    reference: str | None
    created_at: datetime
    status_callback: str | None
    received_at: datetime = dataclasses.field(default_factory=lambda: datetime.now(UTC))


@dataclass(frozen=True)
class RecordedRequest:
    """One request the server received; `client_port` identifies its connection."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    client_port: int = 0


@dataclass(frozen=True)
class _Failure:
    status: int
    code: int | None
    field: str | None
    # Further fields a SendGrid error names, when several recipients are refused at once.
    more_fields: tuple[str, ...] = ()
    # Store the message before failing, as a provider that crashed after accepting it.
    is_accepted: bool = False
    # Close the connection without any response instead of sending `status`.
    is_dropped: bool = False


class _QuietServer(ThreadingHTTPServer):
    """A threading HTTP server that ignores clients gone mid-request (killed workers).

    Its listen backlog takes every connection that many worker threads open at once.
    """

    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class FakeProviderServer:
    """Serve the two provider endpoints on 127.0.0.1 and record every request.

    Use it as a context manager; `base_url` is the address to give the SDKs.
    """

    def __init__(self, *, sendgrid_message_id: bool = True) -> None:
        self.sendgrid_message_id = sendgrid_message_id
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._failures: list[_Failure] = []
        self._recipient_failures: dict[str, _Failure] = {}
        self._lookup_failures: list[int] = []
        self._deletion_failures = 0
        self._accepted: list[AcceptedMessage] = []
        self._server = _QuietServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        # A short poll interval keeps shutdown, and so each test's teardown, quick.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> "FakeProviderServer":
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def requests(self) -> list[RecordedRequest]:
        """Return a copy of the requests received so far, oldest first."""
        with self._lock:
            return list(self._requests)

    def fail_next(
        self, count: int, *, status: int, code: int | None = None, field: str | None = None
    ) -> None:
        """Make the next `count` requests fail with HTTP `status`.

        `code` is the Twilio error code, and `field` is the field a SendGrid error names.
        """
        with self._lock:
            self._failures.extend(_Failure(status, code, field) for _ in range(count))

    def accept_then_fail_next(self, count: int, *, status: int = 500) -> None:
        """Make the next `count` sends store the message, then respond with HTTP `status`."""
        with self._lock:
            self._failures.extend(
                _Failure(status, None, None, is_accepted=True) for _ in range(count)
            )

    def accept_then_drop_next(self, count: int) -> None:
        """Make the next `count` sends store the message, then close without answering."""
        with self._lock:
            self._failures.extend(
                _Failure(0, None, None, is_accepted=True, is_dropped=True) for _ in range(count)
            )

    def fail_recipient(
        self, to: str, *, status: int, code: int | None = None, field: str | None = None
    ) -> None:
        """Make every send to `to` fail with HTTP `status` (and Twilio `code`)."""
        with self._lock:
            self._recipient_failures[to] = _Failure(status, code, field)

    def fail_next_lookups(self, count: int, *, status: int = 503) -> None:
        """Make the next `count` lookups (message list, e-mail activity) fail."""
        with self._lock:
            self._lookup_failures.extend([status] * count)

    def fail_next_deletions(self, count: int) -> None:
        """Make the next `count` deletions fail as Twilio does for a message still sending."""
        with self._lock:
            self._deletion_failures += count

    @property
    def deletions(self) -> list[str]:
        """Return the paths of the Twilio messages asked to be deleted, oldest first."""
        return [request.path for request in self.requests if request.method == "DELETE"]

    @property
    def accepted(self) -> list[AcceptedMessage]:
        """Return the messages accepted so far, oldest first."""
        with self._lock:
            return list(self._accepted)

    @property
    def send_requests(self) -> list[RecordedRequest]:
        """Return the send requests (not the lookups) received so far, oldest first."""
        return [request for request in self.requests if request.method == "POST"]

    def record(self, request: RecordedRequest, to: Sequence[str] = ()) -> _Failure | None:
        """Store a request and return the failure planned for it, if any.

        `to` lists the recipients of a send, one per SendGrid personalization.
        """
        with self._lock:
            self._requests.append(request)
            if request.method == "GET":
                status = self._lookup_failures.pop(0) if self._lookup_failures else None
                return None if status is None else _Failure(status, None, None)
            if request.method == "DELETE":
                if not self._deletion_failures:
                    return None
                self._deletion_failures -= 1
                return _Failure(400, TWILIO_MESSAGE_IN_FLIGHT, None)
            refused = [
                (position, self._recipient_failures[address])
                for position, address in enumerate(to)
                if address in self._recipient_failures
            ]
            if refused:
                return _refusal(refused)
            return self._failures.pop(0) if self._failures else None

    def accept(self, message: AcceptedMessage) -> None:
        with self._lock:
            self._accepted.append(message)

    def find_accepted(self, **fields: object) -> list[AcceptedMessage]:
        """Return the accepted messages whose attributes equal `fields`."""
        return [
            message
            for message in self.accepted
            if all(getattr(message, name) == value for name, value in fields.items())
        ]


def _refusal(refused: list[tuple[int, _Failure]]) -> _Failure:
    """Return the one response refusing these recipients, their positions in the fields."""
    first = refused[0][1]
    fields = tuple(
        _field_at(failure.field, position)
        for position, failure in refused
        if failure.field is not None and failure.status == first.status
    )
    if not fields:
        return first
    return replace(first, field=fields[0], more_fields=fields[1:])


def _field_at(field: str, position: int) -> str:
    """Point a `personalizations.N.` field at the personalization at `position`."""
    return re.sub(r"^personalizations\.\d+\.", f"personalizations.{position}.", field)


def _handler_for(server: FakeProviderServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # On a kept-alive connection, Nagle's algorithm would hold the body of each
        # response until the client acknowledges its headers: 40 ms a request.
        disable_nagle_algorithm = True

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode("utf-8", errors="replace")
            is_twilio = TWILIO_MESSAGES_PATH.match(self.path) is not None
            try:
                body = _parse_form(raw) if is_twilio else _parse_json(raw)
            except ValueError:
                # A JSON body cut short, by a client killed while sending it.
                body = {}
            recorded = RecordedRequest(
                "POST", self.path, dict(self.headers.items()), body, self.client_address[1]
            )
            if is_twilio:
                failure = server.record(recorded, to=[str(body.get("To") or "")])
                if not body.get("To") or not body.get("Body"):
                    # A request cut short, by a client killed while sending it.
                    self._send_json(400, {"message": "To and Body are required", "code": 21604})
                    return
                self._answer_twilio(failure, body)
            elif self.path == SENDGRID_MAIL_PATH:
                failure = server.record(recorded, to=_sendgrid_recipients(body))
                if not _sendgrid_recipients(body):
                    self._send_json(400, {"errors": [{"message": "no personalizations"}]})
                    return
                self._answer_sendgrid(failure, body)
            else:
                server.record(recorded)
                self._send_json(404, {"message": "not found"})

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = _parse_form(url.query)
            failure = server.record(
                RecordedRequest(
                    "GET", self.path, dict(self.headers.items()), query, self.client_address[1]
                )
            )
            match = TWILIO_MESSAGES_PATH.match(url.path)
            if failure is not None:
                self._send_json(
                    failure.status, {"message": "fake lookup failure", "status": failure.status}
                )
            elif match is not None:
                self._send_json(200, _twilio_page(server, match["sid"], url.path, query))
            elif url.path == SENDGRID_ACTIVITY_PATH:
                self._answer_activity(query)
            else:
                self._send_json(404, {"message": "not found"})

        def do_DELETE(self) -> None:
            if TWILIO_MESSAGE_PATH.match(self.path) is None:
                self._send_json(404, {"code": 20404, "message": "not found", "status": 404})
                return
            failure = server.record(
                RecordedRequest("DELETE", self.path, dict(self.headers.items()), None)
            )
            if failure is not None:
                self._send_json(
                    failure.status,
                    {"code": failure.code, "message": "fake failure", "status": failure.status},
                )
                return
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _answer_twilio(self, failure: _Failure | None, form: dict[str, Any]) -> None:
            match = TWILIO_MESSAGES_PATH.match(self.path)
            assert match is not None
            if failure is None or failure.is_accepted:
                payload = _twilio_message(match["sid"], form)
                server.accept(
                    AcceptedMessage(
                        channel="sms",
                        provider_id=payload["sid"],
                        to=str(form.get("To") or ""),
                        body=str(form.get("Body") or ""),
                        reference=None,
                        created_at=_parse_rfc2822(payload["date_created"]),
                        status_callback=form.get("StatusCallback"),
                    )
                )
                if failure is None:
                    self._send_json(201, payload)
                    return
            if failure.is_dropped:
                self._drop()
                return
            error: dict[str, Any] = {"message": "fake failure", "status": failure.status}
            if failure.code is not None:
                error["code"] = failure.code
            self._send_json(failure.status, error)

        def _answer_sendgrid(self, failure: _Failure | None, mail: Any) -> None:
            if failure is None or failure.is_accepted:
                message_id = secrets.token_urlsafe(16)
                for accepted in _sendgrid_messages(mail, message_id, server.sendgrid_message_id):
                    server.accept(accepted)
                if failure is None:
                    self.send_response(202)
                    if server.sendgrid_message_id:
                        self.send_header("X-Message-Id", message_id)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
            if failure.is_dropped:
                self._drop()
                return
            fields = (failure.field, *failure.more_fields)
            self._send_json(
                failure.status,
                {"errors": [{"message": "fake failure", "field": f, "help": None} for f in fields]},
            )

        def _answer_activity(self, query: dict[str, Any]) -> None:
            match = _ACTIVITY_QUERY.match(str(query.get("query") or ""))
            if match is None or match["name"] != "reference":
                self._send_json(400, {"errors": [{"message": "unsupported query"}]})
                return
            records = [
                {
                    "msg_id": f"{message.provider_id}.filter0001-fake-1",
                    "to_email": message.to,
                    "status": "delivered",
                    "last_event_time": message.created_at.isoformat(),
                }
                for message in server.find_accepted(channel="email", reference=match["value"])
            ]
            limit = int(query.get("limit") or 10)
            self._send_json(200, {"messages": records[:limit]})

        def _send_json(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _drop(self) -> None:
            self.close_connection = True
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)

        def log_message(self, format: str, *args: Any) -> None:
            """Keep test output quiet."""

    return Handler


def _twilio_page(
    server: FakeProviderServer, account_sid: str, path: str, query: dict[str, Any]
) -> dict[str, Any]:
    """List accepted SMS filtered like Twilio: by recipient and sending date, newest first."""
    to = query.get("To")
    sent_after = query.get("DateSent>")
    since = datetime.fromisoformat(str(sent_after).replace("Z", "+00:00")) if sent_after else None
    records = [
        _twilio_record(account_sid, message)
        for message in reversed(server.find_accepted(channel="sms"))
        if (to is None or message.to == to) and (since is None or message.created_at >= since)
    ]
    page_size = int(query.get("PageSize") or 50)
    return {
        "messages": records[:page_size],
        "end": min(len(records), page_size) - 1,
        "first_page_uri": path,
        "next_page_uri": None,
        "page": 0,
        "page_size": page_size,
        "previous_page_uri": None,
        "start": 0,
        "uri": path,
    }


def _twilio_record(account_sid: str, message: AcceptedMessage) -> dict[str, Any]:
    stamp = format_datetime(message.created_at)
    return {
        **_twilio_message(account_sid, {"To": message.to, "Body": message.body}),
        "sid": message.provider_id,
        "status": "sent",
        "date_created": stamp,
        "date_updated": stamp,
        "date_sent": stamp,
        "uri": f"/2010-04-01/Accounts/{account_sid}/Messages/{message.provider_id}.json",
    }


def _parse_rfc2822(stamp: str) -> datetime:
    return datetime.strptime(stamp, "%a, %d %b %Y %H:%M:%S %z").astimezone(UTC)


def _personalizations(mail: Any) -> list[dict[str, Any]]:
    found = mail.get("personalizations") if isinstance(mail, dict) else None
    return [item for item in found or [] if isinstance(item, dict)]


def _sendgrid_recipients(mail: Any) -> list[str]:
    """Return the first address of each personalization, in order."""
    recipients = []
    for personalization in _personalizations(mail):
        try:
            recipients.append(str(personalization["to"][0]["email"]))
        except (KeyError, IndexError, TypeError):
            recipients.append("")
    return recipients


def _sendgrid_messages(mail: Any, message_id: str, has_message_id: bool) -> list[AcceptedMessage]:
    """Return one accepted message per personalization, its substitutions applied."""
    now = datetime.now(UTC)
    shared_args = (mail.get("custom_args") if isinstance(mail, dict) else None) or {}
    messages = []
    for personalization, to in zip(
        _personalizations(mail), _sendgrid_recipients(mail), strict=True
    ):
        custom_args = {**shared_args, **(personalization.get("custom_args") or {})}
        reference = str(custom_args["reference"]) if "reference" in custom_args else None
        body = _sendgrid_text(mail)
        for key, value in (personalization.get("substitutions") or {}).items():
            body = body.replace(str(key), str(value))
        messages.append(
            AcceptedMessage(
                channel="email",
                provider_id=message_id if has_message_id else str(reference),
                to=to,
                body=body,
                reference=reference,
                created_at=now,
                status_callback=None,
            )
        )
    return messages


def _sendgrid_text(mail: Any) -> str:
    contents = mail.get("content") if isinstance(mail, dict) else None
    for content in contents or []:
        if content.get("type") == "text/plain":
            return str(content.get("value") or "")
    return ""


def _parse_form(raw: str) -> dict[str, Any]:
    parsed = parse_qs(raw, keep_blank_values=True)
    return {key: values[0] if len(values) == 1 else values for key, values in parsed.items()}


def _parse_json(raw: str) -> Any:
    return json.loads(raw) if raw else None


def _twilio_message(account_sid: str, form: dict[str, Any]) -> dict[str, Any]:
    sid = "SM" + secrets.token_hex(16)
    now = format_datetime(datetime.now(UTC).replace(microsecond=0))
    return {
        "sid": sid,
        "account_sid": account_sid,
        "api_version": "2010-04-01",
        "body": form.get("Body"),
        "from": form.get("From"),
        "to": form.get("To"),
        "messaging_service_sid": form.get("MessagingServiceSid"),
        "status": "queued",
        "direction": "outbound-api",
        "num_segments": "1",
        "num_media": "0",
        "price": None,
        "price_unit": "EUR",
        "error_code": None,
        "error_message": None,
        "date_created": now,
        "date_updated": now,
        "date_sent": None,
        "uri": f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}.json",
        "subresource_uris": {},
    }
