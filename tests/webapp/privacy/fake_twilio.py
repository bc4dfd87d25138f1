"""A local server answering Twilio's delete-message calls, recording each one."""

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

MESSAGE_PATH = re.compile(r"^/2010-04-01/Accounts/AC[0-9a-zA-Z]+/Messages/[A-Z]{2}[0-9a-f]+\.json$")


class FakeTwilio:
    """Serve DELETE on message URLs on 127.0.0.1; `deleted` lists the paths asked for."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._deleted: list[str] = []
        self._failures = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> "FakeTwilio":
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
    def deleted(self) -> list[str]:
        with self._lock:
            return list(self._deleted)

    def fail_next(self, count: int) -> None:
        """Answer the next `count` deletions as Twilio does for a message still sending."""
        with self._lock:
            self._failures += count

    def record(self, path: str) -> bool:
        """Store a deletion and return whether it must fail."""
        with self._lock:
            self._deleted.append(path)
            if self._failures:
                self._failures -= 1
                return True
            return False


def _handler_for(server: FakeTwilio) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_DELETE(self) -> None:
            if not MESSAGE_PATH.match(self.path):
                self._send(404, {"code": 20404, "message": "not found", "status": 404})
                return
            if server.record(self.path):
                self._send(
                    400,
                    {"code": 20009, "message": "cannot delete a message in flight", "status": 400},
                )
                return
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _send(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            """Keep test output quiet."""

    return Handler
