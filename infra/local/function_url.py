"""A Lambda Function URL's front end (core: request -> response, no sockets).

Emulates, for a request to ``<url-id>.lambda-url.<region>.on.aws`` (or ``.localhost``):
- an unknown url-id: 403 ``{"Message":null}``, ``x-amzn-ErrorType: AccessDeniedException`` [validated];
- CORS (see ``cors.py``);
- AuthType NONE: the function's resource policy must allow the anonymous caller both
  ``lambda:InvokeFunctionUrl`` (condition key ``lambda:FunctionUrlAuthType`` = NONE) and, since October 2025,
  ``lambda:InvokeFunction`` (condition key ``lambda:InvokedViaFunctionUrl`` = true); ``legacy_permissions``
  emulates an older account where the first alone suffices (aws-behaviour.md §4, urls-auth.html). Otherwise
  403 with AWS's "Forbidden. For troubleshooting ..." body;
- AuthType AWS_IAM: a request without SigV4 gets 403 ``{"Message":"Forbidden"}``;
- a request whose event exceeds 6 MB: 413 ``RequestEntityTooLargeException``; throttling: 429
  ``{"Message":"Rate Exceeded."}``;
- the function runs with the payload-2.0 event (``url_event.py``) and its result is mapped by
  ``url_response.py``; an error, a timeout, a crashed runtime or an unmappable result: 502
  ``Internal Server Error`` [validated for errors; inferred for the others];
- every response carries ``x-amzn-RequestId`` (the invocation's request id) and ``X-Amzn-Trace-Id``.

Not emulated yet: SigV4 verification for AWS_IAM URLs (a signed request is refused with 403 and a note
in the local cloud's log until it is), RESPONSE_STREAM invoke mode (such a URL is served buffered).
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from . import cors as cors_rules
from .function_spec import MAX_SYNC_PAYLOAD
from .http_types import HttpRequest, HttpResponse, json_error
from .iam_policy import AuthzRequest, Caller, Decision, evaluate
from .invocation import InvocationOutcome, Throttled
from .moto_lambda import ResolvedFunction, UrlTarget
from .url_event import UrlEventContext, build_url_event, trace_id
from .url_response import InvalidFunctionResponse, map_function_result

log = logging.getLogger(__name__)

URL_HOST = re.compile(r"^([a-z0-9]{1,64})\.lambda-url\.([a-z]{2}(?:-[a-z]+)+-\d)\.(?:on\.aws|localhost)$")

FORBIDDEN_POLICY = (
    b'{"Message":"Forbidden. For troubleshooting Function URL authorization issues, see: '
    b'https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"}'
)
FORBIDDEN_UNSIGNED = b'{"Message":"Forbidden"}'
UNKNOWN_URL = b'{"Message":null}'

Invoke = Callable[[ResolvedFunction, bytes, str, str], Awaitable[InvocationOutcome]]
Lookup = Callable[[str, str], UrlTarget | None]


def parse_url_host(host: str) -> tuple[str, str] | None:
    """``(url_id, region)`` for a Function URL host name, else None."""
    match = URL_HOST.match(host.lower())
    return (match.group(1), match.group(2)) if match else None


def url_permissions_allow(target: UrlTarget, *, legacy_permissions: bool = False) -> bool:
    """Does the resource policy let anyone call this AuthType NONE URL (both permissions)?"""
    statements = target.function.policy_statements
    base = {"lambda:FunctionUrlAuthType": "NONE"}
    url_call = AuthzRequest("lambda:InvokeFunctionUrl", target.function_arn, base)
    if evaluate(statements, url_call, Caller.anonymous()) is not Decision.ALLOW:
        return False
    if legacy_permissions:
        return True
    invoke = AuthzRequest(
        "lambda:InvokeFunction", target.function_arn, {**base, "lambda:InvokedViaFunctionUrl": "true"}
    )
    return evaluate(statements, invoke, Caller.anonymous()) is Decision.ALLOW


@dataclass
class FunctionUrlFrontEnd:
    lookup: Lookup
    invoke: Invoke
    port: int
    legacy_permissions: bool = False
    _decisions: dict[tuple[str, str], bool] = field(default_factory=dict, repr=False)

    async def handle(self, request: HttpRequest) -> HttpResponse:
        request_id = str(uuid.uuid4())
        trace = request.header("x-amzn-trace-id") or trace_id()
        response = await self._handle(request, request_id, trace)
        if response.header("x-amzn-RequestId") is None:
            response.headers.append(("x-amzn-RequestId", request_id))
        if response.header("X-Amzn-Trace-Id") is None:
            response.headers.append(("X-Amzn-Trace-Id", trace))
        return response

    async def _handle(self, request: HttpRequest, request_id: str, trace: str) -> HttpResponse:
        parsed = parse_url_host(request.host)
        target = self.lookup(*parsed) if parsed else None
        if target is None:
            return json_error(403, UNKNOWN_URL, "AccessDeniedException")
        if target.cors and request.method == "OPTIONS":
            return cors_rules.preflight_response(target.cors, request)
        denied = self._authorize(request, target)
        if denied is not None:
            return denied
        event = build_url_event(
            request,
            UrlEventContext(
                url_id=target.url_id, region=target.region, request_id=request_id, forwarded_port=self.port, trace=trace
            ),
        )
        payload = json.dumps(event).encode("utf-8")
        if len(payload) > MAX_SYNC_PAYLOAD:
            message = f"Request must be smaller than {MAX_SYNC_PAYLOAD} bytes for the InvokeFunction operation"
            return json_error(
                413, json.dumps({"Message": message}, separators=(",", ":")).encode(), "RequestEntityTooLargeException"
            )
        try:
            outcome = await self.invoke(target.function, payload, request_id, trace)
        except Throttled:
            return json_error(429, b'{"Message":"Rate Exceeded."}', "TooManyRequestsException")
        response = self._map(outcome)
        if target.cors:
            cors_rules.add_cors_headers(target.cors, request, response)
        return response

    def _authorize(self, request: HttpRequest, target: UrlTarget) -> HttpResponse | None:
        if target.auth_type == "AWS_IAM":
            if request.header("authorization") or "X-Amz-Signature=" in request.query:
                log.warning(
                    "SigV4 verification of AWS_IAM Function URLs is not available yet: refusing %s", target.url_id
                )
            return json_error(403, FORBIDDEN_UNSIGNED, "AccessDeniedException")
        if not self._allowed(target):
            return json_error(403, FORBIDDEN_POLICY, "AccessDeniedException")
        return None

    def _allowed(self, target: UrlTarget) -> bool:
        """``url_permissions_allow``, remembered per policy revision (a policy change gets a new one)."""
        revision = target.function.policy_revision
        if not revision:
            return url_permissions_allow(target, legacy_permissions=self.legacy_permissions)
        key = (target.function_arn, revision)
        decision = self._decisions.get(key)
        if decision is None:
            if len(self._decisions) > 4096:
                self._decisions.clear()
            decision = self._decisions[key] = url_permissions_allow(target, legacy_permissions=self.legacy_permissions)
        return decision

    @staticmethod
    def _map(outcome: InvocationOutcome) -> HttpResponse:
        if not outcome.is_error:
            try:
                return map_function_result(outcome.payload)
            except InvalidFunctionResponse as exc:
                log.info("function result of %s cannot be mapped: %s", outcome.request_id, exc)
        return HttpResponse(502, [("Content-Type", "text/plain; charset=utf-8")], b"Internal Server Error")
