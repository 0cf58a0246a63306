"""The local cloud on sockets: ``LocalCloud.dispatch`` behind the kit's HTTP/1.1 server, on loopback only.

A second loopback port serves the same dispatcher over TLS (``http/tls_listener.py``), presenting for each
server name the certificate AWS would (``tls/viewer_certificates.py``), all signed by the learner's local
certificate authority (``tls/authority.py``, kept in ``<state>/tls``). Choice: a port of its own rather than
TLS detected on the HTTP port, so every client keeps the plain scheme-and-port rule (``https://`` goes to the
TLS port) and a redirect to HTTPS names a real ``https://`` address.

Each execution environment also gets a loopback port of its own for its Runtime API, as each Lambda
sandbox has its own ``AWS_LAMBDA_RUNTIME_API`` endpoint; it answers only the processes of its environment
(the environment's ``admits``). On Linux every other port answers only connections from the learner's own
Unix user (``http/peers.py``): on a shared machine another user's connection is dropped.

The server is a child subreaper (``lambda_/sandbox.py``): a process an environment started and orphaned
comes back to it and ends with the environment, and every environment ends when the server stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
from collections.abc import Callable
from pathlib import Path

from .acm import issuance
from .cloud import LocalCloud
from .http.peers import Admit, same_user
from .http.server import raise_open_file_limit, serve_http
from .http.tls_listener import serve_https
from .lambda_ import sandbox
from .lambda_.execution_environment import Listener, RuntimeHandler
from .lambda_.provisioned import ProvisionedKeeper
from .lambda_.runtime_api import is_streamed_response
from .tls.authority import LocalCertificateAuthority
from .tls.viewer_certificates import ViewerCertificates

log = logging.getLogger("infra.local")
LOOPBACK = "127.0.0.1"


async def listen_runtime_api(handler: RuntimeHandler, admit: Admit) -> Listener:
    """Bind a Runtime API endpoint on an ephemeral loopback port, serving the connections ``admit`` allows."""
    port, close = await serve_http(handler, host=LOOPBACK, streams=is_streamed_response, admit=admit)
    return Listener(port, close)


async def _reap(cloud: LocalCloud) -> None:
    while True:
        await asyncio.sleep(30)
        await cloud.pool.reap_idle()


def bind_loopback(port: int) -> socket.socket:
    """A listening-ready socket on ``127.0.0.1:port`` (0 = a free port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if os.name == "posix":
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((LOOPBACK, port))
    return sock


def stop_when_gone(pid: int, stop: asyncio.Event, poll_s: float = 1.0) -> Callable[[], None]:
    """Set ``stop`` when process ``pid`` ends (a pidfd where Linux has one, else a check every ``poll_s``).

    Returns what undoes the watch. A process already gone sets ``stop`` at once.
    """
    loop = asyncio.get_running_loop()
    try:
        fd = os.pidfd_open(pid)
    except (AttributeError, OSError) as exc:
        if isinstance(exc, ProcessLookupError):
            stop.set()
            return lambda: None
        fd = -1
    if fd >= 0:

        def ended() -> None:
            loop.remove_reader(fd)
            stop.set()

        loop.add_reader(fd, ended)

        def undo() -> None:
            with contextlib.suppress(Exception):
                loop.remove_reader(fd)
            os.close(fd)

        return undo
    handle: list[asyncio.TimerHandle] = []

    def check() -> None:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            stop.set()
            return
        except PermissionError:
            pass  # alive, someone else's
        handle[:] = [loop.call_later(poll_s, check)]

    check()

    def stop_checking() -> None:
        for timer in handle:
            timer.cancel()

    return stop_checking


async def run_server(
    port: int,
    state_dir: Path,
    *,
    legacy_permissions: bool = False,
    on_ready: Callable[[int, int], None] | None = None,
    stop: asyncio.Event | None = None,
    stop_with: int | None = None,
    tls_port: int = 0,
) -> None:
    """Serve until ``stop`` is set (or SIGTERM/SIGINT, or ``POST /_kit/shutdown``, or process ``stop_with`` ends:
    the learner's Jupyter server on a hub, which culls idle servers)."""
    stop = stop or asyncio.Event()
    sandbox.become_subreaper()
    raise_open_file_limit()
    sock = bind_loopback(port)
    bound = sock.getsockname()[1]
    tls_sock = bind_loopback(tls_port)
    tls_bound = tls_sock.getsockname()[1]
    authority = LocalCertificateAuthority.load_or_create(state_dir / "tls")
    issuance.use_authority(authority)
    certificates = ViewerCertificates(authority)
    cloud = LocalCloud(
        port=bound,
        tls_port=tls_bound,
        state_dir=state_dir,
        listen=listen_runtime_api,
        legacy_permissions=legacy_permissions,
        on_shutdown=stop.set,
    )
    _, close = await serve_http(cloud.dispatch, sock=sock, admit=same_user)
    _, close_tls = await serve_https(cloud.dispatch, sock=tls_sock, choose=certificates.present, admit=same_user)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    reaper = asyncio.create_task(_reap(cloud))
    keeper = asyncio.create_task(ProvisionedKeeper(cloud.pool).run())  # provisioned concurrency
    unwatch = stop_when_gone(stop_with, stop) if stop_with else (lambda: None)
    if on_ready is not None:
        on_ready(bound, tls_bound)
    try:
        await stop.wait()
    finally:
        unwatch()
        reaper.cancel()
        keeper.cancel()
        await close_tls()
        await close()
        await cloud.close()
