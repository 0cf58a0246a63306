"""The local cloud's HTTP shell: aiohttp on loopback around ``LocalCloud.dispatch``.

Also binds one loopback port per execution environment for its Runtime API, as each Lambda sandbox has
its own ``AWS_LAMBDA_RUNTIME_API`` endpoint.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web

from .cloud import LocalCloud
from .execution_environment import Listener, RuntimeHandler
from .http_types import HttpRequest, HttpResponse
from .runtime_http import serve_runtime_api

log = logging.getLogger("infra.local")
LOOPBACK = "127.0.0.1"
#: Bodies up to this size reach the cores, so Lambda's own limits (6 MB) answer with AWS's errors (choice).
MAX_BODY = 64 * 1024 * 1024


def make_server(handle: Callable[[HttpRequest], Awaitable[HttpResponse]]) -> web.Server:
    """An aiohttp low-level server around ``handle`` that accepts bodies up to ``MAX_BODY``."""
    loop = asyncio.get_running_loop()

    def request_factory(message, payload, protocol, writer, task) -> web.BaseRequest:  # type: ignore[no-untyped-def]
        return web.BaseRequest(message, payload, protocol, writer, task, loop, client_max_size=MAX_BODY)

    return web.Server(web_handler(handle), request_factory=request_factory, access_log=None)


async def to_http_request(request: web.BaseRequest) -> HttpRequest:
    raw = request.raw_path
    path, _, query = raw.partition("?")
    headers = tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in request.raw_headers)
    body = await request.read()
    return HttpRequest(request.method, path, query, headers, body, request.remote or LOOPBACK)


def to_web_response(response: HttpResponse) -> web.Response:
    out = web.Response(
        status=response.status, body=response.body if response.body or response.status not in (204, 304) else None
    )
    for name, value in response.headers:
        if name.lower() in ("content-length", "transfer-encoding", "connection"):
            continue
        out.headers.add(name, value)
    return out


def web_handler(
    handle: Callable[[HttpRequest], Awaitable[HttpResponse]],
) -> Callable[[web.BaseRequest], Awaitable[web.StreamResponse]]:
    async def serve(request: web.BaseRequest) -> web.StreamResponse:
        try:
            return to_web_response(await handle(await to_http_request(request)))
        except Exception:
            log.exception("local cloud failed on %s %s", request.method, request.raw_path)
            return web.Response(
                status=500, text='{"message":"local cloud internal error"}', content_type="application/json"
            )

    return serve


async def listen_runtime_api(handler: RuntimeHandler) -> Listener:
    """Bind a Runtime API endpoint on an ephemeral loopback port."""
    port, close = await serve_runtime_api(handler, LOOPBACK)
    return Listener(port, close)


async def _reap(cloud: LocalCloud) -> None:
    while True:
        await asyncio.sleep(30)
        await cloud.pool.reap_idle()


async def run_server(
    port: int,
    state_dir: Path,
    *,
    legacy_permissions: bool = False,
    on_ready: Callable[[int], None] | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Serve until ``stop`` is set (or SIGTERM/SIGINT); bind to loopback only."""
    stop = stop or asyncio.Event()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if os.name == "posix":
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((LOOPBACK, port))
    bound = sock.getsockname()[1]
    cloud = LocalCloud(
        port=bound, state_dir=state_dir, listen=listen_runtime_api, legacy_permissions=legacy_permissions
    )

    async def handle(request: HttpRequest) -> HttpResponse:
        if request.path == "/_kit/shutdown" and request.method == "POST":
            stop.set()
            return HttpResponse(202, [("Content-Type", "application/json")], b'{"stopping":true}')
        return await cloud.dispatch(request)

    server = make_server(handle)
    loop = asyncio.get_running_loop()
    tcp = await loop.create_server(server, sock=sock, backlog=512)
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
        tcp.close()
        await server.shutdown(1.0)
        await cloud.close()
