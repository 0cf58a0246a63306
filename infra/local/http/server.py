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
from collections.abc import AsyncIterator, Awaitable, Callable
from http import HTTPStatus

from .peers import Admit
from .types import HttpRequest, HttpResponse

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


def encode_head(response: HttpResponse, *, keep_alive: bool = True, chunked: bool = False) -> bytes:
    lines = [f"HTTP/1.1 {response.status} {_reason(response.status)}"]
    for name, value in response.headers:
        if name.lower() not in ("content-length", "transfer-encoding", "connection", "date"):
            lines.append(f"{name}: {value}")
    lines.append(f"Date: {http_date()}")
    if chunked:
        lines.append("Transfer-Encoding: chunked")
    elif response.status not in _NO_BODY_STATUS:
        lines.append(f"Content-Length: {len(response.body)}")
    if not keep_alive:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def encode_response(response: HttpResponse, *, keep_alive: bool = True, head: bool = False) -> bytes:
    body = b"" if head or response.status in _NO_BODY_STATUS else response.body
    return encode_head(response, keep_alive=keep_alive) + body


class BodyStream:
    """A request body handed to its handler while it is still arriving (chunk by chunk), then its trailers.

    Iterate it for the chunks; ``finished()`` waits for the end. If the connection drops first, iteration
    raises ``ConnectionError``. (No back-pressure: chunks wait in memory until read.)
    """

    def __init__(self) -> None:
        self._queue: asyncio.Queue[bytes | None] = asyncio.Queue()
        self._done = asyncio.Event()
        self.trailers: list[tuple[str, str]] = []
        self.failed = False
        self.received = 0

    def feed(self, data: bytes) -> None:
        self.received += len(data)
        self._queue.put_nowait(data)

    def finish(self, trailers: list[tuple[str, str]]) -> None:
        self.trailers = trailers
        self._queue.put_nowait(None)
        self._done.set()

    def fail(self) -> None:
        if not self._done.is_set():
            self.failed = True
            self._queue.put_nowait(None)
            self._done.set()

    async def finished(self) -> None:
        await self._done.wait()

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._chunks()

    async def _chunks(self) -> AsyncIterator[bytes]:
        while True:
            item = await self._queue.get()
            if item is None:
                if self.failed:
                    raise ConnectionError("the request body was cut short")
                return
            yield item


class _Parser:
    """Incremental parser of HTTP/1.1 requests (head, then a sized or chunked body, then trailers)."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.last_trailers: list[tuple[str, str]] = []
        self.reset()

    def reset(self) -> None:
        self.head: tuple[str, str, list[tuple[str, str]]] | None = None
        self.body = bytearray()
        self.trailers: list[tuple[str, str]] = []
        self.remaining = 0
        self.crlf_left = 0
        self.chunked = False
        self.in_trailers = False
        self.sink: Callable[[bytes], None] | None = None
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

    def _deliver(self, data: bytes) -> None:
        if self.sink is not None:
            self.sink(data)
            return
        self.body += data
        if len(self.body) > MAX_BODY:
            raise BadRequest("body too large")

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
            if self.remaining == 0 and self.crlf_left == 0:
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
                self.remaining, self.crlf_left = size, 2
            if self.remaining:
                take = min(self.remaining, len(self.buffer))
                if take == 0:
                    return False
                data = bytes(self.buffer[:take])
                del self.buffer[:take]
                self.remaining -= take
                self._deliver(data)
            if self.remaining == 0 and self.crlf_left:
                take = min(self.crlf_left, len(self.buffer))
                if take == 0:
                    return False
                del self.buffer[:take]
                self.crlf_left -= take

    def start_streaming(self, sink: Callable[[bytes], None]) -> None:
        """From now on, send this request's chunks to ``sink`` instead of keeping them."""
        self.sink = sink

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
        self.last_trailers = list(self.trailers)
        self.reset()
        return request, keep_alive


