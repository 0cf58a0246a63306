"""Every boto3 client and HTTP client the notebooks use, made for the current mode.

In local mode each client's endpoint is the learner's own local cloud, its credentials are the local
cloud's, and an event hook refuses any request to a host that is not loopback: local mode cannot reach
AWS. In aws mode the clients come from the configured profile, and before the first call that creates
or changes anything the kit prints the account id and a cost warning.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import boto3
import httpx
from botocore.config import Config
from botocore.credentials import Credentials

from . import i18n
from .local import control
from .local.iam.credentials import LocalCredentials, load_or_create
from .local.localhost_names import aws_suffix, localhost_twin
from .settings import Settings
from .signing import SigV4, presign

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
# Local calls go to loopback directly, never through an HTTP(S)_PROXY of the learner's shell: a proxies
# mapping that is not None makes botocore skip the environment's, and with no "http"/"https" key in it no
# request is proxied (an empty value would still make botocore send proxy-style absolute request targets).
_DIRECT = Config(proxies={"direct": ""})
_MUTATING = (
    "Create",
    "Put",
    "Add",
    "Update",
    "Publish",
    "Request",
    "Attach",
    "Tag",
    "Associate",
    "Change",
    "Delete",
    "Remove",
    "Detach",
    "Untag",
    "Disassociate",
)
COST_WARNING = i18n.t("kit.cost_warning", "en")  # the English text; what is printed follows the kit's language


class LocalModeViolation(RuntimeError):
    """A request in local mode tried to leave the machine."""


class LocalCloudStopped(httpx.ConnectError):
    """The learner's local cloud does not answer any more: it was stopped, or it crashed.

    An ``httpx.ConnectError`` (what code around ``kit.http()`` already catches), raised by boto3 calls too.
    """

    def __init__(self, endpoint: str) -> None:
        super().__init__(
            f"The local cloud at {endpoint} is not running any more: it was stopped (python -m infra.local stop, "
            "the machine restarted) or it crashed (its log: "
            f"{control.state_dir() / 'local-cloud.log'}). What it held (functions, URLs, distributions) went "
            "with it. To go on: restart the kernel and run this notebook again from its first cell, which starts "
            "a new local cloud; a notebook that uses what an earlier one deployed needs that one run again first."
        )

    def _render_traceback_(self) -> list[str]:
        """How IPython shows it in a notebook: what happened and what to do, not httpx's or botocore's frames."""
        return [f"LocalCloudStopped: {self}"]


def hub_prefix() -> str:
    """The learner's Jupyter server's prefix on a JupyterHub (``/user/<name>/``), or "" off a hub."""
    return os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "")


def _answers(endpoint: str) -> bool:
    """Does anything accept a connection at the local cloud's port (a dead one refuses at once)?"""
    import socket

    try:
        with socket.create_connection(("127.0.0.1", urlsplit(endpoint).port or 80), timeout=2):
            return True
    except OSError:
        return False


def _stopped_cloud_check(endpoint: str) -> Any:
    """A botocore ``needs-retry`` handler: a connection error from a dead local cloud ends the call at once
    with ``LocalCloudStopped`` (no retries, no page of botocore's traceback without a next step)."""
    from botocore.exceptions import ConnectionClosedError, EndpointConnectionError

    def check(caught_exception: Exception | None = None, **_: Any) -> None:
        if isinstance(caught_exception, (EndpointConnectionError, ConnectionClosedError)) and not _answers(endpoint):
            raise LocalCloudStopped(endpoint) from None

    return check


def _refuse_non_loopback(request: Any, **_: Any) -> None:
    host = urlsplit(request.url).hostname or ""
    if host not in _LOOPBACK:
        raise LocalModeViolation(f"local mode never calls AWS, but a request was about to go to {host}")


@dataclass
class _Banner:
    shown: bool = False


