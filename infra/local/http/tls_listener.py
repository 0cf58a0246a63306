"""A TLS listener that picks its certificate and protocol versions by the ClientHello's server name.

OpenSSL's SNI callback can swap a connection's certificate but not its protocol versions or ciphers: those
stay the first context's (measured: a context with ``minimum_version = TLSv1_3`` chosen in the callback
still completed a TLS 1.2 handshake). A CloudFront security policy is per distribution, so the name must
be known before the handshake starts. Each accepted connection's first bytes are therefore read with
``MSG_PEEK`` (left in the socket) and handed to an OpenSSL probe on memory buffers, whose SNI callback
records the name and stops; then the real handshake runs on the socket, with the context that name
chooses (``tls/viewer_certificates.py``), through asyncio's own TLS transport
(``connect_accepted_socket``). OpenSSL parses every byte: no ClientHello is parsed by hand.

asyncio drops a connection whose handshake fails without sending OpenSSL's alert, so a client would see
an EOF where a real server says ``protocol_version`` or ``handshake_failure``. The chosen context is
therefore first rehearsed on the peeked ClientHello, on memory buffers: if OpenSSL refuses it there, the
ClientHello is consumed, the alert OpenSSL wrote is sent, and the connection closes.

The same bounds as the plain listener apply (``server.py``): the connection cap (connections still in their
hello count towards it), the peer check before a byte is read, a ClientHello of at most ``MAX_HELLO`` bytes
arriving within ``HEAD_TIMEOUT`` seconds, and the handshake within ``HEAD_TIMEOUT`` too.
Bytes that are not TLS (plain HTTP sent to this port) fail the handshake and the connection closes
(choice: no ``400`` page over a protocol the client did not speak).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import ssl
import time
from collections.abc import Awaitable, Callable

from .peers import Admit
from .server import HEAD_TIMEOUT, MAX_CONNECTIONS, ConnectionRegistry, Handler, HttpProtocol, TlsSession

log = logging.getLogger("infra.local")
MAX_HELLO = 64 * 1024
#: The context for a server name; None: the handshake fails (a ``handshake_failure`` alert).
ChooseContext = Callable[[str | None], ssl.SSLContext | None]


def _any_client() -> ssl.SSLContext:
    """A server context that refuses no protocol version or cipher before its SNI callback runs (Python's
    default minimum is TLS 1.2: a TLS 1.1 ClientHello would end before its name was read)."""
    import warnings

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = ssl.TLSVersion(0x0301)
    context.set_ciphers("ALL:@SECLEVEL=0")
    return context


_probe_context = _any_client()
_NAME_SEEN: list[str | None] = []


def _record(_: ssl.SSLObject, name: str | None, __: ssl.SSLContext) -> int:
    _NAME_SEEN.append(name)
    return ssl.ALERT_DESCRIPTION_HANDSHAKE_FAILURE  # the probe ends here, having read the name


_probe_context.sni_callback = _record
_refusing_context = _any_client()
_refusing_context.sni_callback = lambda *_: ssl.ALERT_DESCRIPTION_HANDSHAKE_FAILURE


def server_name(hello: bytes) -> tuple[bool, str | None]:
    """``(complete, name)`` for the bytes a client sent first: ``complete`` is False while more are needed."""
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    probe = _probe_context.wrap_bio(incoming, outgoing, server_side=True)
    incoming.write(hello)
    _NAME_SEEN.clear()
    try:
        probe.do_handshake()
    except ssl.SSLWantReadError:
        return len(hello) >= MAX_HELLO, None
    except ssl.SSLError:
        pass
    return True, (_NAME_SEEN[0] if _NAME_SEEN else None)


async def _readable(loop: asyncio.AbstractEventLoop, conn: socket.socket, timeout: float) -> None:
    ready = loop.create_future()
    loop.add_reader(conn.fileno(), lambda: ready.done() or ready.set_result(None))
    try:
        await asyncio.wait_for(ready, timeout)
    finally:
        loop.remove_reader(conn.fileno())


def rehearse(context: ssl.SSLContext, hello: bytes) -> bytes | None:
    """The alert a handshake of ``hello`` under ``context`` ends with at once, or None if it would go on."""
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    server = context.wrap_bio(incoming, outgoing, server_side=True)
    incoming.write(hello)
    try:
        server.do_handshake()
    except ssl.SSLWantReadError:
        return None
    except ssl.SSLError:
        return outgoing.read()
    return None


async def peek_client_hello(conn: socket.socket, timeout: float = HEAD_TIMEOUT) -> tuple[bytes, str | None]:
    """The ClientHello waiting in ``conn`` and its SNI name, read without consuming it."""
    loop = asyncio.get_running_loop()
    deadline = time.monotonic() + timeout
    while True:
        try:
            data = conn.recv(MAX_HELLO, socket.MSG_PEEK)
        except BlockingIOError:
            data = None
        if data == b"":
            raise ConnectionResetError("the client closed before its ClientHello")
        if data:
            complete, name = server_name(data)
            if complete:
                return data, name
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no ClientHello in time")
        if data:
            await asyncio.sleep(0.002)  # part of a ClientHello: readiness stays set while it waits unread
        else:
            await _readable(loop, conn, left)


async def serve_https(
    handler: Handler,
    *,
    sock: socket.socket,
    choose: ChooseContext,
    streams: Callable[[list[tuple[str, str]]], bool] | None = None,
    admit: Admit | None = None,
    max_connections: int = MAX_CONNECTIONS,
) -> tuple[int, Callable[[], Awaitable[None]]]:
    """Serve TLS on ``sock`` (bound, not yet listening); return its port and a function that closes it all."""
    loop = asyncio.get_running_loop()
    connections = ConnectionRegistry(max_connections)
    sock.listen(1024)
    sock.setblocking(False)
    pending: set[asyncio.Task[None]] = set()

    async def start(conn: socket.socket) -> None:
        try:
            if admit is not None and not admit(conn.getsockname(), conn.getpeername()):
                conn.close()  # refused before a byte is read: nothing answers a stranger
                return
            hello, name = await peek_client_hello(conn)
            context = choose(name) or _refusing_context
            alert = rehearse(context, hello)
            if alert is not None:
                conn.recv(len(hello))  # the ClientHello, answered by the alert
                if alert:
                    conn.send(alert)
                conn.close()
                return
            session = TlsSession(name)
            await loop.connect_accepted_socket(
                lambda: HttpProtocol(handler, connections, streams, None, tls=session),
                conn,
                ssl=context,
                ssl_handshake_timeout=HEAD_TIMEOUT,
            )
        except (OSError, ssl.SSLError, TimeoutError, ConnectionError) as error:
            log.debug("TLS connection not established: %s", error)
            with contextlib.suppress(OSError):
                conn.close()

    async def accept() -> None:
        while True:
            conn, _ = await loop.sock_accept(sock)
            if len(pending) + len(connections) >= max_connections:
                conn.close()  # full: connections still saying hello count too, so a flood of them cannot grow
                continue
            task = loop.create_task(start(conn))
            pending.add(task)
            task.add_done_callback(pending.discard)

    acceptor = loop.create_task(accept())
    bound = sock.getsockname()[1]

    async def close() -> None:
        acceptor.cancel()
        for task in list(pending):
            task.cancel()
        sock.close()
        for protocol in connections:
            protocol.close()

    return bound, close
