"""What hostile clients and handlers send, over a real socket: the server answers as RFC 9112 says.

Each case is one a learner's machine can meet (a web page, a buggy handler, a flood of idle connections)
and that today's server would have hung on, buffered without bound, or let through.
"""

from __future__ import annotations

import asyncio
import resource
import socket
import time
from collections.abc import Awaitable, Callable

import pytest

from infra.local.http import server as http_server
from infra.local.http.server import raise_open_file_limit, serve_http
from infra.local.http.types import HttpRequest, HttpResponse

Scenario = Callable[[int], Awaitable[object]]


def run(handler, scenario: Scenario, **options: object) -> object:  # type: ignore[no-untyped-def]
    async def main() -> object:
        port, close = await serve_http(handler, **options)  # type: ignore[arg-type]
        try:
            return await scenario(port)
        finally:
            await close()

    return asyncio.run(main())


async def ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse(200, [("Content-Type", "text/plain")], b"ok:" + request.body)


async def exchange(port: int, data: bytes, *, half_close: bool = False, timeout: float = 5) -> bytes:
    """Send ``data``, then read until the server closes (or ``timeout``)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    await writer.drain()
    if half_close:
        writer.write_eof()
    try:
        return await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (b"POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\nabc", b"400"),
        (b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", b"400"),
        (b"POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", b"400"),
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", b"400"),
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", b"501"),
        (b"GET / HTTP/1.1\r\nHost : a\r\n\r\n", b"400"),
        (b"GET / HTTP/1.1\r\nX: a\x00b\r\n\r\n", b"400"),
    ],
)
def test_framing_rfc_9112_refuses_is_refused_and_the_connection_closes(raw: bytes, status: bytes) -> None:
    answer = run(ok, lambda port: exchange(port, raw))
    assert isinstance(answer, bytes) and answer.startswith(b"HTTP/1.1 " + status)
    assert b"Connection: close" in answer and b"ok:" not in answer


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("x-greeting", "안녕하세요"),
        ("x-split", "a\r\nSet-Cookie: stolen=1"),
        ("bad name", "v"),
        ("x-nul", "a\x00"),
        ("", "empty name"),
        ("x-name\r\nSet-Cookie", "stolen=1"),
    ],
)
def test_a_response_header_that_cannot_go_on_the_wire_is_a_502_naming_it(name: str, value: str) -> None:
    async def handler(request: HttpRequest) -> HttpResponse:
        return HttpResponse(200, [(name, value)], b"body")

    answer = run(handler, lambda port: exchange(port, b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n"))
    assert isinstance(answer, bytes) and answer.startswith(b"HTTP/1.1 502 Bad Gateway")
    assert repr(name).encode() in answer
    assert b"stolen" not in answer.split(b"\r\n\r\n")[0]  # nothing injected into the head


def test_a_request_followed_by_a_half_close_is_answered() -> None:
    answer = run(ok, lambda port: exchange(port, b"POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi", half_close=True))
    assert isinstance(answer, bytes) and answer.startswith(b"HTTP/1.1 200 OK") and answer.endswith(b"ok:hi")


def test_a_head_that_never_ends_gets_408_after_the_head_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http_server, "HEAD_TIMEOUT", 0.3)

    async def slowloris(port: int) -> tuple[bytes, float]:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        started = time.monotonic()
        writer.write(b"GET / HTTP/1.1\r\n")
        for _ in range(4):  # a byte every 50 ms does not extend the deadline
            await asyncio.sleep(0.05)
            writer.write(b"X")
        answer = await asyncio.wait_for(reader.read(), 5)
        writer.close()
        return answer, time.monotonic() - started

    answer, took = run(ok, slowloris)  # type: ignore[misc]
    assert answer.startswith(b"HTTP/1.1 408")
    assert took < 2


def test_an_idle_keep_alive_connection_is_closed_after_the_idle_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http_server, "IDLE_TIMEOUT", 0.3)

    async def idle(port: int) -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HTTP/1.1\r\n\r\n")
        head = await reader.readuntil(b"ok:")
        rest = await asyncio.wait_for(reader.read(), 5)  # the server closes: EOF, not a hang
        writer.close()
        return head + rest

    answer = run(ok, idle)
    assert isinstance(answer, bytes) and answer.startswith(b"HTTP/1.1 200 OK")


def test_a_flood_of_idle_connections_does_not_starve_a_real_request() -> None:
    async def flood(port: int) -> bytes:
        idle = []
        for _ in range(40):
            sock = socket.create_connection(("127.0.0.1", port))
            sock.sendall(b"GET / HTTP/1.1\r\n")  # a head that is never finished
            idle.append(sock)
        await asyncio.sleep(0.1)
        try:
            return await exchange(port, b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n")
        finally:
            for sock in idle:
                sock.close()

    answer = run(ok, flood, max_connections=16)
    assert isinstance(answer, bytes) and answer.startswith(b"HTTP/1.1 200 OK")


def test_bytes_sent_while_a_request_is_answered_are_not_buffered_without_bound() -> None:
    release = asyncio.Event()

    async def slow(request: HttpRequest) -> HttpResponse:
        await release.wait()
        return HttpResponse(200, [], b"done")

    async def push(port: int) -> int:
        sock = socket.create_connection(("127.0.0.1", port))
        sock.setblocking(False)
        loop = asyncio.get_running_loop()
        await loop.sock_sendall(sock, b"GET /first HTTP/1.1\r\n\r\n")
        sent = 0
        chunk = b"GET /more HTTP/1.1\r\n\r\n" * 4096
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            try:
                sent += sock.send(chunk)
            except BlockingIOError:
                await asyncio.sleep(0.05)
        release.set()
        sock.close()
        return sent

    sent = run(slow, push)
    # The server stopped reading: what the kernel's buffers hold is all a client gets to send (far below
    # the hundreds of MB two seconds of loopback would otherwise carry).
    assert isinstance(sent, int) and sent < 64 * 1024 * 1024


def test_a_chunk_size_line_that_never_ends_is_refused_at_once() -> None:
    raw = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + b"1" * 100_000
    answer = run(ok, lambda port: exchange(port, raw))
    assert isinstance(answer, bytes) and answer.startswith(b"HTTP/1.1 400")


def test_endless_trailers_are_refused_past_the_head_limit() -> None:
    raw = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n" + b"X-T: " + b"v" * 70_000
    answer = run(ok, lambda port: exchange(port, raw + b"\r\n\r\n"))
    assert isinstance(answer, bytes) and answer.startswith(b"HTTP/1.1 431")


def test_the_open_file_limit_is_raised_to_the_hard_limit() -> None:
    soft = raise_open_file_limit()
    now, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    assert soft == now and (now == hard or hard == resource.RLIM_INFINITY)
