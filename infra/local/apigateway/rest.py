"""API Gateway REST APIs with a Lambda proxy integration, served for the 29-second comparison.

Emulates (aws-behaviour.md §9; set-up-lambda-proxy-integrations.html; limits.html): a deployed stage at
``<api-id>.execute-api.<region>.amazonaws.com/<stage>/<path>`` (and ``.localhost`` for browsers); the
resource matched by path (literal segments first, then ``{name}`` and ``{proxy+}``) and method (or ``ANY``);
``AWS_PROXY`` integrations to a Lambda function; the 1.0 proxy event; the proxy response (``statusCode``,
``headers``, ``multiValueHeaders``, ``body``, ``isBase64Encoded``); API Gateway's own permission to invoke the
function (principal ``apigateway.amazonaws.com``, ``AWS:SourceArn`` the method's execute-api ARN); the
integration timeout (``timeoutInMillis``, 29,000 ms by default): past it the client gets 504
``{"message": "Endpoint request timed out"}`` while the function runs on. The response is buffered.
Text in the 1.0 event: ``path`` keeps the percent-encoding it arrived with (REST APIs keep it, live captures
cited in github.com/middleapi/standard-server/pull/93); ``queryStringParameters`` and
``multiValueQueryStringParameters`` are URL-decoded (percent-encoded UTF-8 becomes text: hono issue 4358 shows
decoded values); header values are the client's bytes as UTF-8 text (``http/field_values.py``; observed in
github.com/oven-sh/bun/issues/22994). A response header the function set that HTTP/1.1 cannot carry (Hangul,
CR/LF): 502 naming it (a choice, as for Function URLs; API Gateway's answer is not recorded).
Every request to a deployed stage publishes the stage's CloudWatch metrics (``Count``, ``4XXError``,
``5XXError``, ``Latency``, ``IntegrationLatency``; ``cloudwatch/service_metrics.py``).
Errors: unknown API or stage 403 ``{"message":"Forbidden"}``; no such resource or method 403
``{"message":"Missing Authentication Token"}``; no permission, a function error or a malformed proxy
response 502/500 ``{"message": "Internal server error"}``; a function still being created (``Pending``) 500
``{"message": "Internal server error"}`` (a choice: API Gateway's answer when Invoke refuses is not recorded).

Not emulated: other integration types, authorizers, API keys, usage plans, request validation, mapping
templates, stage variables in URIs, response streaming of REST APIs (``responseTransferMode``).
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote

from ..cloudwatch.service_metrics import ApiGatewayMetrics, api_name_dimension
from ..http.field_values import as_text, unsendable_answer
from ..http.types import HttpRequest, HttpResponse
from ..iam.policy import AuthzRequest, Caller, Decision, evaluate
from ..lambda_.invocation import FunctionPending, InvocationOutcome, Throttled
from ..lambda_.moto_lambda import ResolvedFunction
from ..lambda_.service import buffered

API_HOST = re.compile(r"^([a-z0-9]{10})\.execute-api\.([a-z]{2}(?:-[a-z]+)+-\d)\.(?:amazonaws\.com|localhost)$")
_LAMBDA_URI = re.compile(r"^arn:aws[a-z-]*:apigateway:[^:]+:lambda:path/2015-03-31/functions/(.+)/invocations$")
DEFAULT_TIMEOUT_MS = 29_000

Resolve = Callable[[str, str, str, str | None], ResolvedFunction]
Invoke = Callable[[ResolvedFunction, bytes, str], Awaitable[InvocationOutcome]]


def _message(status: int, message: str) -> HttpResponse:
    body = json.dumps({"message": message}).encode()
    return HttpResponse(status, [("Content-Type", "application/json"), ("x-amzn-ErrorType", _error_type(status))], body)


def _error_type(status: int) -> str:
    return {403: "ForbiddenException", 504: "InternalServerErrorException"}.get(status, "InternalServerErrorException")


def parse_api_host(host: str) -> tuple[str, str] | None:
    match = API_HOST.match(host.lower())
    return (match.group(1), match.group(2)) if match else None


@dataclass(frozen=True)
class Route:
    resource: Any  # moto Resource
    template: str
    path_parameters: dict[str, str] | None


def _match(template: str, segments: list[str]) -> tuple[tuple[int, int], dict[str, str]] | None:
    parts = [p for p in template.split("/") if p]
    params: dict[str, str] = {}
    literal = 0
    for index, part in enumerate(parts):
        if part.startswith("{") and part.endswith("+}"):
            rest = segments[index:]
            if not rest:
                return None  # {proxy+} stands for at least one segment
            params[part[1:-2]] = "/".join(rest)
            return (literal, -1), params
        if index >= len(segments):
            return None
        if part.startswith("{") and part.endswith("}"):
            params[part[1:-1]] = unquote(segments[index])
        elif part != segments[index]:
            return None
        else:
            literal += 1
    if len(parts) != len(segments):
        return None
    return (literal, 0), params


def match_resource(resources: list[Any], path: str) -> Route | None:
    """The resource whose path template matches ``path``: literal segments win over ``{x}``, then ``{proxy+}``."""
    segments = [s for s in path.split("/") if s]
    best: tuple[tuple[int, int], Route] | None = None
    for resource in resources:
        template = resource.get_path()
        matched = _match(template, segments)
        if matched is None:
            continue
        score, params = matched
        if best is None or score > best[0]:
            best = (score, Route(resource, template, params or None))
    return best[1] if best else None


def proxy_event(
    request: HttpRequest,
    *,
    api_id: str,
    region: str,
    account_id: str,
    stage: str,
    path: str,
    route: Route,
    request_id: str,
    stage_variables: dict[str, str],
) -> dict[str, Any]:
    """The REST API Lambda proxy event (payload format 1.0)."""
    headers: dict[str, str] = {}
    multi_headers: dict[str, list[str]] = {}
    for name, raw in request.headers:
        value = as_text(raw)
        headers[name] = value
        multi_headers.setdefault(name, []).append(value)
    pairs = parse_qsl(request.query, keep_blank_values=True)
    query: dict[str, str] = {}
    multi_query: dict[str, list[str]] = {}
    for key, value in pairs:
        query[key] = value
        multi_query.setdefault(key, []).append(value)
    user_agent = request.header("user-agent")
    if user_agent is not None:
        user_agent = as_text(user_agent)
    now = time.time()
    text = True
    body: str | None = None
    if request.body:
        try:
            body = request.body.decode("utf-8")
        except UnicodeDecodeError:
            body, text = base64.b64encode(request.body).decode(), False
    return {
        "resource": route.template,
        "path": path,
        "httpMethod": request.method,
        "headers": headers or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": route.path_parameters,
        "stageVariables": stage_variables or None,
        "requestContext": {
            "accountId": account_id,
            "apiId": api_id,
            "domainName": f"{api_id}.execute-api.{region}.amazonaws.com",
            "domainPrefix": api_id,
            "extendedRequestId": request_id,
            "httpMethod": request.method,
            "identity": {"sourceIp": request.source_ip, "userAgent": user_agent},
            "path": f"/{stage}{path}",
            "protocol": "HTTP/1.1",
            "requestId": request_id,
            "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "requestTimeEpoch": int(now * 1000),
            "resourceId": route.resource.id,
            "resourcePath": route.template,
            "stage": stage,
        },
        "body": body,
        "isBase64Encoded": not text,
    }


def proxy_response(payload: bytes) -> HttpResponse | None:
    """Map a Lambda proxy response; None when it is malformed (API Gateway answers 502)."""
    try:
        result = json.loads(payload)
        status = int(result["statusCode"])
    except (ValueError, TypeError, KeyError):
        return None
    headers = [(str(k), str(v)) for k, v in (result.get("headers") or {}).items()]
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers += [(str(name), str(v)) for v in values]
    body = result.get("body") or ""
    data = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode()
    if not any(k.lower() == "content-type" for k, _ in headers):
        headers.append(("Content-Type", "application/json"))
    return HttpResponse(status, headers, data)


@dataclass(frozen=True)
class StageTarget:
    """The deployed stage a request is for."""

    account_id: str
    region: str
    api_id: str
    api: Any  # moto RestAPI
    stage: str


def find_stage(request: HttpRequest) -> StageTarget | None:
    """The stage of the API the request's host names, among every account moto holds; None: no such stage."""
    from moto.apigateway.models import apigateway_backends

    parsed = parse_api_host(request.host)
    if parsed is None:
        return None
    api_id, region = parsed
    stage_name = request.path.lstrip("/").partition("/")[0]
    for account_id in list(apigateway_backends.keys()):
        backend = apigateway_backends[account_id].get(region)
        if backend is not None and api_id in backend.apis:
            api = backend.apis[api_id]
            return StageTarget(account_id, region, api_id, api, stage_name) if stage_name in api.stages else None
    return None


