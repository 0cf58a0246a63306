"""The local cloud: one dispatcher that routes a request by ``Host`` to what answers it.

| Host | answered by |
|---|---|
| ``<id>.cloudfront.net`` / ``<id>.cloudfront.localhost`` | ``CloudFrontEdge`` (origins: the rows below) |
| ``<url-id>.lambda-url.<region>.on.aws`` / ``.localhost`` | ``FunctionUrlFrontEnd`` |
| ``<api-id>.execute-api.<region>.amazonaws.com`` / ``.localhost`` | ``RestApiGateway`` |
| anything else, ``POST /2015-03-31/functions/<name>/invocations`` | ``LambdaInvokeApi`` |
| anything else, ``POST /2021-11-15/functions/<name>/response-streaming-invocations`` | ``LambdaInvokeApi`` (stream) |
| anything else, ``/_kit/...`` | the local cloud's own health endpoint |
| anything else | moto (``MotoBridge``) |

This is still a core from request to response; ``server.py`` puts it on a socket.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Awaitable
from pathlib import Path

from .apigateway_rest import RestApiGateway, parse_api_host
from .cloud_credentials import LOCAL_ACCESS_KEY, LOCAL_SECRET_KEY
from .cloudfront_distributions import parse_distribution_host
from .cloudfront_edge import CloudFrontEdge
from .cloudwatch_logs import MotoLogSink
from .environment_pool import EnvironmentPool
from .execution_environment import ExecutionEnvironment, ListenFactory
from .function_spec import FunctionSpec
from .function_url import FunctionUrlFrontEnd, parse_url_host
from .http_types import HttpRequest, HttpResponse
from .invocation import InvocationOutcome
from .lambda_invoke import LambdaInvokeApi
from .lambda_service import LambdaService
from .moto_bridge import MotoBridge
from .moto_lambda import ResolvedFunction, UrlRegistry, account_for_access_key, resolve_function

_INVOKE_PATH = re.compile(r"^/2015-03-31/functions/([^/]+)/invocations/?$")
_INVOKE_STREAM_PATH = re.compile(r"^/2021-11-15/functions/([^/]+)/response-streaming-invocations/?$")
_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([a-z0-9-]+)/")


def caller_of(request: HttpRequest) -> tuple[str, str]:
    """``(account_id, region)`` of a SigV4-signed AWS API request (moto's rules for the account)."""
    match = _CREDENTIAL.search(request.header("authorization") or "")
    if not match:
        return account_for_access_key(None), "us-east-1"
    return account_for_access_key(match.group(1)), match.group(2)


class LocalCloud:
    def __init__(
        self,
        *,
        port: int,
        state_dir: Path,
        listen: ListenFactory,
        legacy_permissions: bool = False,
        max_environments: int | None = None,
        idle_seconds: float = 600.0,
    ) -> None:
        self.port = port
        self.state_dir = state_dir
        self.started = time.time()
        from .control import code_version

        self.version = code_version()
        self.moto = MotoBridge()
        logs = MotoLogSink()
        endpoint = f"http://127.0.0.1:{port}"
        extra_env = {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": LOCAL_ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": LOCAL_SECRET_KEY,
        }

        def factory(spec: FunctionSpec, task_root: Path) -> ExecutionEnvironment:
            return ExecutionEnvironment(
                spec, task_root=task_root, listen=listen, logs=logs, extra_env=extra_env, python=sys.executable
            )

        self.pool = EnvironmentPool(
            factory,
            code_root=state_dir / "code",
            max_environments=max_environments or int(os.environ.get("KIT_MAX_ENVIRONMENTS") or 64),
            idle_seconds=idle_seconds,
        )
        self.service = LambdaService(self.pool)
        self.urls = UrlRegistry()
        self.invoke_api = LambdaInvokeApi(resolve_function, self._invoke_for_api)
        self.rest_apis = RestApiGateway(resolve_function, self._invoke_for_gateway)
        self.function_urls = FunctionUrlFrontEnd(
            lookup=self.urls.lookup, invoke=self._invoke_for_url, port=port, legacy_permissions=legacy_permissions
        )
        self.edge = CloudFrontEdge(self._origin, region=os.environ.get("KIT_REGION") or "ap-northeast-2")

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
        if request.path.startswith("/_kit/"):
            return self._kit(request)
        match = _INVOKE_PATH.match(request.path)
        if match and request.method == "POST":
            account_id, region = caller_of(request)
            return await self.invoke_api.handle(request, match.group(1), account_id=account_id, region=region)
        match = _INVOKE_STREAM_PATH.match(request.path)
        if match and request.method == "POST":
            account_id, region = caller_of(request)
            return await self.invoke_api.handle_stream(request, match.group(1), account_id=account_id, region=region)
        return self.moto.handle(request)

    def _kit(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/_kit/health":
            body = {
                "service": "lambda-url-kit local cloud",
                "pid": os.getpid(),
                "port": self.port,
                "state_dir": str(self.state_dir),
                "started": self.started,
                "environments": len(self.pool.environments),
                "version": self.version,
            }
            return HttpResponse(200, [("Content-Type", "application/json")], json.dumps(body).encode())
        return HttpResponse(404, [("Content-Type", "application/json")], b'{"message":"unknown local cloud endpoint"}')

    async def close(self) -> None:
        await self.pool.close()
