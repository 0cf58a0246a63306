"""Lambda's ``Invoke`` API, served by the local cloud so the real handler runs (moto would need Docker).

Emulates (API_Invoke.html; LocalStack snapshots recorded on AWS):
- ``RequestResponse``: 200 with the function's result; on a function error ``X-Amz-Function-Error:
  Unhandled`` and the ``errorMessage``/``errorType``/``stackTrace`` payload; ``X-Amz-Executed-Version``;
  ``LogType=Tail`` adds ``X-Amz-Log-Result``, the base64 of the last 4 KB of the invocation's log;
- ``Event``: 202 at once, the function runs in the background; ``DryRun``: 204 after the checks;
- errors: a name or qualifier Lambda refuses before any look-up (another region's ARN, a malformed name, a
  qualifier that contradicts the name's) as ``function_ref.py`` says and cites;
  unknown function/qualifier 404 ``ResourceNotFoundException`` (moto's message); a function still being created
  (``Pending``, functions-states.html: "Lambda does not invoke a function during pending state") 409
  ``ResourceConflictException`` "The operation cannot be performed at this time. The function is currently in the
  following state: Pending" (observed from AWS, remotion-dev/remotion#1186; LocalStack's AWS-validated test of an
  Invoke right after CreateFunction expects this text and 409), for every invocation type; a payload that
  is not JSON 400 ``InvalidRequestContentException``, over 6 MB (256 KB... 1 MB for ``Event``) 413
  ``RequestEntityTooLargeException``, throttling 429 ``TooManyRequestsException`` with its ``Reason``.

Choice (no recording shows the body): the ``Pending`` 409's body has ``"Type": "User"`` like the kit's other
Lambda errors.
Not emulated: retries and destinations of asynchronous invocations, ``ClientContext`` size limits,
caller authorization (any credentials may invoke, as with moto's other APIs).
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote

from moto.core.exceptions import JsonRESTError

from ..http.types import HttpRequest, HttpResponse, json_error
from .eventstream import encode_event
from .execution_environment import log_tail
from .function_ref import FunctionRefError, lambda_error, parse_function_ref
from .function_spec import MAX_SYNC_PAYLOAD
from .invocation import FunctionPending, InvocationOutcome, StreamError, Throttled
from .moto_lambda import ResolvedFunction
from .service import buffered

log = logging.getLogger(__name__)

#: Asynchronous (Event) payloads: 1 MB since 2025 (Lambda quotas page; historically 256 KB).
MAX_ASYNC_PAYLOAD = 1_048_576

Resolve = Callable[[str, str, str, str | None], ResolvedFunction]  # account, region, name, qualifier
Invoke = Callable[[ResolvedFunction, bytes, str, str | None], Awaitable[InvocationOutcome]]


@dataclass(frozen=True)
class _Call:
    """One Invoke request, checked and ready to run."""

    function: ResolvedFunction
    payload: bytes
    invocation_type: str
    tail: bool
    client_context: str | None
    request_id: str


def _unsupported(invocation_type: str) -> HttpResponse:
    return _error(400, "InvalidParameterValueException", f"Unsupported invocation type {invocation_type}")


def _result_headers(outcome: InvocationOutcome, content_type: str) -> list[tuple[str, str]]:
    return [
        ("Content-Type", content_type),
        ("x-amzn-RequestId", outcome.request_id),
        ("X-Amz-Executed-Version", outcome.executed_version),
    ]


def _error(status: int, error_type: str, message: str, **extra: str) -> HttpResponse:
    body = json.dumps({"Type": "User", "message": message, **extra}).encode()
    return json_error(status, body, error_type)


class LambdaInvokeApi:
    def __init__(self, resolve: Resolve, invoke: Invoke) -> None:
        self._resolve = resolve
        self._invoke = invoke
        self._background: set[asyncio.Task[None]] = set()

    def _prepare(self, request: HttpRequest, function_name: str, account_id: str, region: str) -> _Call | HttpResponse:
        """Read the headers, resolve the function and check the payload, as both Invoke operations do."""
        invocation_type = request.header("X-Amz-Invocation-Type") or "RequestResponse"
        qualifier = parse_qs(request.query).get("Qualifier", [None])[0]
        try:
            ref = parse_function_ref(unquote(function_name), qualifier, account_id=account_id, region=region)
            function = self._resolve(account_id, region, ref.name, ref.qualifier)
        except FunctionRefError as exc:
            return exc.response()
        except JsonRESTError as exc:
            return HttpResponse(exc.code, list(exc.get_headers()), exc.get_body().encode())
        if function.pending:
            return lambda_error(409, "ResourceConflictException", FunctionPending.MESSAGE)
        limit = MAX_ASYNC_PAYLOAD if invocation_type == "Event" else MAX_SYNC_PAYLOAD
        if len(request.body) > limit:
            return _error(
                413,
                "RequestEntityTooLargeException",
                f"Request must be smaller than {limit} bytes for the InvokeFunction operation",
            )
        payload = request.body or b"{}"
        try:
            json.loads(payload)
        except ValueError as exc:
            return _error(
                400,
                "InvalidRequestContentException",
                f"Could not parse request body into json: Could not parse payload into json: {exc}",
            )
        return _Call(
            function=function,
            payload=payload,
            invocation_type=invocation_type,
            tail=(request.header("X-Amz-Log-Type") or "None") == "Tail",
            client_context=request.header("X-Amz-Client-Context"),
            request_id=str(uuid.uuid4()),
        )

    async def handle(self, request: HttpRequest, function_name: str, *, account_id: str, region: str) -> HttpResponse:
        call = self._prepare(request, function_name, account_id, region)
        if isinstance(call, HttpResponse):
            return call
        if call.invocation_type == "DryRun":
            return HttpResponse(204, [("x-amzn-RequestId", call.request_id)])
        if call.invocation_type == "Event":
            task = asyncio.create_task(
                self._run_async(call.function, call.payload, call.request_id, call.client_context)
            )
            self._background.add(task)
            task.add_done_callback(self._background.discard)
            return HttpResponse(202, [("x-amzn-RequestId", call.request_id)])
        if call.invocation_type != "RequestResponse":
            return _unsupported(call.invocation_type)
        try:
            outcome = await buffered(
                await self._invoke(call.function, call.payload, call.request_id, call.client_context)
            )
        except Throttled as exc:
            return _error(429, "TooManyRequestsException", exc.message, Reason=exc.reason)
        headers = _result_headers(outcome, "application/json")
        if outcome.is_error:
            headers.append(("X-Amz-Function-Error", "Unhandled"))
        if call.tail:
            headers.append(("X-Amz-Log-Result", base64.b64encode(log_tail(outcome.log_text).encode()).decode()))
        return HttpResponse(200, headers, outcome.payload)

    async def handle_stream(
        self, request: HttpRequest, function_name: str, *, account_id: str, region: str
    ) -> HttpResponse:
        """``InvokeWithResponseStream``: an event stream of ``PayloadChunk`` events, then ``InvokeComplete``.

        Emulates (API_InvokeWithResponseStream.html): ``RequestResponse`` and ``DryRun`` (204); the function's
        response arrives chunk by chunk as it streams (one chunk for a function that does not stream);
        ``InvokeComplete`` carries ``ErrorCode``/``ErrorDetails`` when the invocation failed and ``LogResult``
        with ``LogType=Tail``. Choice (no source states it): a failed buffered function's error document is
        also sent as a ``PayloadChunk``.
        """
        call = self._prepare(request, function_name, account_id, region)
        if isinstance(call, HttpResponse):
            return call
        if call.invocation_type == "DryRun":
            return HttpResponse(204, [("x-amzn-RequestId", call.request_id)])
        if call.invocation_type != "RequestResponse":
            return _unsupported(call.invocation_type)
        try:
            outcome = await self._invoke(call.function, call.payload, call.request_id, call.client_context)
        except Throttled as exc:
            return _error(429, "TooManyRequestsException", exc.message, Reason=exc.reason)
        headers = _result_headers(outcome, "application/vnd.amazon.eventstream")
        return HttpResponse(200, headers, stream=_events(outcome, call.tail))

    async def _run_async(
        self, function: ResolvedFunction, payload: bytes, request_id: str, client_context: str | None
    ) -> None:
        try:
            await self._invoke(function, payload, request_id, client_context)
        except Throttled:
            log.info("asynchronous invocation %s throttled and dropped (retries are not emulated)", request_id)
        except Exception:
            log.exception("asynchronous invocation %s failed", request_id)


async def _events(outcome: InvocationOutcome, tail: bool) -> AsyncIterator[bytes]:
    complete: dict[str, str] = {}
    if outcome.stream is not None:
        try:
            async for chunk in outcome.stream:
                yield encode_event("PayloadChunk", chunk)
        except StreamError as exc:
            complete = {"ErrorCode": exc.error_type, "ErrorDetails": str(exc)}
        log_text = await outcome.log_later if (tail and outcome.log_later is not None) else ""
    else:
        if outcome.payload:
            yield encode_event("PayloadChunk", outcome.payload)
        if outcome.is_error:
            try:
                details = str(json.loads(outcome.payload).get("errorMessage", ""))
            except (ValueError, AttributeError):
                details = ""
            complete = {"ErrorCode": outcome.error_type or "Unhandled", "ErrorDetails": details}
        log_text = outcome.log_text
    if tail:
        complete["LogResult"] = base64.b64encode(log_tail(log_text).encode()).decode()
    yield encode_event("InvokeComplete", json.dumps(complete).encode(), "application/json")
