"""A local HTTP server that responds like Twilio's Messages API and SendGrid's Mail Send API."""

import json
import re
import secrets
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs

TWILIO_MESSAGES_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC[0-9a-zA-Z]+)/Messages\.json$")
SENDGRID_MAIL_PATH = "/v3/mail/send"


@dataclass(frozen=True)
class RecordedRequest:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass(frozen=True)
class _Failure:
    status: int
    code: int | None
    field: str | None


class FakeProviderServer:
    """Serve the two provider endpoints on 127.0.0.1 and record every request.

    Use it as a context manager; `base_url` is the address to give the SDKs.
    """

    def __init__(self, *, sendgrid_message_id: bool = True) -> None:
        self.sendgrid_message_id = sendgrid_message_id
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._failures: list[_Failure] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
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

    def record(self, request: RecordedRequest) -> _Failure | None:
        """Store a request and return the failure planned for it, if any."""
        with self._lock:
            self._requests.append(request)
            return self._failures.pop(0) if self._failures else None


def _handler_for(server: FakeProviderServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode("utf-8")
            is_twilio = TWILIO_MESSAGES_PATH.match(self.path) is not None
            body = _parse_form(raw) if is_twilio else _parse_json(raw)
            failure = server.record(
                RecordedRequest("POST", self.path, dict(self.headers.items()), body)
            )
            if is_twilio:
                self._answer_twilio(failure, body)
            elif self.path == SENDGRID_MAIL_PATH:
                self._answer_sendgrid(failure)
            else:
                self._send_json(404, {"message": "not found"})

        def _answer_twilio(self, failure: _Failure | None, form: dict[str, Any]) -> None:
            if failure is not None:
                payload: dict[str, Any] = {"message": "fake failure", "status": failure.status}
                if failure.code is not None:
                    payload["code"] = failure.code
                self._send_json(failure.status, payload)
                return
            match = TWILIO_MESSAGES_PATH.match(self.path)
            assert match is not None
            self._send_json(201, _twilio_message(match["sid"], form))

        def _answer_sendgrid(self, failure: _Failure | None) -> None:
            if failure is not None:
                self._send_json(
                    failure.status,
                    {"errors": [{"message": "fake failure", "field": failure.field, "help": None}]},
                )
                return
            self.send_response(202)
            if server.sendgrid_message_id:
                self.send_header("X-Message-Id", secrets.token_urlsafe(16))
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _send_json(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            """Keep test output quiet."""

    return Handler


def _parse_form(raw: str) -> dict[str, Any]:
    parsed = parse_qs(raw, keep_blank_values=True)
    return {key: values[0] if len(values) == 1 else values for key, values in parsed.items()}


def _parse_json(raw: str) -> Any:
    return json.loads(raw) if raw else None


def _twilio_message(account_sid: str, form: dict[str, Any]) -> dict[str, Any]:
    sid = "SM" + secrets.token_hex(16)
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
        "date_created": "Thu, 04 Dec 2025 10:00:00 +0000",
        "date_updated": "Thu, 04 Dec 2025 10:00:00 +0000",
        "date_sent": None,
        "uri": f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}.json",
        "subresource_uris": {},
    }
