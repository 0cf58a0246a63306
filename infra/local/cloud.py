"""The local cloud: one dispatcher that routes a request by ``Host`` to what answers it.

| Host | answered by |
|---|---|
| ``<id>.cloudfront.net`` / ``<id>.cloudfront.localhost`` | ``CloudFrontEdge`` (origins: the rows below) |
| any other name (``<name>.localhost`` too) that Route 53 resolves | what it resolves to (``route53/dns.py``) |
| ``<url-id>.lambda-url.<region>.on.aws`` / ``.localhost`` | ``FunctionUrlFrontEnd`` |
| ``<api-id>.execute-api.<region>.amazonaws.com`` / ``.localhost`` | ``RestApiGateway`` |
| anything else, ``POST /2015-03-31/functions/<name>/invocations`` | ``LambdaInvokeApi`` |
| anything else, ``POST /2021-11-15/functions/<name>/response-streaming-invocations`` | ``LambdaInvokeApi`` (stream) |
| anything else, ``/_kit/...`` | the local cloud's own endpoints (health, name resolution, shutdown) |
| anything else | moto (``MotoBridge``) |

Every request of the last four rows is the AWS API side: it must be SigV4-signed by the learner's local
credentials, an IAM user's active key or an STS session (``iam/api_auth.py``), or it gets AWS's 403 for
that protocol; an IAM user's call must also be allowed by its policies and boundary (``iam/api_authz.py``).
The one exception is ``GET /_kit/health`` unsigned, which says only what this server is.

This is still a core from request to response; ``serve.py`` puts it on a socket.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from .apigateway.rest import RestApiGateway, parse_api_host
from .aws_protocols import ApiError, error_response
from .cloudfront.distributions import parse_distribution_host
from .cloudfront.edge import CloudFrontEdge
from .cloudwatch.service_metrics import ApiGatewayMetrics, CloudFrontMetrics
from .cloudwatch.statistic_sets import MinuteStatistics
from .function_url.front_end import FunctionUrlFrontEnd, parse_url_host
from .http.types import HttpRequest, HttpResponse
from .iam.api_auth import auth_error, authenticate
from .iam.api_authz import authorize
from .iam.credentials import load_or_create, private_folder, proof
from .iam.identity import Identity, set_account_root
from .iam.sigv4 import SignatureError
from .lambda_.environment_pool import EnvironmentPool
from .lambda_.execution_environment import ExecutionEnvironment, ListenFactory
from .lambda_.execution_role import role_session_environment
from .lambda_.function_spec import FunctionSpec
from .lambda_.invocation import InvocationOutcome
from .lambda_.invoke_api import LambdaInvokeApi
from .lambda_.moto_lambda import (
    ResolvedFunction,
    UrlRegistry,
    code_in_use,
    resolve_function,
)
from .lambda_.service import LambdaService
from .logs.sink import MotoLogSink
from .moto_bridge import MotoBridge
from .route53.dns import resolve

_INVOKE_PATH = re.compile(r"^/2015-03-31/functions/([^/]+)/invocations/?$")
_INVOKE_STREAM_PATH = re.compile(r"^/2021-11-15/functions/([^/]+)/response-streaming-invocations/?$")
_AWS_NAMES = (".amazonaws.com", ".on.aws", ".cloudfront.net")
_LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]", ""}
_IP = re.compile(r"^[\d.]+$|^\[")


SERVICE_NAME = "lambda-url-kit local cloud"


def _json(status: int, body: object) -> HttpResponse:
    return HttpResponse(status, [("Content-Type", "application/json")], json.dumps(body).encode())


def _is_signed(request: HttpRequest) -> bool:
    return request.header("authorization") is not None or "X-Amz-Signature=" in request.query


def _without_cors(response: HttpResponse) -> HttpResponse:
    """The AWS API side grants no page any CORS access (moto's server would answer every origin)."""
    headers = [(k, v) for k, v in response.headers if not k.lower().startswith("access-control-")]
    if len(headers) == len(response.headers):
        return response
    return HttpResponse(response.status, headers, response.body, stream=response.stream)


def custom_domain(host: str) -> str | None:
    """The name a request is for when it is neither loopback nor an AWS name (``<name>.localhost`` too)."""
    if host in _LOOPBACK_HOSTS or _IP.match(host) or "." not in host or host.endswith(_AWS_NAMES):
        return None
    if host.endswith(".localhost"):
        host = host[: -len(".localhost")]
    return host if "." in host else None


class LocalCloud:
    def __init__(
        self,
        *,
        port: int,
        state_dir: Path,
        listen: ListenFactory,
        tls_port: int = 0,
        legacy_permissions: bool = False,
        max_environments: int | None = None,
        idle_seconds: float = 600.0,
        on_shutdown: Callable[[], None] | None = None,
    ) -> None:
        self.port = port
        self.tls_port = tls_port
        self._on_shutdown = on_shutdown
        self.credentials = load_or_create(private_folder(state_dir))
        set_account_root(self.credentials)
        self.state_dir = state_dir
        self.started = time.time()
        from .control import code_version

        self.version = code_version()
        self.moto = MotoBridge()
        logs = MotoLogSink()
        endpoint = f"http://127.0.0.1:{port}"

        def factory(spec: FunctionSpec, task_root: Path) -> ExecutionEnvironment:
            extra_env = {"AWS_ENDPOINT_URL": endpoint, **role_session_environment(spec)}
            return ExecutionEnvironment(
                spec, task_root=task_root, listen=listen, logs=logs, extra_env=extra_env, python=sys.executable
            )

        self.pool = EnvironmentPool(
            factory,
            code_root=state_dir / "code",
            max_environments=max_environments,  # None: capacity.environment_limit() (memory; KIT_MAX_ENVIRONMENTS)
            idle_seconds=idle_seconds,
            code_in_use=code_in_use,
        )
        self.service = LambdaService(self.pool)
        self.urls = UrlRegistry()
        self.invoke_api = LambdaInvokeApi(resolve_function, self._invoke_for_api)
        statistics = MinuteStatistics()  # CloudWatch metrics of CloudFront and API Gateway, into moto
        self.rest_apis = RestApiGateway(resolve_function, self._invoke_for_gateway, ApiGatewayMetrics(statistics))
        self.function_urls = FunctionUrlFrontEnd(
            lookup=self.urls.lookup,
            invoke=self._invoke_for_url,
            port=port,
            tls_port=tls_port,
            legacy_permissions=legacy_permissions,
        )
        self.edge = CloudFrontEdge(
            self._origin,
            region=os.environ.get("KIT_REGION") or "ap-northeast-2",
            metrics=CloudFrontMetrics(statistics),
            https_port=tls_port,
        )

    def _origin(self, domain: str, request: HttpRequest) -> Awaitable[HttpResponse] | None:
        """What answers CloudFront's origin request for ``domain`` in the local cloud (None: nothing does)."""
        if parse_url_host(domain) is not None:
            return self.function_urls.handle(request)
        if parse_api_host(domain) is not None:
            return self.rest_apis.handle(request)
        return None

    async def _invoke_for_api(
        self, function: ResolvedFunction, payload: bytes, request_id: str, context: str | None
    ) -> InvocationOutcome:
        return await self.service.invoke(function, payload, request_id=request_id, client_context=context)

    async def _invoke_for_gateway(
        self, function: ResolvedFunction, payload: bytes, request_id: str
    ) -> InvocationOutcome:
        return await self.service.invoke(function, payload, request_id=request_id)

    async def _invoke_for_url(
        self, function: ResolvedFunction, payload: bytes, request_id: str, trace: str
    ) -> InvocationOutcome:
        return await self.service.invoke(function, payload, request_id=request_id, trace=trace)

    async def dispatch(self, request: HttpRequest) -> HttpResponse:
        if parse_distribution_host(request.host) is not None:
            return await self.edge.handle(request)
        if parse_url_host(request.host) is not None:
            return await self.function_urls.handle(request)
        if parse_api_host(request.host) is not None:
            return await self.rest_apis.handle(request)
        name = custom_domain(request.host)
        if name is not None:
            return await self._custom_domain(name, request)
        if request.path == "/_kit/health" and not _is_signed(request):
            return _json(200, {"service": SERVICE_NAME})
        try:
            caller, region = authenticate(request)
        except SignatureError as error:
            service, protocol = self.moto.protocol_of(request)
            return error_response(service, protocol, ApiError(*auth_error(error, protocol)))
        if request.path.startswith("/_kit/"):
            return self._kit(request, caller)
        if caller.is_user:  # the account root (the learner's own credentials) is never evaluated
            refused = self._authorize(caller, request, region)
            if refused is not None:
                return refused
        match = _INVOKE_PATH.match(request.path)
        if match and request.method == "POST":
            return await self.invoke_api.handle(request, match.group(1), account_id=caller.account_id, region=region)
        match = _INVOKE_STREAM_PATH.match(request.path)
        if match and request.method == "POST":
            return await self.invoke_api.handle_stream(
                request, match.group(1), account_id=caller.account_id, region=region
            )
        return _without_cors(self.moto.handle(request))

    def _authorize(self, caller: Identity, request: HttpRequest, region: str) -> HttpResponse | None:
        """An IAM user's call: AWS's 403 if its policies and boundary do not allow it (``iam/api_authz.py``)."""
        diagnosis = self.moto.diagnose(request)
        if diagnosis.service is None:
            return None
        error = authorize(caller, diagnosis.service.name, diagnosis.operation, diagnosis.protocol, request, region)
        return None if error is None else error_response(diagnosis.service, diagnosis.protocol, error)

    async def _custom_domain(self, name: str, request: HttpRequest) -> HttpResponse:
        """A request for a name of the learner's own (``api.example.test``): where Route 53 sends it.

        A name that resolves to a distribution goes to the edge, which serves it only as one of the
        distribution's ``Aliases``. Choice: a name that does not resolve gets a 502 that says so, the nearest
        a server reached through ``*.localhost`` can come to a DNS failure (``kit.http()`` fails the lookup
        itself, as DNS would).
        """
        resolution = resolve(name)
        if resolution is None:
            body = json.dumps({"message": f"{name} does not resolve: no Route 53 record leads anywhere for it"})
            return HttpResponse(502, [("Content-Type", "application/json")], body.encode())
        if parse_distribution_host(resolution.target) is not None:
            return await self.edge.handle_alias(name, resolution.target, request)
        answer = self._origin(resolution.target, request)
        if answer is None:
            return HttpResponse(502, [("Content-Type", "application/json")], b'{"message":"no such AWS endpoint"}')
        return await answer

    def _kit(self, request: HttpRequest, caller: Identity) -> HttpResponse:
        """The local cloud's own endpoints; health details and shutdown are for the learner (the root) only."""
        from urllib.parse import parse_qs

        query = parse_qs(request.query)
        if request.path == "/_kit/resolve":
            name = (query.get("name") or [""])[0]
            found = resolve(name) if name else None
            if found is None:
                return _json(404, {"name": name, "resolves": False})
            return _json(200, {"name": found.name, "resolves": True, "target": found.target, "via": list(found.via)})
        if not caller.is_root:
            return _json(403, {"message": "only the learner's own credentials may use this endpoint"})
        if request.path == "/_kit/health":
            body = {
                "service": SERVICE_NAME,
                "pid": os.getpid(),
                "port": self.port,
                "tls_port": self.tls_port,
                "state_dir": str(self.state_dir),
                "started": self.started,
                **self.pool.stats(),  # environments, their limit and where it comes from, cold/warm counts
                "version": self.version,
            }
            challenge = (query.get("challenge") or [""])[0]
            if challenge:
                body["proof"] = proof(self.credentials.secret_access_key, challenge)
            return _json(200, body)
        if request.path == "/_kit/shutdown" and request.method == "POST" and self._on_shutdown is not None:
            self._on_shutdown()
            return _json(202, {"stopping": True})
        return _json(404, {"message": "unknown local cloud endpoint"})

    async def close(self) -> None:
        await self.pool.close()
