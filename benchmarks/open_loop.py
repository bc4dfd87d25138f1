"""An open-loop HTTP load generator on asyncio, for a server on 127.0.0.1.

Request i leaves at start + i / rate whatever happened to the earlier ones, so a slow
server meets a growing queue instead of a politely waiting client. Its latency counts
from that scheduled time, so any delay in the generator itself is charged to the
server rather than hidden.

Every request opens its own connection and sends `Connection: close`, as a new visitor
would, and the response is read to the end of the stream.
"""

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from urllib.parse import urlencode

HOST = "127.0.0.1"
HEADER_END = b"\r\n\r\n"


class InvalidResponseError(Exception):
    """The server's reply is not a complete HTTP/1.1 response."""


@dataclass(frozen=True)
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        """Return the first value of the header `name` (any case), or None."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key == wanted), None)

    def cookies(self) -> str:
        """Return the cookies this response sets, as a `Cookie` request header value."""
        pairs = [value.split(";", 1)[0] for key, value in self.headers if key == "set-cookie"]
        return "; ".join(pairs)


@dataclass(frozen=True)
class Outcome:
    """One request: when it was due (seconds after the schedule's start) and what came back."""

    due_s: float
    send_lag_s: float
    latency_s: float | None
    status: int | None
    error: str | None


def build_request(
    port: int, method: str, path: str, *, cookie: str = "", form: dict[str, object] | None = None
) -> bytes:
    """Return the bytes of one HTTP/1.1 request, form-encoded when `form` is given."""
    body = urlencode(form, doseq=True).encode() if form is not None else b""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}", "Connection: close"]
    if cookie:
        lines.append(f"Cookie: {cookie}")
    if form is not None:
        lines.append("Content-Type: application/x-www-form-urlencoded")
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def parse_response(data: bytes) -> Response:
    """Parse a whole response read until the server closed the connection."""
    head, separator, body = data.partition(HEADER_END)
    if not separator:
        raise InvalidResponseError(f"no end of headers in {len(data)} bytes")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise InvalidResponseError(f"invalid status line {status_line[:80]!r}")
    headers = []
    for line in header_lines:
        name, _, value = line.partition(":")
        headers.append((name.strip().lower(), value.strip()))
    response = Response(status=int(parts[1]), headers=headers, body=body)
    length = response.header("content-length")
    if length is not None and int(length) != len(body):
        raise InvalidResponseError(f"body of {len(body)} bytes, Content-Length {length}")
    return response


async def exchange(port: int, request: bytes) -> Response:
    """Send `request` to 127.0.0.1:`port` on a new connection and read the whole response."""
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        writer.write(request)
        await writer.drain()
        data = await reader.read()
    finally:
        writer.close()
    return parse_response(data)


# Returns the error kind of a response, or None when it is the expected one.
Check = Callable[[Response], str | None]


async def timed_exchange(
    port: int, request: bytes, check: Check, due: float, timeout_s: float
) -> Outcome:
    """Send one request due at loop time `due`, and classify what comes back."""
    loop = asyncio.get_running_loop()
    lag = loop.time() - due
    try:
        response = await asyncio.wait_for(exchange(port, request), timeout_s)
    except TimeoutError:
        return Outcome(due, lag, None, None, f"timeout after {timeout_s:g} s")
    except (OSError, InvalidResponseError) as error:
        return Outcome(due, lag, None, None, type(error).__name__)
    return Outcome(due, lag, loop.time() - due, response.status, check(response))


async def run_schedule(
    count: int,
    rate_per_s: float,
    send: Callable[[int, float], Coroutine[None, None, Outcome]],
    on_index: Callable[[int], None] = lambda _index: None,
) -> list[Outcome]:
    """Start `send(i, due)` for i in range(count) at `rate_per_s`, never waiting for replies.

    `on_index(i)` runs just before request i leaves. The returned outcomes are in
    schedule order, with `due_s` counted from the first request.
    """
    loop = asyncio.get_running_loop()
    start = loop.time()
    tasks = []
    for index in range(count):
        due = start + index / rate_per_s
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        on_index(index)
        tasks.append(asyncio.create_task(send(index, due)))
    outcomes = await asyncio.gather(*tasks)
    return [
        Outcome(o.due_s - start, o.send_lag_s, o.latency_s, o.status, o.error) for o in outcomes
    ]
