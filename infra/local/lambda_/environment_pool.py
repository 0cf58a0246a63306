"""Lambda's execution-environment scaling for every function the local cloud runs.

Emulates (docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html): an invocation reuses an idle
environment of the same function version and revision (warm start) or creates one (cold start); one
invocation per environment at a time; environments of an older revision are retired after an update;
reserved concurrency caps how many environments of a function are busy at once and, when reached,
the invocation is throttled (``ReservedFunctionConcurrentInvocationLimitExceeded``); reserved
concurrency 0 throttles every invocation.

Choices (a laptop is not a region): at most ``max_environments`` environments exist at once across all
functions (default 64, ``KIT_MAX_ENVIRONMENTS`` changes it; ``ConcurrentInvocationLimitExceeded`` beyond it,
where AWS's account default is 1,000); an environment idle for ``idle_seconds`` (default 600) is shut down,
where AWS keeps idle environments for an unpublished while.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

from .execution_environment import ExecutionEnvironment, WrapperError, extract_package
from .function_spec import FunctionSpec
from .invocation import InvocationOutcome, PendingInvocation, Throttled, error_payload

EnvironmentFactory = Callable[[FunctionSpec, Path], ExecutionEnvironment]


class EnvironmentPool:
    def __init__(
        self,
        factory: EnvironmentFactory,
        *,
        code_root: Path,
        max_environments: int = 64,
        idle_seconds: float = 600.0,
    ) -> None:
        self._factory = factory
        self._code_root = code_root
        self.max_environments = max_environments
        self.idle_seconds = idle_seconds
        self._envs: list[ExecutionEnvironment] = []
        self._lock = asyncio.Lock()

    @property
    def environments(self) -> list[ExecutionEnvironment]:
        return list(self._envs)

    def _busy_for(self, function_arn: str) -> int:
        return sum(1 for env in self._envs if env.busy and env.spec.function_arn == function_arn)

    def _retire(self, envs: list[ExecutionEnvironment]) -> None:
        for env in envs:
            env.kill()
            self._envs.remove(env)
            asyncio.get_running_loop().create_task(env.close())

    async def _acquire(self, spec: FunctionSpec) -> ExecutionEnvironment:
        async with self._lock:
            self._retire([env for env in self._envs if not env.alive and not env.busy])
            # An older revision of this version: Lambda retires it after an update.
            self._retire(
                [
                    env
                    for env in self._envs
                    if not env.busy
                    and env.spec.function_arn == spec.function_arn
                    and env.spec.version == spec.version
                    and env.spec.pool_key != spec.pool_key
                ]
            )
            if spec.reserved_concurrency is not None and self._busy_for(spec.function_arn) >= spec.reserved_concurrency:
                raise Throttled("ReservedFunctionConcurrentInvocationLimitExceeded")
            for env in self._envs:
                if not env.busy and env.spec.pool_key == spec.pool_key:
                    env.busy = True
                    return env
            if len(self._envs) >= self.max_environments:
                idle = [env for env in self._envs if not env.busy]
                if not idle:
                    raise Throttled("ConcurrentInvocationLimitExceeded")
                self._retire([min(idle, key=lambda env: env.last_used)])
            task_root = await asyncio.to_thread(extract_package, spec.code, spec.code_sha256, self._code_root)
            env = self._factory(spec, task_root)
            env.busy = True
            self._envs.append(env)
        try:
            await env.start()
        except BaseException:  # it never ran: give its slot back (start() gave back its port)
            env.alive = False
            async with self._lock:
                if env in self._envs:
                    self._envs.remove(env)
            raise
        return env

    async def invoke(self, spec: FunctionSpec, invocation: PendingInvocation) -> InvocationOutcome:
        """Run ``invocation`` in a warm environment if one is idle, else in a new one."""
        try:
            env = await self._acquire(spec)
        except WrapperError as exc:
            return InvocationOutcome(
                status="init_error",
                request_id=invocation.request_id,
                payload=error_payload("Runtime.InvalidEntrypoint", str(exc)),
                executed_version=spec.version,
                error_type="Runtime.InvalidEntrypoint",
            )
        try:
            return await env.invoke(invocation)
        finally:
            if not env.alive:
                async with self._lock:
                    if env in self._envs:
                        self._envs.remove(env)
                await env.close()

    async def reap_idle(self, now: float | None = None) -> int:
        """Shut down environments idle for longer than ``idle_seconds``; return how many."""
        now = now if now is not None else time.monotonic()
        async with self._lock:
            stale = [env for env in self._envs if not env.busy and now - env.last_used > self.idle_seconds]
            self._envs = [env for env in self._envs if env not in stale]
        for env in stale:
            await env.close()
        return len(stale)

    async def close(self) -> None:
        async with self._lock:
            envs, self._envs = self._envs, []
        await asyncio.gather(*(env.close() for env in envs), return_exceptions=True)
