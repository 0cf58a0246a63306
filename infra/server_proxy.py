"""The learner's local cloud through their own Jupyter server: ``{base_url}kit/<host>/<path>``.

On a JupyterHub the kernel and the local cloud run on the hub's machine while the learner's browser reaches only
the hub's URL, so ``http://<id>.lambda-url.<region>.localhost:PORT/`` points at the learner's laptop and fails. This
Jupyter server extension serves the same endpoints path-style: ``/user/<name>/kit/<host>/<path>?<query>`` is sent
to the learner's own local cloud as ``<path>?<query>`` with ``Host: <host>``, so Host routing (Function URL id,
distribution id, custom domain) survives a path proxy, and the answer comes back chunk by chunk as the local cloud
sends it (a streamed Function URL streams in the browser too).

Why its own handler and not jupyter-server-proxy (4.6.0): that proxy passes on the hub's ``Host`` (the request
lands on the AWS API side: moto's S3 answers ``NoSuchBucket``), refuses ``*.localhost`` names by its allowlist,
and streams a response only when the request says ``Accept: text/event-stream`` (measured: a chunked 8-second
stream arrived all at once after 8 s). Tornado (the Jupyter server's own HTTP stack, its ``AsyncHTTPClient``
with a streaming callback) does the proxying; the kit's code is only which requests may pass and how.

Who may use it: the Jupyter server's own authentication (a hub's OAuth, or the server's token) lets in the
learner alone; their local cloud is the one recorded in their state folder (``control.running()``). What is not
passed on: the Jupyter token (``?token=``, ``Authorization: token ...``) and the Jupyter/JupyterHub cookies, so a
function's event never holds the learner's session; hop-by-hop headers. Only the data plane is reachable (Function
URLs, distributions, custom domains, API Gateway stages): the AWS API side has its own endpoint and SigV4.
The learner's Jupyter server is the viewer's edge here, so it reaches the local cloud as a browser reaches AWS:
over TLS, to the local cloud's TLS port, with the AWS name as SNI (``Loopback`` resolves every name to
127.0.0.1) and the certificate checked against the learner's local certificate authority. A distribution whose
``ViewerProtocolPolicy`` is ``redirect-to-https`` or ``https-only`` then serves the hub's browser, whatever scheme
the hub itself is reached by (choice). A local cloud without a TLS port is reached over plain HTTP.
Choice: no XSRF check (a Function URL takes POSTs from scripts and other origins, as on AWS; what is reachable is
what a Function URL's AuthType and a distribution's OAC already make public).
"""

from __future__ import annotations

import re
from typing import Any

from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join
from tornado import httpclient, netutil, web

from .local import control

PATH = "kit"
_HOST = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$")
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "proxy-authorization",
    "proxy-authenticate",
    "host",
    "content-length",
}
_JUPYTER_COOKIE = re.compile(r"^(_xsrf|username-.*|jupyterhub-.*)$")
_NOT_ANSWERED = {"content-length", "transfer-encoding", "connection", "keep-alive", "server", "date"}


class Loopback(netutil.Resolver):
    """Every name resolves to 127.0.0.1: the local cloud answers them all (it routes by SNI and ``Host``)."""

    async def resolve(self, host: str, port: int, family: Any = None) -> list[tuple[int, Any]]:
        import socket

        return [(socket.AF_INET, ("127.0.0.1", port))]


def data_plane_host(host: str) -> bool:
    """Is ``host`` a name the local cloud serves to viewers (not the AWS API side, not loopback)?"""
    if not _HOST.match(host) or host.rsplit(".", 1)[1].isdigit():  # a name, not an IP address
        return False
    if ".lambda-url." in host or ".execute-api." in host:
        return True
    return not host.endswith(".amazonaws.com")