class HttpProtocol(asyncio.Protocol):
    """One client connection; its requests are answered in order, one at a time.

    ``streams(head_headers)`` says which chunked requests go to the handler as soon as their head arrives,
    with their body in ``request.stream`` (the Runtime API's streamed responses); a response with a
    ``stream`` is sent chunked, each chunk as it comes.
    """

    def __init__(
        self,
        handler: Handler,
        registry: set[HttpProtocol] | None = None,
        streams: Callable[[list[tuple[str, str]]], bool] | None = None,
        admit: Admit | None = None,
    ) -> None:
        self._handler = handler
        self._admit = admit
        self._registry = registry
        self._streams = streams
        self._parser = _Parser()
        self._transport: asyncio.Transport | None = None
        self._busy = False
        self._task: asyncio.Task[None] | None = None
        self._peer = "127.0.0.1"
        self._body_stream: BodyStream | None = None
        self._can_write = asyncio.Event()
        self._can_write.set()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]
        peer = transport.get_extra_info("peername")
        if self._admit is not None and not (peer and self._admit(transport.get_extra_info("sockname"), peer)):
            transport.abort()  # refused before a byte is read: nothing answers a stranger
            return
        if peer:
            self._peer = str(peer[0])

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None
        self._can_write.set()
        if self._body_stream is not None:
            self._body_stream.fail()
        if self._registry is not None:
            self._registry.discard(self)

    def pause_writing(self) -> None:
        self._can_write.clear()

    def resume_writing(self) -> None:
        self._can_write.set()

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()
        if self._task is not None:
            self._task.cancel()

    def data_received(self, data: bytes) -> None:
        self._parser.buffer += data
        if self._body_stream is not None:
            self._feed_stream()
        self._pump()

    def _bad_request(self, exc: BadRequest) -> None:
        if self._transport is not None:
            self._transport.write(encode_response(HttpResponse(400, [], str(exc).encode()), keep_alive=False))
            self._transport.close()

    def _feed_stream(self) -> None:
        stream = self._body_stream
        assert stream is not None
        try:
            parsed = self._parser.next_request(self._peer)
        except BadRequest as exc:
            stream.fail()
            self._body_stream = None
            self._bad_request(exc)
            return
        if parsed is not None:
            stream.finish(self._parser.last_trailers)
            self._body_stream = None

    def _pump(self) -> None:
        if self._busy or self._transport is None:
            return
        parser = self._parser
        try:
            if parser.head is None and not parser._parse_head():
                return
            assert parser.head is not None
            if self._streams is not None and parser.chunked and self._streams(parser.head[2]):
                method, target, headers = parser.head
                path, _, query = target.partition("?")
                stream = BodyStream()
                parser.start_streaming(stream.feed)
                self._body_stream = stream
                request = HttpRequest(method, path, query, tuple(headers), b"", self._peer, stream=stream)
                self._busy = True
                self._task = asyncio.get_running_loop().create_task(self._answer(request, True))
                self._feed_stream()
                return
            parsed = parser.next_request(self._peer)
        except BadRequest as exc:
            self._bad_request(exc)
            return
        if parsed is None:
            if parser.expects_continue():
                parser.continue_sent = True
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
        if response.stream is None:
            self._transport.write(encode_response(response, keep_alive=keep_alive, head=request.method == "HEAD"))
        elif not await self._send_stream(response, keep_alive, head=request.method == "HEAD"):
            return
        self._busy = False
        self._task = None
        if not keep_alive:
            if self._transport is not None:
                self._transport.close()
            return
        self._pump()

    async def _send_stream(self, response: HttpResponse, keep_alive: bool, *, head: bool) -> bool:
        """Send a chunked response as its chunks come; False if it was cut short (connection closed)."""
        assert self._transport is not None and response.stream is not None
        self._transport.write(encode_head(response, keep_alive=keep_alive, chunked=True))
        if head:
            return True
        try:
            async for chunk in response.stream:
                if self._transport is None:
                    return False
                if chunk:
                    self._transport.write(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
                    await self._can_write.wait()
        except Exception as exc:  # the body failed after its first byte: end it early, as AWS does
            log.info("stream cut short: %s", exc)
            if self._transport is not None:
                self._transport.close()
            return False
        if self._transport is None:
            return False
        self._transport.write(b"0\r\n\r\n")
        return True


async def serve_http(
    handler: Handler,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    sock: socket.socket | None = None,
    streams: Callable[[list[tuple[str, str]]], bool] | None = None,
    admit: Admit | None = None,
) -> tuple[int, Callable[[], Awaitable[None]]]:
    """Listen on ``host:port`` (or ``sock``); return the bound port and a function that closes it all.

    ``admit(local, peer)`` decides, as each connection arrives, whether it is served at all.
    """
    loop = asyncio.get_running_loop()
    protocols: set[HttpProtocol] = set()

    def factory() -> HttpProtocol:
        protocol = HttpProtocol(handler, protocols, streams, admit)
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