@dataclass
class _Timing:
    integration_ms: float | None = None


class RestApiGateway:
    """Serves deployed REST API stages held in moto's API Gateway backend."""

    def __init__(self, resolve: Resolve, invoke: Invoke, metrics: ApiGatewayMetrics | None = None) -> None:
        self._resolve = resolve
        self._invoke = invoke
        self._metrics = metrics  # None: no CloudWatch metrics are published
        self._running: set[asyncio.Task[Any]] = set()

    async def handle(self, request: HttpRequest) -> HttpResponse:
        started = time.monotonic()
        target = find_stage(request)
        if target is None:
            return _message(403, "Forbidden")
        timing = _Timing()
        response = await self._answer(request, target, timing)
        if self._metrics is not None:
            self._metrics.request(
                account_id=target.account_id,
                region=target.region,
                api_name=api_name_dimension(target.api.name or "", target.api_id),
                stage=target.stage,
                status=response.status,
                latency_ms=(time.monotonic() - started) * 1000,
                integration_ms=timing.integration_ms,
            )
        return response

    async def _answer(self, request: HttpRequest, target: StageTarget, timing: _Timing) -> HttpResponse:
        account_id, region, api_id = target.account_id, target.region, target.api_id
        api, stage_name = target.api, target.stage
        path = "/" + request.path.lstrip("/").partition("/")[2]
        route = match_resource(list(api.resources.values()), path)
        method = None
        if route is not None:
            method = route.resource.resource_methods.get(request.method) or route.resource.resource_methods.get("ANY")
        if route is None or method is None or method.method_integration is None:
            return _message(403, "Missing Authentication Token")
        integration = method.method_integration
        uri = _LAMBDA_URI.match(integration.uri or "")
        if integration.integration_type != "AWS_PROXY" or uri is None:
            return _message(500, "Internal server error")
        function_arn = uri.group(1)
        try:
            function = self._resolve(account_id, region, function_arn, None)
        except Exception:
            return _message(500, "Internal server error")
        source_arn = f"arn:aws:execute-api:{region}:{account_id}:{api_id}/{stage_name}/{request.method}{route.template}"
        allowed = evaluate(
            function.policy_statements,
            AuthzRequest("lambda:InvokeFunction", function.invoked_arn, {"AWS:SourceArn": source_arn}),
            Caller.service("apigateway.amazonaws.com"),
        )
        if allowed is not Decision.ALLOW:
            return _message(500, "Internal server error")
        request_id = str(uuid.uuid4())
        event = proxy_event(
            request,
            api_id=api_id,
            region=region,
            account_id=account_id,
            stage=stage_name,
            path=path,
            route=route,
            request_id=request_id,
            stage_variables=dict(api.stages[stage_name].variables or {}),
        )
        timeout = int(integration.timeout_in_millis or DEFAULT_TIMEOUT_MS) / 1000

        async def run() -> InvocationOutcome:
            return await buffered(await self._invoke(function, json.dumps(event).encode(), request_id))

        task = asyncio.get_running_loop().create_task(run())
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        called = time.monotonic()
        try:
            outcome = await asyncio.wait_for(asyncio.shield(task), timeout)
        except TimeoutError:
            return _message(504, "Endpoint request timed out")  # the function runs on
        except Throttled:
            return _message(429, "Too Many Requests")
        except FunctionPending:
            return _message(500, "Internal server error")
        finally:
            timing.integration_ms = (time.monotonic() - called) * 1000
        if outcome.is_error:
            return _message(502, "Internal server error")
        response = proxy_response(outcome.payload)
        if response is None:
            return _message(502, "Internal server error")
        refused = unsendable_answer(response.headers)
        if refused is not None:
            return refused
        response.headers.append(("x-amzn-RequestId", request_id))
        return response
