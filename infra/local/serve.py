"""The local cloud on sockets: ``LocalCloud.dispatch`` behind the kit's HTTP/1.1 server, on loopback only.

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

from .cloud import LocalCloud
from .http.peers import Admit, same_user
from .http.server import raise_open_file_limit, serve_http
from .lambda_ import sandbox
from .lambda_.execution_environment import Listener, RuntimeHandler
from .lambda_.runtime_api import is_streamed_response

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


async def run_server(
    port: int,
    state_dir: Path,
    *,
    legacy_permissions: bool = False,
    on_ready: Callable[[int], None] | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Serve until ``stop`` is set (or SIGTERM/SIGINT, or ``POST /_kit/shutdown``)."""
    stop = stop or asyncio.Event()
    sandbox.become_subreaper()
    raise_open_file_limit()
    sock = bind_loopback(port)
    bound = sock.getsockname()[1]
    cloud = LocalCloud(
        port=bound,
        state_dir=state_dir,
        listen=listen_runtime_api,
        legacy_permissions=legacy_permissions,
        on_shutdown=stop.set,
    )
    _, close = await serve_http(cloud.dispatch, sock=sock, admit=same_user)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    reaper = asyncio.create_task(_reap(cloud))
    if on_ready is not None:
        on_ready(bound)
    try:
        await stop.wait()
    finally:
        reaper.cancel()
        await close()
        await cloud.close()