def forwarded_headers(headers: Any) -> dict[str, str]:
    """The request headers the local cloud gets: without hop-by-hop ones, the Jupyter token or Jupyter's cookies."""
    out: dict[str, str] = {}
    for name, value in headers.get_all():
        lname = name.lower()
        if lname in _HOP_BY_HOP:
            continue
        if lname == "authorization" and value.lower().startswith("token "):
            continue
        if lname == "cookie":  # each cookie kept as it was sent, but Jupyter's own
            kept = [part.strip() for part in value.split(";") if part.strip()]
            kept = [part for part in kept if not _JUPYTER_COOKIE.match(part.split("=", 1)[0].strip())]
            if not kept:
                continue
            value = "; ".join(kept)
        separator = "; " if lname == "cookie" else ", "  # several Cookie headers become one, as HTTP/2 joins them
        out[name] = f"{out[name]}{separator}{value}" if name in out else value
    return out


def forwarded_query(query: str) -> str:
    """The query string without the Jupyter token, every other byte as it arrived (a presigned URL's signature
    covers them)."""
    if "token=" not in query:
        return query
    return "&".join(part for part in query.split("&") if not part.startswith("token="))


class LocalCloudProxyHandler(JupyterHandler):
    """``{base_url}kit/<host>/<path>``: one request to the learner's local cloud, answered as it streams."""

    SUPPORTED_METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS")  # type: ignore[assignment]

    def check_xsrf_cookie(self) -> None:
        """See the module docstring: the data plane takes requests from anywhere, as on AWS."""

    @web.authenticated
    async def proxy(self, host: str, path: str) -> None:
        host = host.lower()
        if not data_plane_host(host):
            raise web.HTTPError(400, f"{host!r} is not a Function URL, distribution, custom domain or API stage")
        cloud = control.running()
        if cloud is None:
            raise web.HTTPError(
                503, "your local cloud is not running: run notebooks/00_setup.ipynb (its first cell starts it)"
            )
        query = forwarded_query(self.request.query)
        tls = bool(cloud.tls_port)
        origin = f"https://{host}:{cloud.tls_port}" if tls else f"http://127.0.0.1:{cloud.port}"
        url = f"{origin}/{path}" + (f"?{query}" if query else "")
        body = self.request.body if self.request.method not in ("GET", "HEAD") or self.request.body else None
        headers = forwarded_headers(self.request.headers)
        headers["Host"] = host
        started = [False]

        def on_header(line: str) -> None:
            line = line.rstrip("\r\n")
            if line.startswith("HTTP/"):
                self.clear()
                for name in ("Content-Type", "Server", "Date"):
                    self.clear_header(name)
                parts = line.split(" ", 2)
                self.set_status(int(parts[1]), parts[2] if len(parts) > 2 else None)
            elif ":" in line:
                name, _, value = line.partition(":")
                if name.strip().lower() not in _NOT_ANSWERED:
                    self.add_header(name.strip(), value.strip())

        def on_chunk(chunk: bytes) -> None:
            started[0] = True
            self.write(chunk)
            self.flush()

        request = httpclient.HTTPRequest(
            url,
            method=self.request.method or "GET",
            headers=headers,
            body=body,
            allow_nonstandard_methods=True,
            follow_redirects=False,
            decompress_response=False,
            header_callback=on_header,
            streaming_callback=on_chunk,
            connect_timeout=10,
            request_timeout=3600,  # a streamed response may run as long as its function's timeout, 15 min at most
            ssl_options=control.client_tls_context(cloud.state_dir) if tls else None,
        )
        client = httpclient.AsyncHTTPClient(force_instance=True, resolver=Loopback())
        try:
            await client.fetch(request, raise_error=False)
        except OSError as exc:
            if not started[0]:
                raise web.HTTPError(502, f"the local cloud did not answer: {exc}") from None
        finally:
            client.close()
        self.finish()

    get = head = post = put = delete = patch = options = proxy  # type: ignore[assignment]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    base = serverapp.web_app.settings["base_url"]
    route = url_path_join(base, PATH, r"(?P<host>[^/]+)/?(?P<path>.*)")
    serverapp.web_app.add_handlers(".*$", [(route, LocalCloudProxyHandler)])


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "infra.server_proxy"}]
