"""Run one invocation of a resolved function in the environment pool (shared by Invoke and URLs)."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import replace

from .aliases import choose
from .environment_pool import EnvironmentPool
from .function_spec import MAX_RESPONSE_PAYLOAD
from .invocation import (
    FunctionPending,
    InvocationOutcome,
    PendingInvocation,
    StreamError,
    error_payload,
    new_trace_id,
)
from .moto_lambda import ResolvedFunction


class LambdaService:
    """Runs invocations in the pool; a weighted alias's version is drawn here, once per invocation.

    ``draw`` gives numbers in [0, 1) (``random.random`` by default; tests pass a seeded ``random.Random().random``).
    """

    def __init__(self, pool: EnvironmentPool, *, draw: Callable[[], float] = random.random) -> None:
        self.pool = pool
        self._draw = draw

    async def invoke(
        self,
        function: ResolvedFunction,
        payload: bytes,
        *,
        request_id: str | None = None,
        client_context: str | None = None,
        trace: str | None = None,
    ) -> InvocationOutcome:
        """Invoke synchronously; raises ``Throttled`` when no environment may run it, ``FunctionPending`` while the
        function is being created."""
        if function.pending:
            raise FunctionPending()
        invocation = PendingInvocation(
            request_id=request_id or str(uuid.uuid4()),
            payload=payload,
            invoked_function_arn=function.invoked_arn,
            trace_id=trace or new_trace_id(),
            client_context=client_context,
        )
        return await self.pool.invoke(choose(function.spec, function.routing, self._draw), invocation)


async def buffered(outcome: InvocationOutcome, limit: int = MAX_RESPONSE_PAYLOAD) -> InvocationOutcome:
    """A streamed outcome collected whole, as a buffered caller (Invoke, a BUFFERED URL) receives it.

    Over ``limit`` bytes it is ``Function.ResponseSizeTooLarge``; a stream that failed after its first
    byte is an error of the type its trailers (or the platform) gave.
    """
    if outcome.stream is None:
        return outcome
    parts: list[bytes] = []
    size = 0
    error: tuple[str, str] | None = None
    try:
        async for chunk in outcome.stream:
            size += len(chunk)
            if size > limit:
                message = f"Response payload size exceeded maximum allowed payload size ({limit} bytes)."
                error = ("Function.ResponseSizeTooLarge", message)
                break
            parts.append(chunk)
    except StreamError as exc:
        error = (exc.error_type, str(exc))
    if error is not None:
        return replace(outcome, status="error", error_type=error[0], payload=error_payload(*error), stream=None)
    return replace(outcome, status="success", payload=b"".join(parts), stream=None)
