"""The Lambda Runtime API one execution environment's runtime talks to (core: request -> response).

Emulates (docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html):
``GET /2018-06-01/runtime/invocation/next`` (long poll, with the ``Lambda-Runtime-Aws-Request-Id``,
``-Deadline-Ms``, ``-Invoked-Function-Arn``, ``-Trace-Id`` and, when set, ``-Client-Context`` headers),
``POST .../invocation/{id}/response`` (202; over 6 MiB + 100 bytes it answers 413
``RequestEntityTooLarge`` and the invocation fails with ``Function.ResponseSizeTooLarge``),
``POST .../invocation/{id}/error`` (the ``Lambda-Runtime-Function-Error-Type`` header and a JSON body) and
``POST /2018-06-01/runtime/init/error``. A request for an unknown or finished invocation gets 400
``InvalidRequestID``; an unknown path 404.

Response streaming (runtimes-custom.html, "response streaming"): ``POST .../response`` with
``Lambda-Runtime-Function-Response-Mode: streaming`` and a chunked body reaches the invocation as it
arrives; an error after the first byte comes in the declared trailers ``Lambda-Runtime-Function-Error-Type``
and ``-Body``; another mode, an unchunked body or an undeclared trailer is a 400 the runtime can see.

Not emulated: the Extensions and Telemetry APIs, SnapStart's ``/restore`` endpoints.
"""

from __future__ import annotations

import json
import re
from typing import Protocol

from ..http.types import HttpRequest, HttpResponse
from .function_spec import MAX_RESPONSE_PAYLOAD
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


STREAM_ERROR_TRAILERS = ("lambda-runtime-function-error-type", "lambda-runtime-function-error-body")


def is_streamed_response(headers: list[tuple[str, str]]) -> bool:
    """Should this request's body reach the Runtime API as it arrives? (A streamed function response.)"""
    return any(name.lower() == "lambda-runtime-function-response-mode" for name, _ in headers)


async def _streamed_response(request: HttpRequest, invocation: PendingInvocation) -> HttpResponse:
    """A response posted in streaming mode: hand its body to the invocation as it arrives, then check it.

    The protocol is enforced: the mode must be ``streaming``, the body chunked, and any trailer must be one
    of the two error trailers and declared in the ``Trailer`` header up front.
    """
    mode = request.header("Lambda-Runtime-Function-Response-Mode") or ""
    if mode.lower() != "streaming":
        invocation.result.set_result(RuntimeResult(b"", "Runtime.InvalidResponseModeHeader"))
        return _error(400, "InvalidResponseModeHeader", f"unknown response mode {mode!r}: use 'streaming'")
    if request.stream is None:
        invocation.result.set_result(RuntimeResult(b"", "Runtime.InvalidStreamingOperation"))
        return _error(400, "InvalidStreamingOperation", "a streamed response must use Transfer-Encoding: chunked")
    invocation.result.set_result(RuntimeResult(b"", stream=request.stream, content_type=request.header("content-type")))
    await request.stream.finished()
    declared = {n.strip().lower() for n in (request.header("Trailer") or "").split(",") if n.strip()}
    for name, _ in request.stream.trailers:
        if name.lower() not in STREAM_ERROR_TRAILERS or name.lower() not in declared:
            return _error(
                400, "InvalidTrailer", f"trailer {name} is not a declared Lambda-Runtime-Function-Error-* trailer"
            )
    return _ACCEPTED


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
    if match.group(2) == "response" and request.header("Lambda-Runtime-Function-Response-Mode") is not None:
        return await _streamed_response(request, invocation)
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