@dataclass
class Kit:
    """The notebooks' handle on the mode: ``kit.client("lambda")``, ``kit.http()``, ``kit.name("api")``."""

    settings: Settings
    endpoint: str | None = None  # the local cloud's, in local mode
    tls_port: int = 0  # the local cloud's TLS port, in local mode
    _session: Any = None
    _local_credentials: LocalCredentials | None = None
    _banner: _Banner = field(default_factory=_Banner)

    @property
    def mode(self) -> str:
        return self.settings.mode

    @property
    def region(self) -> str:
        return self.settings.region

    @property
    def local(self) -> bool:
        return self.settings.mode == "local"

    def name(self, suffix: str) -> str:
        return self.settings.name(suffix)

    def t(self, key: str, /, **fields: object) -> str:
        """A learner-facing text from the catalog (``infra/i18n.py``) in the kit's language, fields filled in."""
        return i18n.t(key, self.settings.lang, **fields)

    def verdict(self, value: bool) -> str:
        """``yes`` or ``no`` (예 / 아니요) for a check a notebook prints."""
        return i18n.verdict(value, self.settings.lang)

    @property
    def tags(self) -> dict[str, str]:
        return self.settings.tags

    def client(self, service: str, region: str | None = None) -> Any:
        """A boto3 client for ``service`` (``region`` defaults to the kit's region)."""
        region = region or self.settings.region
        config = Config(retries={"max_attempts": 3, "mode": "standard"})
        if self.local:
            credentials = self.local_credentials
            client = boto3.session.Session().client(
                service,
                region_name=region,
                endpoint_url=self.endpoint,
                aws_access_key_id=credentials.access_key_id,
                aws_secret_access_key=credentials.secret_access_key,
                config=config.merge(_DIRECT),
            )
            client.meta.events.register("before-send", _refuse_non_loopback)
            client.meta.events.register("needs-retry", _stopped_cloud_check(self.endpoint or ""))
            return client
        client = self._session.client(service, region_name=region, config=config)
        client.meta.events.register("before-call", self._cost_banner)
        if service == "iam" and self.settings.permissions_boundary:
            for operation in ("CreateRole", "CreateUser"):
                client.meta.events.register(f"provide-client-params.iam.{operation}", self._with_boundary)
        return client

    def _with_boundary(self, params: dict[str, Any], **_: Any) -> None:
        """A class's learner may create roles and users only with their permissions boundary (infra/classroom)."""
        params.setdefault("PermissionsBoundary", self.settings.permissions_boundary)

    @property
    def local_credentials(self) -> LocalCredentials:
        """The learner's own local credentials, from the state folder of their local cloud."""
        if self._local_credentials is None:
            self._local_credentials = load_or_create(control.state_dir())
        return self._local_credentials

    def _cost_banner(self, model: Any, **_: Any) -> None:
        if self._banner.shown or not model.name.startswith(_MUTATING):
            return
        self._banner.shown = True
        account = self._session.client("sts", region_name=self.region).get_caller_identity()["Account"]
        print(self.t("kit.banner", account=account, region=self.region, learner=self.settings.learner))
        print(self.t("kit.cost_warning"))

    @property
    def poll_seconds(self) -> float:
        """How long to wait between two checks of a slow deployment (CloudFront, ACM): short locally, 20 s on AWS,
        or ``KIT_POLL_SECONDS`` (a rehearsal of aws mode against the local cloud polls faster)."""
        if self.settings.poll_seconds is not None:
            return self.settings.poll_seconds
        return 0.5 if self.local else 20.0

    def http(self, **kwargs: Any) -> httpx.Client:
        """An HTTP client that reaches Function URLs and CloudFront distributions in either mode."""
        kwargs.setdefault("timeout", httpx.Timeout(60.0, read=120.0))
        if self.local:
            assert self.endpoint is not None
            kwargs.setdefault(
                "transport", LocalCloudTransport(self.endpoint, self.credentials(), tls_port=self.tls_port or None)
            )
        return httpx.Client(**kwargs)

    def credentials(self) -> Any:
        """The credentials this kit's AWS calls use (botocore ``Credentials``)."""
        if self.local:
            return Credentials(self.local_credentials.access_key_id, self.local_credentials.secret_access_key)
        return self._session.get_credentials().get_frozen_credentials()

    def sigv4(self, access_key: str | None = None, secret_key: str | None = None, token: str | None = None) -> SigV4:
        """httpx auth that signs requests for Lambda in the kit's region (with the kit's credentials by default)."""
        creds = Credentials(access_key, secret_key, token) if access_key else self.credentials()
        return SigV4(creds, self.region)

    def presign(self, url: str, *, expires: int = 300, for_browser: bool = False) -> str:
        """A presigned GET for ``url``; ``for_browser`` signs the address curl and browsers open locally."""
        if for_browser and self.local and hub_prefix():
            # Through the learner's Jupyter server the local cloud gets the AWS name as Host and the path
            # without the prefix: sign that, then give the address the browser opens.
            return self.browser_url(presign(url, self.credentials(), self.region, expires=expires))
        return presign(self.browser_url(url) if for_browser else url, self.credentials(), self.region, expires=expires)

    def curl(self, url: str) -> str:
        """The curl command that fetches ``url`` from a terminal here: locally, to the local cloud's TLS port
        (``--connect-to``: no DNS involved) trusting the learner's local CA (``--cacert``)."""
        if not self.local or not url.startswith("https://") or not self.tls_port:
            return f"curl {url}"
        return f"curl --cacert {control.ca_certificate()} --connect-to ::127.0.0.1:{self.tls_port} {url}"

    def browser_url(self, url: str) -> str:
        """The address a browser or curl opens for ``url`` where the learner is.

        On a laptop, ``*.localhost`` names at the local cloud's port (they resolve to loopback): a distribution or a
        custom domain over HTTPS at its TLS port (their cache behaviours redirect HTTP to HTTPS; the browser
        warns unless it trusts the learner's local CA, see the README), a Function URL or an API over HTTP
        (choice: they open without that step). On a JupyterHub
        (``JUPYTERHUB_SERVICE_PREFIX`` set), the browser is not on the hub's machine: the learner's own Jupyter
        server carries the request, path-style (``/user/<name>/kit/<host>/<path>``, ``infra/server_proxy.py``),
        as an absolute link when the hub says its public URL (``JUPYTERHUB_PUBLIC_URL``).
        """
        if not self.local:
            return url
        prefix = hub_prefix()
        if prefix:
            parts = urlsplit(url)
            public = os.environ.get("JUPYTERHUB_PUBLIC_URL", "").rstrip("/")
            link = f"{prefix.rstrip('/')}/kit/{parts.hostname}{parts.path or '/'}"
            return public + link + (f"?{parts.query}" if parts.query else "")
        parts = urlsplit(url)
        host = parts.hostname or ""
        suffix = aws_suffix(host)
        if host not in _LOOPBACK:
            host = localhost_twin(host)  # a custom domain's too: the local cloud resolves it through Route 53
        scheme, port = "http", urlsplit(self.endpoint).port
        if self.tls_port and (suffix is None or suffix == ".cloudfront.net"):
            # CloudFront (a distribution, a custom domain) wants HTTPS (redirect-to-https): its TLS port.
            scheme, port = "https", self.tls_port
        return f"{scheme}://{host}:{port}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")


