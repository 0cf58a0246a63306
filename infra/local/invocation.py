"""One invocation's journey through an execution environment, and how it ended."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field


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
    """What the runtime posted back: a response, or an error with its type."""

    payload: bytes
    error_type: str | None = None  # None: success


@dataclass(frozen=True)
class InvocationOutcome:
    """How an invocation ended, as Invoke and Function URLs need to know it.

    ``status`` is ``success``, ``error`` (the function or its runtime reported an error), ``timeout``,
    ``crash`` (the runtime process exited) or ``init_error``.
    """

    status: str
    request_id: str
    payload: bytes
    executed_version: str
    error_type: str | None = None
    log_text: str = ""
    duration_ms: float = 0.0
    init_duration_ms: float | None = None

    @property
    def is_error(self) -> bool:
        return self.status != "success"

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
