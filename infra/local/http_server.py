"""The local cloud's HTTP/1.1 server: a thin shell from bytes on a socket to ``HttpRequest``/``HttpResponse``.

It serves both the local cloud's port and every execution environment's Runtime API endpoint, and speaks
what their clients send: persistent connections (HTTP/1.1 keep-alive, ``Connection: close``, HTTP/1.0),
requests answered in order one at a time (so pipelining works), ``Content-Length`` or ``chunked`` bodies
with trailers (response streaming reports late errors in trailers), ``Expect: 100-continue`` (curl and
libcurl inside awslambdaric send it before large bodies), ``HEAD``. It is small on purpose: every warm
invocation crosses it three times (the client's request, the runtime's ``/next`` and its result), so
its cost is most of the local cloud's cost per request.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import socket
import time
from collections.abc import Awaitable, Callable
from http import HTTPStatus

from .http_types import HttpRequest, HttpResponse

log = logging.getLogger("infra.local")
Handler = Callable[[HttpRequest], Awaitable[HttpResponse]]
MAX_HEAD = 64 * 1024
#: Bodies up to this size reach the cores, so Lambda's own limits (6 MB) answer with AWS's errors (choice).
MAX_BODY = 64 * 1024 * 1024
_NO_BODY_STATUS = {204, 304}


class BadRequest(Exception):
    pass


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


_date_cache: tuple[int, str] = (0, "")


def http_date() -> str:
    """The ``Date`` header value for now (computed once a second)."""
    global _date_cache
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache = (now, email.utils.formatdate(now, usegmt=True))
    return _date_cache[1]


def encode_response(response: HttpResponse, *, keep_alive: bool = True, head: bool = False) -> bytes:
    lines = [f"HTTP/1.1 {response.status} {_reason(response.status)}"]
    for name, value in response.headers:
        if name.lower() not in ("content-length", "transfer-encoding", "connection", "date"):
            lines.append(f"{name}: {value}")
    lines.append(f"Date: {http_date()}")
    if response.status not in _NO_BODY_STATUS:
        lines.append(f"Content-Length: {len(response.body)}")
    if not keep_alive:
        lines.append("Connection: close")
    body = b"" if head or response.status in _NO_BODY_STATUS else response.body
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class _Parser:
    """Incremental parser of HTTP/1.1 requests (head, then a sized or chunked body, then trailers)."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.reset()

    def reset(self) -> None:
        self.head: tuple[str, str, list[tuple[str, str]]] | None = None
        self.body = bytearray()
        self.trailers: list[tuple[str, str]] = []
        self.remaining = 0
        self.chunked = False
        self.in_trailers = False
        self.continue_sent = False
        self.version = "HTTP/1.1"

    def expects_continue(self) -> bool:
        if self.head is None or self.continue_sent:
            return False
        return any(k.lower() == "expect" and v.lower() == "100-continue" for k, v in self.head[2])

    def _parse_head(self) -> bool:
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(self.buffer) > MAX_HEAD:
                raise BadRequest("request head too large")
            return False
        lines = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
        del self.buffer[: end + 4]
        try:
            method, target, version = lines[0].split(" ", 2)
        except ValueError:
            raise BadRequest(f"bad request line {lines[0]!r}") from None
        if not version.startswith("HTTP/1."):
            raise BadRequest(f"unsupported protocol {version!r}")
        self.version = version
        headers = []
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if not sep:
                raise BadRequest(f"bad header line {line!r}")
            headers.append((name.strip(), value.strip()))
        self.head = (method, target, headers)
        lowered = {k.lower(): v for k, v in headers}
        if "chunked" in lowered.get("transfer-encoding", "").lower():
            self.chunked = True
        else:
            try:
                self.remaining = int(lowered.get("content-length", "0"))
            except ValueError:
                raise BadRequest("bad Content-Length") from None
            if self.remaining > MAX_BODY:
                raise BadRequest("body too large")
        return True

    def _parse_chunks(self) -> bool:
        while True:
            if self.in_trailers:
                end = self.buffer.find(b"\r\n")
                if end < 0:
                    return False
                line = bytes(self.buffer[:end]).decode("latin-1")
                del self.buffer[: end + 2]
                if not line:
                    return True
                name, _, value = line.partition(":")
                self.trailers.append((name.strip(), value.strip()))
                continue
            if self.remaining == 0:
                end = self.buffer.find(b"\r\n")
                if end < 0:
                    return False
                size_text = bytes(self.buffer[:end]).split(b";", 1)[0].strip()
                del self.buffer[: end + 2]
                try:
                    size = int(size_text, 16)
                except ValueError:
                    raise BadRequest("bad chunk size") from None
                if size == 0:
                    self.in_trailers = True
                    continue
                self.remaining = size + 2  # the chunk and its CRLF
            take = min(self.remaining, len(self.buffer))
            if take == 0:
                return False
            self.body += self.buffer[:take]
            del self.buffer[:take]
            self.remaining -= take
            if self.remaining == 0:
                del self.body[-2:]
            if len(self.body) > MAX_BODY:
                raise BadRequest("body too large")

    def next_request(self, source_ip: str = "127.0.0.1") -> tuple[HttpRequest, bool] | None:
        """A complete request and whether the connection stays open after it, else None."""
        if self.head is None and not self._parse_head():
            return None
        if self.chunked:
            if not self._parse_chunks():
                return None
        else:
            take = min(self.remaining, len(self.buffer))
            self.body += self.buffer[:take]
            del self.buffer[:take]
            self.remaining -= take
            if self.remaining:
                return None
        assert self.head is not None
        method, target, headers = self.head
        path, _, query = target.partition("?")
        request = HttpRequest(method, path, query, tuple(headers + self.trailers), bytes(self.body), source_ip)
        connection = (request.header("connection") or "").lower()
        keep_alive = "keep-alive" in connection if self.version == "HTTP/1.0" else "close" not in connection
        self.reset()
        return request, keep_alive


