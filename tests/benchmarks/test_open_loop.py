import asyncio
from collections.abc import Awaitable, Callable

import pytest

from benchmarks.gunicorn_server import free_port
from benchmarks.open_loop import (
    HOST,
    InvalidResponseError,
    Outcome,
    Response,
    build_request,
    parse_response,
    run_schedule,
    timed_exchange,
)


def ok_when_200(response: Response) -> str | None:
    return None if response.status == 200 else f"HTTP {response.status}"


def test_build_request_encodes_form() -> None:
    raw = build_request(8000, "POST", "/inscription", cookie="session=abc", form={"a": ["1", "2"]})

    head, body = raw.split(b"\r\n\r\n")
    assert head.split(b"\r\n") == [
        b"POST /inscription HTTP/1.1",
        b"Host: 127.0.0.1:8000",
        b"Connection: close",
        b"Cookie: session=abc",
        b"Content-Type: application/x-www-form-urlencoded",
        b"Content-Length: 7",
    ]
    assert body == b"a=1&a=2"


def test_parse_response_headers_and_cookies() -> None:
    response = parse_response(
        b"HTTP/1.1 302 FOUND\r\nLocation: /inscription/merci\r\n"
        b"Set-Cookie: session=xyz; HttpOnly; Path=/\r\nSet-Cookie: lang=fr; Path=/\r\n"
        b"Content-Length: 4\r\n\r\nbody"
    )

    assert response.status == 302
    assert response.header("LOCATION") == "/inscription/merci"
    assert response.header("x-missing") is None
    assert response.cookies() == "session=xyz; lang=fr"
    assert response.body == b"body"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 2", "no end of headers"),
        (b"garbage 200\r\n\r\n", "invalid status line"),
        (b"HTTP/1.1 OK\r\n\r\n", "invalid status line"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", "Content-Length 10"),
    ],
)
def test_parse_response_rejects_broken(data: bytes, message: str) -> None:
    with pytest.raises(InvalidResponseError, match=message):
        parse_response(data)


async def serve_after_all_arrive(expected: int, seen: list[bytes]) -> asyncio.Server:
    """Serve 200s, but only once `expected` requests are in: a client that waits hangs."""
    everyone = asyncio.Event()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.append(await reader.readuntil(b"\r\n\r\n"))
        if len(seen) == expected:
            everyone.set()
        await everyone.wait()
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()
        writer.close()

    return await asyncio.start_server(handle, HOST, 0)


def test_schedule_never_waits_for_replies() -> None:
    seen: list[bytes] = []

    async def scenario() -> list[Outcome]:
        server = await serve_after_all_arrive(5, seen)
        port = server.sockets[0].getsockname()[1]
        request = build_request(port, "GET", "/inscription")
        async with server:
            return await run_schedule(
                5,
                100.0,
                lambda _index, due: timed_exchange(port, request, ok_when_200, due, 10.0),
            )

    outcomes = asyncio.run(scenario())

    assert len(seen) == 5
    assert [outcome.status for outcome in outcomes] == [200] * 5
    assert [outcome.error for outcome in outcomes] == [None] * 5
    assert [outcome.due_s for outcome in outcomes] == pytest.approx([0.0, 0.01, 0.02, 0.03, 0.04])


Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def exchange_once(handler: Handler, timeout_s: float) -> Outcome:
    """Send one GET to a server on 127.0.0.1 that runs `handler` per connection."""

    async def scenario() -> Outcome:
        server = await asyncio.start_server(handler, HOST, 0)
        port = server.sockets[0].getsockname()[1]
        async with server:
            due = asyncio.get_running_loop().time()
            request = build_request(port, "GET", "/")
            return await timed_exchange(port, request, ok_when_200, due, timeout_s)

    return asyncio.run(scenario())


def test_silent_server_times_out() -> None:
    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # Read until the client gives up and closes, never sending a response.
        await reader.read()
        writer.close()

    outcome = exchange_once(hold, 0.2)

    assert outcome.error == "timeout after 0.2 s"
    assert outcome.status is None
    assert outcome.latency_s is None


def test_error_status_is_classified() -> None:
    async def fail(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 503 SERVICE UNAVAILABLE\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        writer.close()

    outcome = exchange_once(fail, 5.0)

    assert outcome.status == 503
    assert outcome.error == "HTTP 503"
    assert outcome.latency_s is not None


def test_refused_connection_is_classified() -> None:
    async def scenario() -> Outcome:
        port = free_port()
        due = asyncio.get_running_loop().time()
        return await timed_exchange(port, build_request(port, "GET", "/"), ok_when_200, due, 5.0)

    outcome = asyncio.run(scenario())

    assert outcome.error == "ConnectionRefusedError"
    assert outcome.status is None
