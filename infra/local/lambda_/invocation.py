"""One invocation's journey through an execution environment, and how it ended."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any


@dataclass
class PendingInvocation:
    """An invocation handed to an environment: what the Runtime API serves on ``/next``."""

    request_id: str
    payload: bytes
    invoked_function_arn: str
    trace_id: str
    client_context: str | None = None
    deadline_ms: int = 0
    result: asyncio.Future[RuntimeResult] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


@dataclass(frozen=True)
class RuntimeResult:
    """What the runtime posted back: a response, or an error with its type.

    A streamed response (``Lambda-Runtime-Function-Response-Mode: streaming``) has no payload yet: ``stream``
    is its body as it arrives (an ``http_server.BodyStream``), ``content_type`` what the runtime declared.
    """

    payload: bytes
    error_type: str | None = None  # None: success
    stream: Any = None
    content_type: str | None = None


@dataclass(frozen=True)
class InvocationOutcome:
    """How an invocation ended, as Invoke and Function URLs need to know it.

    ``status`` is ``success``, ``streaming`` (the body is still arriving in ``stream``), ``error`` (the
    function or its runtime reported an error), ``timeout``, ``crash`` (the runtime process exited) or
    ``init_error``.
    """

    status: str
    request_id: str
    payload: bytes
    executed_version: str
    error_type: str | None = None
    log_text: str = ""
    duration_ms: float = 0.0
    init_duration_ms: float | None = None
    #: A streamed response: its body as it arrives; an error after the first byte is raised from it.
    stream: AsyncIterator[bytes] | None = None
    content_type: str | None = None
    #: For a streamed response: the invocation's log (START .. REPORT), once the stream has ended.
    log_later: asyncio.Future[str] | None = field(default=None, repr=False, compare=False)

    @property
    def is_error(self) -> bool:
        return self.status not in ("success", "streaming")

    @property
    def cold(self) -> bool:
        return self.init_duration_ms is not None


def error_payload(error_type: str, message: str) -> bytes:
    """An error payload as Lambda's platform writes it: ``{"errorMessage": ..., "errorType": ...}``."""
    return json.dumps({"errorMessage": message, "errorType": error_type}).encode()


class Throttled(Exception):
    """No execution environment may be created: the concurrency limit is reached.

    ``reason`` is AWS's ``Reason`` field (aws-behaviour research: LocalStack snapshot test_reserved_concurrency).
    """

    def __init__(self, reason: str, message: str = "Rate Exceeded."):
        super().__init__(message)
        self.reason = reason
        self.message = message


class FunctionPending(Exception):
    """The function is still being created (``Pending``): Lambda does not invoke it (functions-states.html)."""

    #: Observed from AWS (remotion-dev/remotion#1186); LocalStack's AWS-validated test of an Invoke right after
    #: CreateFunction expects it with status 409.
    MESSAGE = (
        "The operation cannot be performed at this time. The function is currently in the following state: Pending"
    )

    def __init__(self) -> None:
        super().__init__(self.MESSAGE)
        self.message = self.MESSAGE


class EnvironmentGone(Exception):
    """The runtime exited between invocations, before it took this one: run it in a new environment.

    Lambda replaces an environment whose runtime has exited; the next invocation never meets that exit
    (recorded on AWS, issue 12: after a ``Function.ResponseSizeTooLarge`` the function keeps working, while
    awslambdaric exits once the Runtime API has answered its oversized result with 413).
    """


class StreamError(Exception):
    """A streamed response that failed after its first byte (error trailers, a timeout, a crash)."""

    def __init__(self, error_type: str, message: str = "") -> None:
        super().__init__(f"{error_type}: {message}" if message else error_type)
        self.error_type = error_type


def new_trace_id(now: float | None = None) -> str:
    """An X-Ray trace header value: ``Root=1-<8 hex seconds>-<24 hex random>``."""
    seconds = int(now if now is not None else time.time())
    return f"Root=1-{seconds:08x}-{secrets.token_hex(12)}"