class HttpProtocol(asyncio.Protocol):
    """One client connection; its requests are answered in order, one at a time."""

    def __init__(self, handler: Handler, registry: set[HttpProtocol] | None = None) -> None:
        self._handler = handler
        self._registry = registry
        self._parser = _Parser()
        self._transport: asyncio.Transport | None = None
        self._busy = False
        self._task: asyncio.Task[None] | None = None
        self._peer = "127.0.0.1"

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]
        peer = transport.get_extra_info("peername")
        if peer:
            self._peer = str(peer[0])

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None
        if self._registry is not None:
            self._registry.discard(self)

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()
        if self._task is not None:
            self._task.cancel()

    def data_received(self, data: bytes) -> None:
        self._parser.buffer += data
        self._pump()

    def _pump(self) -> None:
        if self._busy or self._transport is None:
            return
        try:
            parsed = self._parser.next_request(self._peer)
        except BadRequest as exc:
            self._transport.write(encode_response(HttpResponse(400, [], str(exc).encode()), keep_alive=False))
            self._transport.close()
            return
        if parsed is None:
            if self._parser.expects_continue():
                self._parser.continue_sent = True
                self._transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            return
        self._busy = True
        self._task = asyncio.get_running_loop().create_task(self._answer(*parsed))

    async def _answer(self, request: HttpRequest, keep_alive: bool) -> None:
        try:
            response = await self._handler(request)
        except Exception:  # a client always gets an answer, even when the local cloud fails
            log.exception("local cloud failed on %s %s", request.method, request.path)
            body = b'{"message":"local cloud internal error: see its log"}'
            response = HttpResponse(500, [("Content-Type", "application/json")], body)
        if self._transport is None:
            return
        self._transport.write(encode_response(response, keep_alive=keep_alive, head=request.method == "HEAD"))
        self._busy = False
        self._task = None
        if not keep_alive:
            self._transport.close()
            return
        self._pump()


async def serve_http(
    handler: Handler, *, host: str = "127.0.0.1", port: int = 0, sock: socket.socket | None = None
) -> tuple[int, Callable[[], Awaitable[None]]]:
    """Listen on ``host:port`` (or ``sock``); return the bound port and a function that closes it all."""
    loop = asyncio.get_running_loop()
    protocols: set[HttpProtocol] = set()

    def factory() -> HttpProtocol:
        protocol = HttpProtocol(handler, protocols)
        protocols.add(protocol)
        return protocol

    if sock is not None:
        server = await loop.create_server(factory, sock=sock, backlog=512)
    else:
        server = await loop.create_server(factory, host, port, backlog=512)
    bound = server.sockets[0].getsockname()[1]

    async def close() -> None:
        server.close()
        for protocol in list(protocols):
            protocol.close()
        await server.wait_closed()

    return bound, close
