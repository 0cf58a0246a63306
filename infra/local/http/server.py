"""The local cloud's HTTP/1.1 server: a thin shell from bytes on a socket to ``HttpRequest``/``HttpResponse``.

It serves both the local cloud's port and every execution environment's Runtime API endpoint, and speaks
what their clients send: persistent connections (HTTP/1.1 keep-alive, ``Connection: close``, HTTP/1.0),
requests answered in order one at a time (so pipelining works), ``Content-Length`` or ``chunked`` bodies
with trailers (response streaming reports late errors in trailers), ``Expect: 100-continue`` (libcurl
inside awslambdaric sends it before large bodies), ``HEAD``, and a client's half-close (its requests are
still answered).

Parsing stands on llhttp, Node.js's strict HTTP/1.1 parser, through ``httptools`` (the parser behind
uvicorn): chosen because it is the most used strict parser on PyPI, refuses what RFC 9112 says to refuse
(non-digit, repeated or contradictory ``Content-Length``, ``Content-Length`` with ``Transfer-Encoding``,
bad chunk sizes, whitespace before a header's colon, control characters), parses incrementally in C, so a
chunk-size line that never ends costs nothing per read, and hands trailers over like headers. The event loop
stays asyncio's: uvloop, measured side by side with ``bench_function_url.py`` (alternating, two rounds each),
served no more warm requests per second at 1 or 8 connections and made cold starts slower (its process
spawning), so it is not used. This module
is what llhttp leaves to a server (RFC 9112 and RFC 9110 for each rule):
- a malformed request gets ``400 Bad Request``, an unknown transfer coding ``501 Not Implemented``
  (RFC 9112 §6.1), then the connection closes;
- bounds: a request head (line and headers, and trailers) of at most ``MAX_HEAD`` bytes (``431`` past
  it), a buffered body of at most ``MAX_BODY``; while a request is being answered the connection's reading
  is paused once ``MAX_PENDING`` bytes wait behind it, so a client cannot make the server buffer without end;
- timeouts: a request head must arrive within ``HEAD_TIMEOUT`` seconds of its first byte (``408``), an idle
  keep-alive connection closes after ``IDLE_TIMEOUT`` seconds, a buffered body may not stall longer than
  ``BODY_TIMEOUT`` between bytes; a streamed body (the Runtime API's) may: a function streams as it likes;
- at most ``max_connections`` connections at once per listening socket: past it, the oldest connection
  that is idle or still sending its head is closed to make room (else the new one is refused), and at start
  the soft ``RLIMIT_NOFILE`` is raised to the hard limit, so a flood of idle connections cannot starve the
  learner's own requests;
- a response header that cannot go on the wire (a name that is not a token, a value outside Latin-1 or
  holding CR, LF or NUL) turns the response into a ``502`` naming the header: never a hang, never an
  injected header.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import re
import socket
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus

import httptools

from .peers import Admit
from .types import HttpRequest, HttpResponse, TlsInfo

log = logging.getLogger("infra.local")
Handler = Callable[[HttpRequest], Awaitable[HttpResponse]]
MAX_HEAD = 64 * 1024
#: Bodies up to this size reach the cores, so Lambda's own limits (6 MB) answer with AWS's errors (choice).
MAX_BODY = 64 * 1024 * 1024
#: Bytes a client may send ahead while its current request is answered before the server stops reading.
MAX_PENDING = 256 * 1024
HEAD_TIMEOUT = 30.0
IDLE_TIMEOUT = 75.0  # choice: nginx's default keep-alive timeout
BODY_TIMEOUT = 60.0
MAX_CONNECTIONS = 4096
_NO_BODY_STATUS = {204, 304}
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # used with fullmatch
_TOKENS = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+(?:\n[!#$%&'*+\-.^_`|~0-9A-Za-z]+)*")  # names, one a line
_BAD_VALUE = re.compile(r"[\r\n\x00]")


class BadRequest(Exception):
    """A request the server refuses to parse; ``status`` is what it answers (400, 408, 431, 501)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class BadResponseHeader(Exception):
    """A response header that cannot be sent as HTTP/1.1."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"the response header {name!r} cannot be sent: {reason}")
        self.name = name


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


_FRAMING = frozenset(("content-length", "transfer-encoding", "connection", "date"))


def encode_head(response: HttpResponse, *, keep_alive: bool = True, chunked: bool = False) -> bytes:
    """The status line and headers; ``BadResponseHeader`` if one cannot go on the wire."""
    headers = [(name, value) for name, value in response.headers if name.lower() not in _FRAMING]
    lines = "".join(f"{name}: {value}\r\n" for name, value in headers)
    # One check of all names and one of all values (in C); the slow loop only finds the culprit to name it.
    if (headers and not _TOKENS.fullmatch("\n".join(name for name, _ in headers))) or _BAD_VALUE.search(
        "".join(value for _, value in headers)
    ):
        _name_the_unsendable(headers)
    tail = f"Date: {http_date()}\r\n"
    if chunked:
        tail += "Transfer-Encoding: chunked\r\n"
    elif response.status not in _NO_BODY_STATUS:
        tail += f"Content-Length: {len(response.body)}\r\n"
    if not keep_alive:
        tail += "Connection: close\r\n"
    text = f"HTTP/1.1 {response.status} {_reason(response.status)}\r\n{lines}{tail}\r\n"
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        _name_the_unsendable(headers)
        raise


def _name_the_unsendable(headers: list[tuple[str, str]]) -> None:
    """Raise ``BadResponseHeader`` for the first header that cannot be sent."""
    for name, value in headers:
        if not _TOKEN.fullmatch(name):
            raise BadResponseHeader(name, "its name is not an HTTP token")
        if _BAD_VALUE.search(value):
            raise BadResponseHeader(name, "its value holds CR, LF or NUL")
        try:
            value.encode("latin-1")
        except UnicodeEncodeError:
            raise BadResponseHeader(name, "its value is not Latin-1 (percent-encode it, as AWS needs)") from None


def encode_response(response: HttpResponse, *, keep_alive: bool = True, head: bool = False) -> bytes:
    body = b"" if head or response.status in _NO_BODY_STATUS else response.body
    return encode_head(response, keep_alive=keep_alive) + body


def unsendable(error: BadResponseHeader) -> HttpResponse:
    """What the client gets instead of a response whose header cannot be sent (choice: 502, as a gateway)."""
    body = f'{{"message":"{error}"}}'.encode()
    return HttpResponse(502, [("Content-Type", "application/json")], body)


class BodyStream:
    """A request body handed to its handler while it is still arriving (chunk by chunk), then its trailers.

    Iterate it for the chunks; ``finished()`` waits for the end. If the connection drops first, iteration
    raises ``ConnectionError``. Reading from the socket pauses while ``MAX_PENDING`` bytes wait unread.
    """

    def __init__(self, on_drain: Callable[[], None] | None = None) -> None:
        self._queue: asyncio.Queue[bytes | None] = asyncio.Queue()
        self._done = asyncio.Event()
        self._on_drain = on_drain
        self.trailers: list[tuple[str, str]] = []
        self.failed = False
        self.received = 0
        self.unread = 0

    def feed(self, data: bytes) -> None:
        self.received += len(data)
        self.unread += len(data)
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
            self.unread -= len(item)
            if self._on_drain is not None and self.unread < MAX_PENDING:
                self._on_drain()
            yield item


@dataclass
class ParsedRequest:
    """One request as llhttp delivers it: its head first, then its body, then (maybe) trailers."""

    method: str = ""
    target: bytearray = field(default_factory=bytearray)
    version: str = "1.1"
    headers: list[tuple[str, str]] = field(default_factory=list)
    trailers: list[tuple[str, str]] = field(default_factory=list)
    body: bytearray = field(default_factory=bytearray)
    keep_alive: bool = True
    head_done: bool = False
    complete: bool = False
    chunked: bool = False
    stream: BodyStream | None = None
    head_bytes: int = 0
    continue_sent: bool = False

    def request(self, source_ip: str, tls: TlsInfo | None = None) -> HttpRequest:
        path, _, query = self.target.decode("latin-1").partition("?")
        headers = tuple(self.headers + self.trailers)
        return HttpRequest(self.method, path, query, headers, bytes(self.body), source_ip, stream=self.stream, tls=tls)

    @property
    def expects_continue(self) -> bool:
        return any(k.lower() == "expect" and v.lower() == "100-continue" for k, v in self.headers)


class RequestParser:
    """Requests parsed from bytes as they arrive, by llhttp; ``feed`` raises ``BadRequest`` at the first error.

    ``on_head(request)`` is called as each head completes (before its body), so a caller may stream the body
    (set ``request.stream``): such a request waits in ``ready`` from then on, any other from its end.
    """

    def __init__(self, on_head: Callable[[ParsedRequest], None] | None = None) -> None:
        self._parser = httptools.HttpRequestParser(self)
        self._on_head = on_head
        self.current: ParsedRequest | None = None
        self.ready: deque[ParsedRequest] = deque()

    # llhttp's callbacks -----------------------------------------------------------------------------
    def on_message_begin(self) -> None:
        self.current = ParsedRequest()

    def on_url(self, url: bytes) -> None:
        assert self.current is not None
        self._count(len(url))
        self.current.target += url

    def on_header(self, name: bytes, value: bytes) -> None:
        message = self.current
        assert message is not None
        self._count(len(name) + len(value) + 4)
        pair = (name.decode("latin-1"), value.decode("latin-1"))
        (message.trailers if message.head_done else message.headers).append(pair)

    def on_headers_complete(self) -> None:
        message = self.current
        assert message is not None
        message.method = self._parser.get_method().decode("latin-1")
        message.version = self._parser.get_http_version()
        message.keep_alive = self._parser.should_keep_alive()
        message.chunked = any(k.lower() == "transfer-encoding" and "chunked" in v.lower() for k, v in message.headers)
        message.head_done = True
        message.head_bytes = 0  # trailers get a fresh allowance
        if self._on_head is not None:
            self._on_head(message)
        if message.stream is not None:
            self.ready.append(message)

    def on_body(self, data: bytes) -> None:
        message = self.current
        assert message is not None
        if message.stream is not None:
            message.stream.feed(data)
            return
        message.body += data
        if len(message.body) > MAX_BODY:
            self._fail(BadRequest("request body too large", 413))

    def on_message_complete(self) -> None:
        message = self.current
        assert message is not None
        message.complete = True
        if message.stream is not None:
            message.stream.finish(list(message.trailers))
        else:
            self.ready.append(message)
        self.current = None

    # -----------------------------------------------------------------------------------------------
    def _count(self, size: int) -> None:
        assert self.current is not None
        self.current.head_bytes += size
        if self.current.head_bytes > MAX_HEAD:
            self._fail(BadRequest("request header fields too large", 431))

    def _fail(self, error: BadRequest) -> None:
        """Refuse from inside a callback (llhttp reports it as a callback error; ``feed`` raises this one)."""
        self._error = error
        raise error

    _error: BadRequest | None = None

    def feed(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except BadRequest:
            raise
        except httptools.HttpParserUpgrade:
            raise BadRequest("protocol upgrades are not supported") from None
        except httptools.HttpParserError as error:
            if self._error is not None:
                raise self._error from None
            text = str(error)
            # RFC 9112 §6.1: a transfer coding the server does not understand is 501, other framing errors 400.
            status = 501 if text == "Request has invalid `Transfer-Encoding`" else 400
            raise BadRequest(text or "malformed request", status) from None

    @property
    def mid_request(self) -> bool:
        """True while a request has begun but not ended."""
        return self.current is not None


@dataclass(frozen=True)
class TlsSession:
    """What a TLS listener learnt of a connection before its handshake (its ClientHello's server name)."""

    server_name: str | None


class HttpProtocol(asyncio.Protocol):
    """One client connection; its requests are answered in order, one at a time.

    ``streams(head_headers)`` says which chunked requests go to the handler as soon as their head arrives,
    with their body in ``request.stream`` (the Runtime API's streamed responses); a response with a
    ``stream`` is sent chunked, each chunk as it comes.
    """

    def __init__(
        self,
        handler: Handler,
        registry: ConnectionRegistry,
        streams: Callable[[list[tuple[str, str]]], bool] | None = None,
        admit: Admit | None = None,
        tls: TlsSession | None = None,
    ) -> None:
        self._handler = handler
        self._tls_session = tls
        self._tls: TlsInfo | None = None
        self._registry = registry
        self._streams = streams
        self._admit = admit
        self._parser = RequestParser(self._on_head)
        self._transport: asyncio.Transport | None = None
        self._busy: ParsedRequest | None = None
        self._task: asyncio.Task[None] | None = None
        self._peer = "127.0.0.1"
        self._can_write = asyncio.Event()
        self._can_write.set()
        self._eof = False
        self._paused = False
        self._pending_bytes = 0
        self._timer: asyncio.TimerHandle | None = None
        self._timer_kind = ""
        self._deadline = 0.0

    # --- connection life cycle ---------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]
        peer = transport.get_extra_info("peername")
        if self._admit is not None and not (peer and self._admit(transport.get_extra_info("sockname"), peer)):
            self._transport = None
            transport.abort()  # refused before a byte is read: nothing answers a stranger
            return
        if not self._registry.add(self):
            self._transport = None
            transport.abort()
            return
        if peer:
            self._peer = str(peer[0])
        if self._tls_session is not None:  # asyncio calls this once the handshake is done
            tls = transport.get_extra_info("ssl_object")
            cipher = tls.cipher() if tls is not None else None
            version = tls.version() if tls is not None else None
            self._tls = TlsInfo(self._tls_session.server_name, version or "", cipher[0] if cipher else "")
        self._arm(IDLE_TIMEOUT, "idle")

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None
        self._can_write.set()
        self._disarm()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        for message in (self._busy, self._parser.current):
            if message is not None and message.stream is not None:
                message.stream.fail()
        self._registry.discard(self)

    def pause_writing(self) -> None:
        self._can_write.clear()

    def resume_writing(self) -> None:
        self._can_write.set()

    def eof_received(self) -> bool:
        """The client half-closed: answer what it sent, then close (keep the transport open to write)."""
        self._eof = True
        if self._parser.mid_request:  # a request cut short (its body, its stream): nothing more will come
            return False
        if self._busy is not None and self._busy.stream is not None and not self._busy.complete:
            return False
        return self._busy is not None or bool(self._parser.ready)

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()
        if self._task is not None:
            self._task.cancel()

    @property
    def evictable(self) -> bool:
        """Idle, or still sending a request head: what a full server may close first."""
        current = self._parser.current
        return self._busy is None and not self._parser.ready and (current is None or not current.head_done)

    # --- timers ------------------------------------------------------------------------------------
    # One deadline per connection, kept lazily: arming moves the deadline and schedules a timer only when
    # none is due before it, so a keep-alive connection answering request after request schedules about
    # one timer per timeout period instead of one per request (``call_later`` was 13 us of each request).
    def _arm(self, seconds: float, why: str) -> None:
        loop = asyncio.get_running_loop()
        self._deadline = loop.time() + seconds
        self._timer_kind = why
        if self._timer is not None and self._timer.when() > self._deadline:
            self._timer.cancel()
            self._timer = None
        if self._timer is None:
            self._timer = loop.call_at(self._deadline, self._expired)

    def _disarm(self) -> None:
        self._timer_kind = ""  # a timer still due finds nothing to do

    def _expired(self) -> None:
        self._timer = None
        why = self._timer_kind
        if not why or self._transport is None:
            return
        loop = asyncio.get_running_loop()
        if loop.time() < self._deadline:  # the deadline moved on since this timer was set
            self._timer = loop.call_at(self._deadline, self._expired)
            return
        self._timer_kind = ""
        if why == "head":
            self._refuse(BadRequest("request head not received in time", 408))
        elif why == "body" and self._busy is None:
            self._refuse(BadRequest("request body stalled", 408))
        elif why == "idle":
            self._transport.close()

    # --- reading -----------------------------------------------------------------------------------
    def data_received(self, data: bytes) -> None:
        if self._transport is None:
            return
        try:
            self._parser.feed(data)
        except BadRequest as error:
            self._refuse(error)
            return
        busy = self._busy
        if busy is None:
            self._watch()
        elif busy.stream is not None and not busy.complete:
            if busy.stream.unread > MAX_PENDING:
                self._pause()  # the handler reads the streamed body slower than it arrives
        else:
            self._pending_bytes += len(data)
            if self._pending_bytes > MAX_PENDING:
                self._pause()  # a client pipelining faster than it is answered
        self._pump()

    def _watch(self) -> None:
        """Arm the timer that fits what the connection waits for (nothing while a request is answered)."""
        current = self._parser.current
        if current is not None and not current.head_done:
            if self._timer_kind != "head":  # from the head's first byte, never extended by more bytes
                self._arm(HEAD_TIMEOUT, "head")
        elif current is not None and current.stream is None:
            self._arm(BODY_TIMEOUT, "body")
        elif current is None and not self._parser.ready and self._timer_kind != "idle":
            self._arm(IDLE_TIMEOUT, "idle")

    def _pause(self) -> None:
        if self._transport is not None and not self._paused:
            self._paused = True
            self._transport.pause_reading()

    def _resume(self) -> None:
        if self._transport is not None and self._paused:
            self._paused = False
            self._transport.resume_reading()

    def _on_head(self, message: ParsedRequest) -> None:
        if self._streams is not None and message.chunked and self._streams(message.headers):
            message.stream = BodyStream(on_drain=self._resume)  # answered in its turn, its body still arriving
        elif message.expects_continue and self._busy is None and not self._parser.ready:
            message.continue_sent = True
            if self._transport is not None:
                self._transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")

    def _refuse(self, error: BadRequest) -> None:
        if self._transport is None:
            return
        body = f"{error}\n".encode()
        response = HttpResponse(error.status, [("Content-Type", "text/plain")], body)
        self._transport.write(encode_response(response, keep_alive=False))
        self._transport.close()
        self._transport = None

    # --- answering ---------------------------------------------------------------------------------
    def _pump(self) -> None:
        if self._busy is not None or self._transport is None:
            return
        message = self._parser.ready.popleft() if self._parser.ready else None
        if message is None:
            if self._eof and not self._parser.mid_request:
                self._transport.close()
            elif self._parser.current is not None and self._parser.current.expects_continue:
                current = self._parser.current
                if current.head_done and not current.continue_sent:
                    current.continue_sent = True
                    self._transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            return
        self._busy = message
        self._pending_bytes = 0
        self._disarm()
        request = message.request(self._peer, self._tls)
        self._task = asyncio.get_running_loop().create_task(self._answer(request, message.keep_alive))

    async def _answer(self, request: HttpRequest, keep_alive: bool) -> None:
        try:
            response = await self._handler(request)
        except Exception:  # a client always gets an answer, even when the local cloud fails
            log.exception("local cloud failed on %s %s", request.method, request.path)
            body = b'{"message":"local cloud internal error: see its log"}'
            response = HttpResponse(500, [("Content-Type", "application/json")], body)
        if self._transport is None:
            return
        head = request.method == "HEAD"
        try:
            if response.stream is None:
                self._transport.write(encode_response(response, keep_alive=keep_alive, head=head))
            elif not await self._send_stream(response, keep_alive, head=head):
                return
        except BadResponseHeader as error:
            log.warning("%s %s: %s", request.method, request.path, error)
            self._transport.write(encode_response(unsendable(error), keep_alive=keep_alive, head=head))
        self._busy = None
        self._task = None
        if not keep_alive:
            if self._transport is not None:
                self._transport.close()
            return
        self._pending_bytes = 0
        self._resume()
        self._watch()
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


class ConnectionRegistry:
    """The open connections of one listening socket, at most ``limit``: past it the oldest idle one goes."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._open: dict[HttpProtocol, None] = {}  # insertion-ordered: oldest first

    def add(self, protocol: HttpProtocol) -> bool:
        if len(self._open) >= self.limit:
            victim = next((p for p in self._open if p.evictable), None)
            if victim is None:
                return False
            victim.close()
            self._open.pop(victim, None)
        self._open[protocol] = None
        return True

    def discard(self, protocol: HttpProtocol) -> None:
        self._open.pop(protocol, None)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(list(self._open))

    def __len__(self) -> int:
        return len(self._open)


def raise_open_file_limit() -> int:
    """Raise the soft ``RLIMIT_NOFILE`` to the hard limit (where there is one); return the soft limit now."""
    try:
        import resource
    except ImportError:  # not on this platform
        return 0
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
    if soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return soft


async def serve_http(
    handler: Handler,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    sock: socket.socket | None = None,
    streams: Callable[[list[tuple[str, str]]], bool] | None = None,
    admit: Admit | None = None,
    max_connections: int = MAX_CONNECTIONS,
) -> tuple[int, Callable[[], Awaitable[None]]]:
    """Listen on ``host:port`` (or ``sock``); return the bound port and a function that closes it all.

    ``admit(local, peer)`` decides, as each connection arrives, whether it is served at all.
    """
    loop = asyncio.get_running_loop()
    connections = ConnectionRegistry(max_connections)

    def factory() -> HttpProtocol:
        return HttpProtocol(handler, connections, streams, admit)

    if sock is not None:
        server = await loop.create_server(factory, sock=sock, backlog=1024)
    else:
        server = await loop.create_server(factory, host, port, backlog=1024)
    bound = server.sockets[0].getsockname()[1]

    async def close() -> None:
        server.close()
        for protocol in connections:
            protocol.close()
        await server.wait_closed()

    return bound, close
