"""Lambda's execution-environment scaling for every function the local cloud runs.

Emulates (docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html): an invocation reuses an idle
environment of the same function version and revision (warm start) or creates one (cold start); one
invocation per environment at a time; environments of an older revision are retired after an update;
reserved concurrency caps how many environments of a function are busy at once and, when reached,
the invocation is throttled (``ReservedFunctionConcurrentInvocationLimitExceeded``); reserved
concurrency 0 throttles every invocation.

Emulates too: the account's concurrency (``capacity.ACCOUNT_CONCURRENCY``, 1,000 by default): when that
many invocations run at once, the next is throttled (``ConcurrentInvocationLimitExceeded``). Choice: it
counts every account and Region the local cloud holds together (a learner has one account). Each
function keeps its own environments, however many other functions are called in between.

Choices (a laptop is not a region): memory, not AWS, bounds how many environments exist at once
(``max_environments``, derived from the machine's memory by ``capacity.environment_limit``;
``KIT_MAX_ENVIRONMENTS`` overrides it). When a cold start needs room past that limit, the least recently used
idle environment is retired first (an idle environment costs memory and nothing else; Lambda reclaims idle
environments too); only when none is idle is the invocation throttled (``ConcurrentInvocationLimitExceeded``),
which AWS would not do below the account's concurrency: here the machine's memory is the limit. An
environment idle for ``idle_seconds`` (default 600) is shut down, where AWS keeps idle environments for an
unpublished while.

Provisioned concurrency (``provisioned.py`` decides how many): ``provision`` starts environments ahead of
requests; an idle one is handed out before any on-demand one of its version, and neither the idle reaper nor
make-room ever retires it; ``release_provisioned`` lets them go.

Deployment packages (``deployment_package.py``) are unpacked outside the pool's lock, in a thread, once per
CodeSha256 however many cold starts of that code overlap, so a big package never holds up another
function's invocation. Extracted code is removed once no function version in moto's Lambda backends has its
CodeSha256 and no environment runs from it (nor is being started from it); the kit checks on each cold start
and whenever the idle reaper runs (``reap_idle``, every 30 s in ``serve.py``).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from .capacity import ACCOUNT_CONCURRENCY, EnvironmentLimit, environment_limit
from .deployment_package import PackageError, code_dir_name, extract_package
from .execution_environment import ExecutionEnvironment, WrapperError
from .function_spec import FunctionSpec
from .invocation import EnvironmentGone, InvocationOutcome, PendingInvocation, Throttled, error_payload

EnvironmentFactory = Callable[[FunctionSpec, Path], ExecutionEnvironment]
#: The CodeSha256 of every function version that exists (moto's Lambda backends, ``moto_lambda.code_in_use``).
CodeInUse = Callable[[], set[str]]


class EnvironmentPool:
    def __init__(
        self,
        factory: EnvironmentFactory,
        *,
        code_root: Path,
        max_environments: int | None = None,
        idle_seconds: float = 600.0,
        code_in_use: CodeInUse | None = None,
        account_concurrency: int = ACCOUNT_CONCURRENCY,
    ) -> None:
        self._factory = factory
        self._code_root = code_root
        self.limit = EnvironmentLimit(max_environments, "argument") if max_environments else environment_limit()
        self.max_environments = self.limit.limit
        self.account_concurrency = account_concurrency
        #: How invocations found an environment: ``cold`` (created one), ``warm`` (reused one), ``retired``
        #: (idle ones shut down to make room), ``throttled``.
        self.counters: Counter[str] = Counter()
        self.idle_seconds = idle_seconds
        self._code_in_use = code_in_use
        self._envs: list[ExecutionEnvironment] = []
        self._lock = asyncio.Lock()
        #: Function ARN -> environments being created (slot taken, package unpacking): they count against
        #: ``max_environments`` and the function's reserved concurrency like busy ones.
        self._starting: Counter[str] = Counter()
        #: CodeSha256 -> how many cold starts are on their way to an environment running that code.
        self._claims: Counter[str] = Counter()
        self._unpacking: dict[str, asyncio.Future[Path]] = {}
        #: Versions (pool keys) with environments kept for provisioned concurrency (``provision``).
        self._provisioned_keys: set[tuple[str, str, str]] = set()

    @property
    def environments(self) -> list[ExecutionEnvironment]:
        return list(self._envs)

    def stats(self) -> dict[str, object]:
        """What ``/_kit/health`` reports about the pool."""
        return {
            "environments": len(self._envs) + self._starting.total(),
            "busy": self._running(),
            "max_environments": self.max_environments,
            "max_environments_source": self.limit.source,
            "account_concurrency": self.account_concurrency,
            **{name: self.counters[name] for name in ("cold", "warm", "retired", "throttled")},
        }

    def _running(self) -> int:
        """Invocations running or starting across every function (what the account concurrency counts)."""
        return sum(1 for env in self._envs if env.busy) + self._starting.total()

    def _throttle(self, reason: str) -> Throttled:
        self.counters["throttled"] += 1
        return Throttled(reason)

    def _make_room(self) -> None:
        """At the limit: retire the least recently used idle environment, or throttle when none is idle."""
        if len(self._envs) + self._starting.total() < self.max_environments:
            return
        idle = [env for env in self._envs if not env.busy and not _provisioned(env)]
        if not idle:
            raise self._throttle("ConcurrentInvocationLimitExceeded")
        self._retire([min(idle, key=lambda env: env.last_used)])
        self.counters["retired"] += 1

    def _busy_for(self, function_arn: str) -> int:
        busy = sum(1 for env in self._envs if env.busy and env.spec.function_arn == function_arn)
        return busy + self._starting[function_arn]

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
                raise self._throttle("ReservedFunctionConcurrentInvocationLimitExceeded")
            if self._running() >= self.account_concurrency:
                raise self._throttle("ConcurrentInvocationLimitExceeded")
            warm: ExecutionEnvironment | None = None
            prefer_provisioned = spec.pool_key in self._provisioned_keys
            for env in self._envs:  # a provisioned environment first (if any), else the first idle one
                if not env.busy and env.spec.pool_key == spec.pool_key:
                    if warm is None:
                        warm = env
                    if not prefer_provisioned or _provisioned(env):
                        warm = env
                        break
            if warm is not None:
                warm.busy = True
                self.counters["warm"] += 1
                return warm
            self._make_room()
            self.counters["cold"] += 1
            self._starting[spec.function_arn] += 1
            self._claims[spec.code_sha256] += 1
        try:
            task_root = await self._unpack(spec)
            env = self._factory(spec, task_root)
            env.busy = True
            self._envs.append(env)
        finally:
            self._release(self._starting, spec.function_arn)
            self._release(self._claims, spec.code_sha256)
        self.sweep_code()
        try:
            await env.start()
        except BaseException:  # it never ran: give its slot back (start() gave back its port)
            env.alive = False
            async with self._lock:
                if env in self._envs:
                    self._envs.remove(env)
            raise
        return env

    @staticmethod
    def _release(counter: Counter[str], key: str) -> None:
        counter[key] -= 1
        if counter[key] <= 0:
            del counter[key]

    async def _unpack(self, spec: FunctionSpec) -> Path:
        """The task root of ``spec``'s code, unpacked in a thread once however many cold starts wait for it."""
        future = self._unpacking.get(spec.code_sha256)
        if future is None:
            future = asyncio.ensure_future(
                asyncio.to_thread(extract_package, spec.code, spec.code_sha256, self._code_root)
            )
            self._unpacking[spec.code_sha256] = future
            future.add_done_callback(lambda done: self._forget_unpacking(spec.code_sha256, done))
        return await asyncio.shield(future)

    def _forget_unpacking(self, code_sha256: str, future: asyncio.Future[Path]) -> None:
        if self._unpacking.get(code_sha256) is future:
            del self._unpacking[code_sha256]
        if not future.cancelled():
            future.exception()  # retrieved: a failure is reported to every waiter, not logged as lost

    def sweep_code(self) -> list[str]:
        """Remove the extracted code that nothing uses any more; return the folder names removed.

        Runs on the event loop without awaiting, so the decision and the rename out of the way see one
        consistent state (the pool's own critical sections do not await either); the folders are deleted
        in a thread afterwards.
        """
        if self._code_in_use is None or not self._code_root.is_dir():
            return []
        in_use = self._code_in_use()
        # An idle environment of a deleted function (or of code no version has any more) can never serve
        # an invocation again (Lambda's environments go with their function): retire it.
        self._retire([env for env in self._envs if not env.busy and env.spec.code_sha256 not in in_use])
        keep = {code_dir_name(sha) for sha in in_use}
        keep |= {code_dir_name(env.spec.code_sha256) for env in self._envs}
        keep |= {code_dir_name(sha) for sha in [*self._claims, *self._unpacking]}
        doomed: list[Path] = []
        removed: list[str] = []
        for entry in self._code_root.iterdir():
            if entry.name.startswith(".") or entry.name in keep:
                continue
            trash = self._code_root / f".trash-{uuid.uuid4().hex}"
            try:
                os.rename(entry, trash)
            except OSError:
                continue
            doomed.append(trash)
            removed.append(entry.name)
        doomed += [entry for entry in self._code_root.glob(".trash-*") if entry not in doomed]
        if doomed:
            asyncio.get_running_loop().run_in_executor(None, _remove_all, doomed)
        return removed

    async def invoke(self, spec: FunctionSpec, invocation: PendingInvocation) -> InvocationOutcome:
        """Run ``invocation`` in a warm environment if one is idle, else in a new one.

        An environment whose runtime exited after its last invocation (``EnvironmentGone``) is replaced and
        the invocation runs in the next one, as Lambda does.
        """
        while True:
            try:
                env = await self._acquire(spec)
            except WrapperError as exc:
                return _init_error(spec, invocation, "Runtime.InvalidEntrypoint", str(exc))
            except PackageError as exc:  # refused at CreateFunction already; only a package changed on disk gets here
                return _init_error(spec, invocation, "Runtime.Unknown", str(exc))
            try:
                return await env.invoke(invocation)
            except EnvironmentGone:
                continue  # only a warm one is ever gone (a cold one fails the invocation): this ends
            finally:
                if not env.alive:
                    async with self._lock:
                        if env in self._envs:
                            self._envs.remove(env)
                    await env.close()

    def provisioned(self, pool_key: tuple[str, str, str]) -> list[ExecutionEnvironment]:
        """The live environments kept initialised ahead of requests for one function version and revision."""
        return [env for env in self._envs if env.alive and _provisioned(env) and env.spec.pool_key == pool_key]

    async def provision(self, spec: FunctionSpec, count: int) -> int:
        """Keep ``count`` environments of ``spec`` initialised ahead of requests; return how many are ready.

        Each is started like a cold start (it takes a slot and counts against the function's reserved concurrency
        while it starts) with ``AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency``, and is ready once its
        runtime has asked for its first invocation. Extra ones (a lower count) are retired when idle.
        """
        have = self.provisioned(spec.pool_key)
        self._provisioned_keys.add(spec.pool_key)
        async with self._lock:
            self._retire([env for env in have[count:] if not env.busy])
        for _ in range(count - len(have)):
            async with self._lock:
                self._make_room()
                self._starting[spec.function_arn] += 1
                self._claims[spec.code_sha256] += 1
            try:
                env = self._factory(spec, await self._unpack(spec))
                env.initialization_type = "provisioned-concurrency"
                env.busy = True  # not handed out before its INIT is over
                self._envs.append(env)
            finally:
                self._release(self._starting, spec.function_arn)
                self._release(self._claims, spec.code_sha256)
            try:
                await env.start()
                state = await env.wait_ready()
            except BaseException:
                env.alive = False
                if env in self._envs:
                    self._envs.remove(env)
                raise
            env.busy = False
            env.last_used = time.monotonic()
            if state != "ready":
                async with self._lock:
                    self._retire([env])
                # An INIT that ends the runtime (or runs out of time) will do so again: the config fails rather
                # than start environments for ever (the keeper marks it FAILED with this as its reason).
                raise RuntimeError(f"the execution environment's INIT ended without a ready runtime ({state})")
        return len(self.provisioned(spec.pool_key))

    async def release_provisioned(self, keep: set[tuple[str, str, str]]) -> int:
        """Environments provisioned for a version not in ``keep`` become on-demand ones (retired when idle)."""
        released = 0
        self._provisioned_keys &= keep
        async with self._lock:
            for env in list(self._envs):
                if _provisioned(env) and env.spec.pool_key not in keep:
                    released += 1
                    if env.busy:
                        env.initialization_type = "on-demand"  # finishes its request, then ages out like the rest
                    else:
                        self._retire([env])
        return released

    async def reap_idle(self, now: float | None = None) -> int:
        """Shut down environments idle for longer than ``idle_seconds``; return how many."""
        now = now if now is not None else time.monotonic()
        async with self._lock:
            stale = [
                env
                for env in self._envs
                if not env.busy and not _provisioned(env) and now - env.last_used > self.idle_seconds
            ]
            self._envs = [env for env in self._envs if env not in stale]
        for env in stale:
            await env.close()
        self.sweep_code()
        return len(stale)

    async def close(self) -> None:
        async with self._lock:
            envs, self._envs = self._envs, []
        await asyncio.gather(*(env.close() for env in envs), return_exceptions=True)


def _provisioned(env: ExecutionEnvironment) -> bool:
    """Whether ``env`` was started ahead of requests (provisioned concurrency): kept, never reaped or displaced."""
    return getattr(env, "initialization_type", "on-demand") == "provisioned-concurrency"


def _init_error(spec: FunctionSpec, invocation: PendingInvocation, error_type: str, message: str) -> InvocationOutcome:
    return InvocationOutcome(
        status="init_error",
        request_id=invocation.request_id,
        payload=error_payload(error_type, message),
        executed_version=spec.version,
        error_type=error_type,
    )


def _remove_all(paths: list[Path]) -> None:
    for path in paths:
        shutil.rmtree(path, ignore_errors=True)
