"""A small HTTP/1.1 server for one execution environment's Runtime API endpoint.

Its only client is the runtime inside the environment, so it speaks just what runtimes send: keep-alive
requests one at a time, ``Content-Length`` or ``chunked`` bodies (with trailers, which response
streaming uses for errors after the first byte), and ``Expect: 100-continue`` (libcurl, inside
awslambdaric, sends it before bodies over 1 MB). Being this small keeps a warm invocation cheap: the
Runtime API sees two requests per invocation.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from http import HTTPStatus

from .http_types import HttpRequest, HttpResponse

Handler = Callable[[HttpRequest], Awaitable[HttpResponse]]
MAX_HEAD = 64 * 1024
MAX_BODY = 64 * 1024 * 1024


class BadRequest(Exception):
    pass


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def encode_response(response: HttpResponse, *, keep_alive: bool = True) -> bytes:
    lines = [f"HTTP/1.1 {response.status} {_reason(response.status)}"]
    for name, value in response.headers:
        if name.lower() not in ("content-length", "transfer-encoding", "connection"):
            lines.append(f"{name}: {value}")
    lines.append(f"Content-Length: {len(response.body)}")
    if not keep_alive:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + response.body


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
            method, target, _version = lines[0].split(" ", 2)
        except ValueError:
            raise BadRequest(f"bad request line {lines[0]!r}") from None
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

    def next_request(self) -> HttpRequest | None:
        """A complete request if the buffer holds one (consumed), else None."""
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
        request = HttpRequest(method, path, query, tuple(headers + self.trailers), bytes(self.body))
        self.reset()
        return request


class RuntimeApiProtocol(asyncio.Protocol):
    """One connection from a runtime; requests are answered in order, one at a time."""

    def __init__(self, handler: Handler) -> None:
        self._handler = handler
        self._parser = _Parser()
        self._transport: asyncio.Transport | None = None
        self._busy = False
        self._task: asyncio.Task[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None
        if self._task is not None:
            self._task.cancel()

    def data_received(self, data: bytes) -> None:
        self._parser.buffer += data
        self._pump()

    def _pump(self) -> None:
        if self._busy or self._transport is None:
            return
        try:
            request = self._parser.next_request()
        except BadRequest as exc:
            self._transport.write(encode_response(HttpResponse(400, [], str(exc).encode()), keep_alive=False))
            self._transport.close()
            return
        if request is None:
            if self._parser.expects_continue():
                self._parser.continue_sent = True
                self._transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            return
        self._busy = True
        self._task = asyncio.get_running_loop().create_task(self._answer(request))

    async def _answer(self, request: HttpRequest) -> None:
        try:
            response = await self._handler(request)
        except Exception as exc:  # the Runtime API must answer even when the local cloud fails
            response = HttpResponse(500, [("Content-Type", "text/plain")], f"local cloud error: {exc}".encode())
        if self._transport is not None:
            self._transport.write(encode_response(response))
        self._busy = False
        self._task = None
        self._pump()


async def serve_runtime_api(handler: Handler, host: str = "127.0.0.1") -> tuple[int, Callable[[], Awaitable[None]]]:
    """Listen on an ephemeral port of ``host``; return the port and a function that closes it."""
    loop = asyncio.get_running_loop()
    protocols: list[RuntimeApiProtocol] = []

    def factory() -> RuntimeApiProtocol:
        protocol = RuntimeApiProtocol(handler)
        protocols.append(protocol)
        return protocol

    server = await loop.create_server(factory, host, 0)
    port = server.sockets[0].getsockname()[1]

    async def close() -> None:
        server.close()
        for protocol in protocols:
            if protocol._transport is not None:
                protocol._transport.close()
        await server.wait_closed()

    return port, close
