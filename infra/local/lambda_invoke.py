"""Lambda's ``Invoke`` API, served by the local cloud so the real handler runs (moto would need Docker).

Emulates (API_Invoke.html; LocalStack snapshots recorded on AWS):
- ``RequestResponse``: 200 with the function's result; on a function error ``X-Amz-Function-Error:
  Unhandled`` and the ``errorMessage``/``errorType``/``stackTrace`` payload; ``X-Amz-Executed-Version``;
  ``LogType=Tail`` adds ``X-Amz-Log-Result``, the base64 of the last 4 KB of the invocation's log;
- ``Event``: 202 at once, the function runs in the background; ``DryRun``: 204 after the checks;
- errors: unknown function/qualifier 404 ``ResourceNotFoundException`` (moto's message), a payload that
  is not JSON 400 ``InvalidRequestContentException``, over 6 MB (256 KB... 1 MB for ``Event``) 413
  ``RequestEntityTooLargeException``, throttling 429 ``TooManyRequestsException`` with its ``Reason``.

Not emulated: retries and destinations of asynchronous invocations, ``ClientContext`` size limits,
caller authorization (any credentials may invoke, as with moto's other APIs).
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qs, unquote

from moto.core.exceptions import JsonRESTError

from .execution_environment import log_tail
from .function_spec import MAX_SYNC_PAYLOAD
from .http_types import HttpRequest, HttpResponse, json_error
from .invocation import InvocationOutcome, Throttled
from .lambda_service import buffered
from .moto_lambda import ResolvedFunction

log = logging.getLogger(__name__)

#: Asynchronous (Event) payloads: 1 MB since 2025 (Lambda quotas page; historically 256 KB).
MAX_ASYNC_PAYLOAD = 1_048_576

Resolve = Callable[[str, str, str, str | None], ResolvedFunction]  # account, region, name, qualifier
Invoke = Callable[[ResolvedFunction, bytes, str, str | None], Awaitable[InvocationOutcome]]


def _error(status: int, error_type: str, message: str, **extra: str) -> HttpResponse:
    body = json.dumps({"Type": "User", "message": message, **extra}).encode()
    return json_error(status, body, error_type)


class LambdaInvokeApi:
    def __init__(self, resolve: Resolve, invoke: Invoke) -> None:
        self._resolve = resolve
        self._invoke = invoke
        self._background: set[asyncio.Task[None]] = set()

    async def handle(self, request: HttpRequest, function_name: str, *, account_id: str, region: str) -> HttpResponse:
        query = parse_qs(request.query)
        qualifier = query.get("Qualifier", [None])[0]
        invocation_type = request.header("X-Amz-Invocation-Type") or "RequestResponse"
        tail = (request.header("X-Amz-Log-Type") or "None") == "Tail"
        client_context = request.header("X-Amz-Client-Context")
        try:
            function = self._resolve(account_id, region, unquote(function_name), qualifier)
        except JsonRESTError as exc:
            return HttpResponse(exc.code, list(exc.get_headers()), exc.get_body().encode())
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
        request_id = str(uuid.uuid4())
        if invocation_type == "DryRun":
            return HttpResponse(204, [("x-amzn-RequestId", request_id)])
        if invocation_type == "Event":
            task = asyncio.create_task(self._run_async(function, payload, request_id, client_context))
            self._background.add(task)
            task.add_done_callback(self._background.discard)
            return HttpResponse(202, [("x-amzn-RequestId", request_id)])
        if invocation_type != "RequestResponse":
            return _error(400, "InvalidParameterValueException", f"Unsupported invocation type {invocation_type}")
        try:
            outcome = await buffered(await self._invoke(function, payload, request_id, client_context))
        except Throttled as exc:
            return _error(429, "TooManyRequestsException", exc.message, Reason=exc.reason)
        headers = [
            ("Content-Type", "application/json"),
            ("x-amzn-RequestId", outcome.request_id),
            ("X-Amz-Executed-Version", outcome.executed_version),
        ]
        if outcome.is_error:
            headers.append(("X-Amz-Function-Error", "Unhandled"))
        if tail:
            headers.append(("X-Amz-Log-Result", base64.b64encode(log_tail(outcome.log_text).encode()).decode()))
        return HttpResponse(200, headers, outcome.payload)

    async def _run_async(
        self, function: ResolvedFunction, payload: bytes, request_id: str, client_context: str | None
    ) -> None:
        try:
            await self._invoke(function, payload, request_id, client_context)
        except Throttled:
            log.info("asynchronous invocation %s throttled and dropped (retries are not emulated)", request_id)
        except Exception:
            log.exception("asynchronous invocation %s failed", request_id)
