"""The Lambda Runtime API one execution environment's runtime talks to (core: request -> response).

Emulates (docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html):
``GET /2018-06-01/runtime/invocation/next`` (long poll, with the ``Lambda-Runtime-Aws-Request-Id``,
``-Deadline-Ms``, ``-Invoked-Function-Arn``, ``-Trace-Id`` and, when set, ``-Client-Context`` headers),
``POST .../invocation/{id}/response`` (202; over 6 MiB + 100 bytes it answers 413
``RequestEntityTooLarge`` and the invocation fails with ``Function.ResponseSizeTooLarge``),
``POST .../invocation/{id}/error`` (the ``Lambda-Runtime-Function-Error-Type`` header and a JSON body) and
``POST /2018-06-01/runtime/init/error``. A request for an unknown or finished invocation gets 400
``InvalidRequestID``; an unknown path 404.

Not emulated: response streaming (``Lambda-Runtime-Function-Response-Mode: streaming``), the
Extensions and Telemetry APIs, SnapStart's ``/restore`` endpoints.
"""

from __future__ import annotations

import json
import re
from typing import Protocol

from .function_spec import MAX_RESPONSE_PAYLOAD
from .http_types import HttpRequest, HttpResponse
from .invocation import PendingInvocation, RuntimeResult

PREFIX = "/2018-06-01/runtime"
_INVOCATION_PATH = re.compile(rf"{PREFIX}/invocation/([^/]+)/(response|error)")
_ACCEPTED = HttpResponse(202, [("Content-Type", "application/json")], b'{"status":"OK"}')


class RuntimeChannel(Protocol):
    """What the Runtime API needs from its environment."""

    async def next_invocation(self) -> PendingInvocation: ...

    def current(self, request_id: str) -> PendingInvocation | None: ...

    def init_failed(self, error_type: str, payload: bytes) -> None: ...


def _error(status: int, error_type: str, message: str) -> HttpResponse:
    body = json.dumps({"errorMessage": message, "errorType": error_type}).encode()
    return HttpResponse(status, [("Content-Type", "application/json")], body)


def next_response(invocation: PendingInvocation) -> HttpResponse:
    """The response to ``/next`` that hands ``invocation`` to the runtime."""
    headers = [
        ("Content-Type", "application/json"),
        ("Lambda-Runtime-Aws-Request-Id", invocation.request_id),
        ("Lambda-Runtime-Deadline-Ms", str(invocation.deadline_ms)),
        ("Lambda-Runtime-Invoked-Function-Arn", invocation.invoked_function_arn),
        ("Lambda-Runtime-Trace-Id", invocation.trace_id),
    ]
    if invocation.client_context:
        headers.append(("Lambda-Runtime-Client-Context", invocation.client_context))
    return HttpResponse(200, headers, invocation.payload)


async def handle_runtime_request(request: HttpRequest, channel: RuntimeChannel) -> HttpResponse:
    """Serve one Runtime API request for the environment behind ``channel``."""
    path = request.path
    if request.method == "GET" and path == f"{PREFIX}/invocation/next":
        return next_response(await channel.next_invocation())
    if request.method == "POST" and path == f"{PREFIX}/init/error":
        error_type = request.header("Lambda-Runtime-Function-Error-Type") or "Runtime.Unknown"
        channel.init_failed(error_type, request.body)
        return _ACCEPTED
    match = _INVOCATION_PATH.fullmatch(path)
    if request.method != "POST" or not match:
        return _error(404, "NotFound", f"no Runtime API route for {request.method} {path}")
    invocation = channel.current(match.group(1))
    if invocation is None or invocation.result.done():
        return _error(400, "InvalidRequestID", "Invalid request ID")
    if match.group(2) == "response":
        if len(request.body) > MAX_RESPONSE_PAYLOAD:
            message = f"Response payload size exceeded maximum allowed payload size ({MAX_RESPONSE_PAYLOAD} bytes)."
            invocation.result.set_result(
                RuntimeResult(
                    json.dumps({"errorMessage": message, "errorType": "Function.ResponseSizeTooLarge"}).encode(),
                    "Function.ResponseSizeTooLarge",
                )
            )
            return _error(
                413, "RequestEntityTooLarge", f"Exceeded maximum allowed payload size ({MAX_RESPONSE_PAYLOAD} bytes)."
            )
        invocation.result.set_result(RuntimeResult(request.body))
        return _ACCEPTED
    error_type = request.header("Lambda-Runtime-Function-Error-Type") or "Unhandled"
    invocation.result.set_result(RuntimeResult(request.body or b"{}", error_type))
    return _ACCEPTED