class LocalCloudTransport(httpx.BaseTransport):
    """Sends requests for AWS host names to the local cloud, keeping the ``Host`` header.

    ``https://<id>.lambda-url.<region>.on.aws/path`` goes over TLS to the local cloud's TLS port, with the
    AWS name as SNI and ``Host``, and the certificate checked against the learner's local certificate
    authority as a client checks AWS's against Amazon's roots (one connection pool per name, as a client
    keeps one per host); ``http://`` URLs go to its plain port. Any other name goes there too if the local
    cloud's Route 53 resolves it (a custom domain), and otherwise fails as a DNS lookup fails: nothing
    leaves the machine.
    """

    _AWS_SUFFIXES = (".on.aws", ".cloudfront.net", ".amazonaws.com", ".localhost")

    def __init__(self, endpoint: str, credentials: Any = None, *, tls_port: int | None = None) -> None:
        """``credentials`` sign the name look-ups (default: the learner's own local credentials); ``tls_port``
        defaults to what the learner's local cloud recorded."""
        parts = urlsplit(endpoint)
        self._port = parts.port
        self._inner = httpx.HTTPTransport()
        if tls_port is None:
            state = control.read_state()
            tls_port = state.tls_port if state is not None and state.port == self._port else 0
        self._tls_port = tls_port
        self._tls_inner: dict[str, httpx.HTTPTransport] = {}
        if credentials is None:
            found = load_or_create(control.state_dir())
            credentials = Credentials(found.access_key_id, found.secret_access_key)
        self._auth = SigV4(credentials, "us-east-1", service="kit")

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return self._send(request)
        except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError) as error:
            endpoint = f"http://127.0.0.1:{self._port}"
            if not getattr(error, "name_not_known", False) and not _answers(endpoint):
                raise LocalCloudStopped(endpoint) from None
            raise

    def _send(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        if host not in _LOOPBACK:
            if not host.endswith(self._AWS_SUFFIXES) and not self._resolves(host):
                # What DNS says for a name nobody serves; local mode never asks a real resolver.
                error = httpx.ConnectError(
                    f"[Errno -2] Name or service not known: {host} (local mode resolves names through the local "
                    "cloud's Route 53 hosted zones, and none has a record for it)",
                    request=request,
                )
                error.name_not_known = True  # type: ignore[attr-defined]  # a DNS answer, not a stopped cloud
                raise error
            if request.url.scheme == "https" and self._tls_port:
                request.extensions = {**request.extensions, "sni_hostname": host}
                request.url = request.url.copy_with(host="127.0.0.1", port=self._tls_port)
                return self._tls_transport(host).handle_request(request)
            request.url = request.url.copy_with(scheme="http", host="127.0.0.1", port=self._port)
        return self._inner.handle_request(request)

    def _tls_transport(self, host: str) -> httpx.HTTPTransport:
        transport = self._tls_inner.get(host)
        if transport is None:
            transport = httpx.HTTPTransport(verify=control.client_tls_context())
            self._tls_inner[host] = transport
        return transport

    def _resolves(self, host: str) -> bool:
        """Does ``host`` resolve through the local cloud's Route 53 (a custom domain of the learner's)?"""
        request = httpx.Request("GET", f"http://127.0.0.1:{self._port}/_kit/resolve", params={"name": host})
        answer = self._inner.handle_request(next(self._auth.auth_flow(request)))
        answer.read()
        return answer.status_code == 200

    def close(self) -> None:
        self._inner.close()
        for transport in self._tls_inner.values():
            transport.close()


def connect(settings: Settings | None = None) -> Kit:
    """The kit for this mode: in local mode, start (or attach to) this learner's local cloud first."""
    settings = settings or Settings.from_env()
    if settings.lang == "ko":
        i18n.use_korean_plot_font()
    if settings.mode == "local":
        info = control.start()
        return Kit(settings, endpoint=info.endpoint, tls_port=info.tls_port)
    session = boto3.session.Session(profile_name=settings.profile, region_name=settings.region)
    return Kit(settings, _session=session)
