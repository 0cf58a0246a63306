"""Run one invocation of a resolved function in the environment pool (shared by Invoke and URLs)."""

from __future__ import annotations

import uuid

from .environment_pool import EnvironmentPool
from .invocation import InvocationOutcome, PendingInvocation
from .moto_lambda import ResolvedFunction
from .url_event import trace_id


class LambdaService:
    def __init__(self, pool: EnvironmentPool) -> None:
        self.pool = pool

    async def invoke(
        self,
        function: ResolvedFunction,
        payload: bytes,
        *,
        request_id: str | None = None,
        client_context: str | None = None,
        trace: str | None = None,
    ) -> InvocationOutcome:
        """Invoke synchronously; raises ``Throttled`` when no environment may run it."""
        invocation = PendingInvocation(
            request_id=request_id or str(uuid.uuid4()),
            payload=payload,
            invoked_function_arn=function.invoked_arn,
            trace_id=trace or trace_id(),
            client_context=client_context,
        )
        return await self.pool.invoke(function.spec, invocation)
