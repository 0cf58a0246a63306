"""The request and response values that every part of the local cloud speaks.

The cores (Function URL, Lambda Invoke, Runtime API) are functions from an ``HttpRequest`` to an
``HttpResponse``; only ``serve.py`` knows about sockets.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import Any


def first_header(headers: Iterable[tuple[str, str]], name: str) -> str | None:
    """The first value of header ``name`` (case-insensitive) in ``headers``, or None."""
    lname = name.lower()
    for key, value in headers:
        if key.lower() == lname:
            return value
    return None


@dataclass(frozen=True)
class TlsInfo:
    """What a request's connection negotiated, when it came over TLS (``tls_listener.py``)."""

    server_name: str | None  # the ClientHello's SNI
    version: str  # "TLSv1.3", "TLSv1.2"... as OpenSSL names them
    cipher: str  # OpenSSL's name: "TLS_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"


@dataclass(frozen=True)
class HttpRequest:
    """One HTTP request as it arrived on the wire.

    ``path`` keeps its percent-encoding and ``query`` is the raw query string without ``?``;
    ``headers`` keeps the order, the spelling and the repetitions of what the client sent.
    """

    method: str
    path: str
    query: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    source_ip: str = "127.0.0.1"
    #: For a request whose body is streamed to the handler as it arrives (``http_server.BodyStream``).
    stream: Any = field(default=None, compare=False, repr=False)
    #: The connection's TLS, or None for plain HTTP.
    tls: TlsInfo | None = field(default=None, compare=False)

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), or None."""
        return first_header(self.headers, name)

    def header_values(self, name: str) -> list[str]:
        """Every value of header ``name`` (case-insensitive), in arrival order."""
        lname = name.lower()
        return [value for key, value in self.headers if key.lower() == lname]

    @property
    def host(self) -> str:
        """The Host header without its port, lower-cased."""
        host = (self.header("host") or "").strip().lower()
        if host.startswith("["):
            return host.split("]")[0] + "]"
        return host.rsplit(":", 1)[0] if ":" in host else host


@dataclass
class HttpResponse:
    """One HTTP response: status, ordered headers (repeats allowed) and a whole body."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    #: A body sent as it is produced (chunked); an exception from it cuts the response short.
    stream: AsyncIterator[bytes] | None = field(default=None, repr=False)

    def header(self, name: str) -> str | None:
        return first_header(self.headers, name)

    def set_header(self, name: str, value: str) -> None:
        """Replace every header called ``name`` by one with ``value``."""
        lname = name.lower()
        self.headers = [(k, v) for k, v in self.headers if k.lower() != lname]
        self.headers.append((name, value))


def json_error(status: int, body: bytes, error_type: str | None = None) -> HttpResponse:
    """An error response shaped like AWS's: JSON body, optional ``x-amzn-ErrorType``."""
    headers = [("Content-Type", "application/json")]
    if error_type:
        headers.append(("x-amzn-ErrorType", error_type))
    return HttpResponse(status, headers, body)
