"""A Lambda Function URL's front end (core: request -> response, no sockets).

Emulates, for a request to ``<url-id>.lambda-url.<region>.on.aws`` (or ``.localhost``):
- an unknown url-id: 403 ``{"Message":null}``, ``x-amzn-ErrorType: AccessDeniedException`` [validated]; the URL
  of an alias that was deleted: 403 with the "Forbidden. For troubleshooting..." body (recorded on AWS, issue 12);
- CORS (see ``function_url/cors.py``);
- AuthType NONE or AWS_IAM: who may call, and the 403s, as ``function_url/auth.py`` says; ``legacy_permissions``
  emulates an older account where ``lambda:InvokeFunctionUrl`` alone suffices;
- a request whose event exceeds 6 MB: 413 ``RequestEntityTooLargeException``; throttling: 429
  ``{"Message":"Rate Exceeded."}``;
- a function still being created (``Pending``, functions-states.html: Lambda does not invoke it): 409
  ``x-amzn-ErrorType: ResourceConflictException`` with ``{"Message":"The operation cannot be performed at this
  time. The function is currently in the following state: Pending"}``. Choice: no source records what a URL
  answers then; this is Invoke's error in the shape of the URL's other errors (413, 429);
- the function runs with the payload-2.0 event (``function_url/event.py``) and its result is mapped by
  ``function_url/response.py``; an error, a timeout, a crashed runtime or an unmappable result: 502
  ``Internal Server Error`` [validated for errors; inferred for the others];
- a response header the function set that HTTP/1.1 cannot carry (a value outside Latin-1 such as Hangul, CR or
  LF, a name that is not a token): 502 naming it, before any byte is sent (``http/field_values.py``; a choice,
  as AWS's answer is not recorded), so a client never hangs and CloudFront in front sees an origin 502;
- every response carries ``x-amzn-RequestId`` (the invocation's request id) and ``X-Amzn-Trace-Id``.

Authorization (NONE and AWS_IAM, SigV4) is ``function_url/auth.py``'s. A streamed function response
(``function_url/stream.py``) is sent on chunk by chunk when the URL's InvokeMode is RESPONSE_STREAM, and whole at the
end when it is BUFFERED; an error after the first byte ends the streamed body early (aws-behaviour.md §3). A
function that does not stream, behind a RESPONSE_STREAM URL, sends its result object unmapped (``_unmapped``).
Not emulated yet: the streaming limits (200 MB; 2 MB/s after the first 6 MB).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace

from ..http.field_values import unsendable_answer
from ..http.types import HttpRequest, HttpResponse, json_error
from ..iam.identity import Identity, find_identity, signed_by
from ..iam.sigv4 import SignatureError
from ..lambda_.function_spec import MAX_SYNC_PAYLOAD
from ..lambda_.invocation import FunctionPending, InvocationOutcome, StreamError, Throttled, new_trace_id
from ..lambda_.moto_lambda import ResolvedFunction, UrlTarget
from ..lambda_.service import buffered
from ..lambda_.url_configs import deleted_alias_url
from . import cors as cors_rules
from .auth import (
    FORBIDDEN_POLICY,
    Authorized,
    authorizer_block,
    iam_url_allows,
    public_url_allows,
    signature_error_response,
)
from .event import UrlEventContext, build_url_event
from .response import InvalidFunctionResponse, map_function_result
from .stream import HTTP_INTEGRATION, InvalidPrelude, split_prelude

log = logging.getLogger(__name__)

URL_HOST = re.compile(r"^([a-z0-9]{1,64})\.lambda-url\.([a-z]{2}(?:-[a-z]+)+-\d)\.(?:on\.aws|localhost)$")

UNKNOWN_URL = b'{"Message":null}'

Invoke = Callable[[ResolvedFunction, bytes, str, str], Awaitable[InvocationOutcome]]
Lookup = Callable[[str, str], UrlTarget | None]


def _unmapped(outcome: InvocationOutcome) -> HttpResponse:
    """A function that did not stream, behind a RESPONSE_STREAM URL: its result object is the body, as it is.

    Recorded on AWS (issue 12, a Node.js handler returning ``{"statusCode":200,"body":"..."}`` without
    ``streamifyResponse``): the URL does not map the result as a BUFFERED one would; the client reads the raw
    JSON. The Runtime API is the same for every runtime. Choice (not recorded): status 200 and the content
    type the runtime posted its result with (awslambdaric: ``application/json``).
    """
    return HttpResponse(200, [("content-type", "application/json")], outcome.payload)


def parse_url_host(host: str) -> tuple[str, str] | None:
    """``(url_id, region)`` for a Function URL host name, else None."""
    match = URL_HOST.match(host.lower())
    return (match.group(1), match.group(2)) if match else None


@dataclass
class FunctionUrlFrontEnd:
    lookup: Lookup
    invoke: Invoke
    port: int
    tls_port: int = 0  # the local cloud's TLS port: what ``x-forwarded-port`` says for a request over TLS
    legacy_permissions: bool = False
    identities: Callable[[str], Identity | None] = find_identity
    _decisions: dict[tuple[str, str], bool] = field(default_factory=dict, repr=False)

    async def handle(self, request: HttpRequest) -> HttpResponse:
        request_id = str(uuid.uuid4())
        trace = request.header("x-amzn-trace-id") or new_trace_id()
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
            if parsed and deleted_alias_url(parsed[0]):
                return json_error(403, FORBIDDEN_POLICY, "AccessDeniedException")
            return json_error(403, UNKNOWN_URL, "AccessDeniedException")
        if target.cors and request.method == "OPTIONS":
            return cors_rules.preflight_response(target.cors, request)
        authorized = self._authorize(request, target)
        if isinstance(authorized, HttpResponse):
            return authorized
        event = build_url_event(
            request,
            UrlEventContext(
                url_id=target.url_id,
                region=target.region,
                request_id=request_id,
                forwarded_port=self.tls_port if request.tls is not None and self.tls_port else self.port,
                trace=trace,
                account_id=authorized.account_id,
                authorizer=authorized.authorizer,
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
        except FunctionPending as exc:
            return json_error(409, json.dumps({"Message": exc.message}).encode(), "ResourceConflictException")
        if outcome.stream:
            response = await self._map_stream(outcome, target.invoke_mode)
        elif target.invoke_mode == "RESPONSE_STREAM" and not outcome.is_error:
            response = _unmapped(outcome)
        else:
            response = self._map(outcome)
        refused = unsendable_answer(response.headers)
        if refused is not None:
            log.info("response of %s refused: %s", request_id, refused.body.decode())
            _drain(response)
            response = refused
        if target.cors:
            cors_rules.add_cors_headers(target.cors, request, response)
        return response

    def _authorize(self, request: HttpRequest, target: UrlTarget) -> Authorized | HttpResponse:
        if target.auth_type != "AWS_IAM":
            return Authorized() if self._allowed(target) else json_error(403, FORBIDDEN_POLICY, "AccessDeniedException")
        try:
            identity = signed_by(request, service="lambda", region=target.region, identities=self.identities)
        except SignatureError as error:
            return signature_error_response(error)
        if not iam_url_allows(identity, target, legacy=self.legacy_permissions):
            return json_error(403, FORBIDDEN_POLICY, "AccessDeniedException")
        return Authorized(identity.account_id, authorizer_block(identity))

    def _allowed(self, target: UrlTarget) -> bool:
        """``public_url_allows``, remembered per policy revision (a policy change gets a new one)."""
        revision = target.function.policy_revision
        if not revision:
            return public_url_allows(target, legacy=self.legacy_permissions)
        key = (target.function_arn, revision)
        decision = self._decisions.get(key)
        if decision is None:
            if len(self._decisions) > 4096:
                self._decisions.clear()
            decision = self._decisions[key] = public_url_allows(target, legacy=self.legacy_permissions)
        return decision

    async def _map_stream(self, outcome: InvocationOutcome, invoke_mode: str) -> HttpResponse:
        """A streamed response: sent on as it arrives (RESPONSE_STREAM) or whole at the end (BUFFERED)."""
        assert outcome.stream is not None
        content_type = (outcome.content_type or "").split(";")[0].strip().lower()
        try:
            if content_type == HTTP_INTEGRATION:
                status, headers, body = await split_prelude(outcome.stream)
            else:
                status, body = 200, outcome.stream
                headers = [("content-type", outcome.content_type or "application/octet-stream")]
        except (InvalidPrelude, StreamError) as exc:
            log.info("streamed response of %s is unusable: %s", outcome.request_id, exc)
            return self._map(replace(outcome, status="error", stream=None))
        if invoke_mode == "RESPONSE_STREAM":
            return HttpResponse(status, headers, stream=body)
        whole = await buffered(replace(outcome, stream=body))
        if whole.is_error:
            return self._map(whole)
        return HttpResponse(status, headers, whole.payload)

    @staticmethod
    def _map(outcome: InvocationOutcome) -> HttpResponse:
        if not outcome.is_error:
            try:
                return map_function_result(outcome.payload)
            except InvalidFunctionResponse as exc:
                log.info("function result of %s cannot be mapped: %s", outcome.request_id, exc)
        return HttpResponse(502, [("Content-Type", "text/plain; charset=utf-8")], b"Internal Server Error")


_draining: set[asyncio.Task[None]] = set()


def _drain(response: HttpResponse) -> None:
    """Read a refused streamed body to its end in the background, so the function runs on to its end."""
    if response.stream is None:
        return
    stream = response.stream

    async def drain() -> None:
        try:
            async for _ in stream:
                pass
        except Exception as exc:  # the function failed later: nobody is listening any more
            log.info("refused stream ended with %s", exc)

    task = asyncio.get_running_loop().create_task(drain())
    _draining.add(task)
    task.add_done_callback(_draining.discard)
