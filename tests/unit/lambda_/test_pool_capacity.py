"""The pool keeps every function's environments up to a memory-derived limit, and throttles only when full."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path

import pytest

from infra.local.lambda_ import capacity
from infra.local.lambda_.environment_pool import EnvironmentPool
from infra.local.lambda_.invocation import Throttled
from tests.unit.lambda_.test_pool_code import FakeEnvironment, spec

_clock = itertools.count(1)


class CountingFactory:
    """Makes fake environments and remembers each one (a cold start each)."""

    def __init__(self) -> None:
        self.made: list[FakeEnvironment] = []

    def __call__(self, spec, task_root: Path) -> FakeEnvironment:  # type: ignore[no-untyped-def]
        env = FakeEnvironment(spec, task_root)
        self.made.append(env)
        return env


async def _call(pool: EnvironmentPool, name: str) -> FakeEnvironment:
    """One invocation of function ``name``: take an environment, then leave it idle (just used)."""
    env = await pool._acquire(spec(f"code-{name}", name))
    env.busy = False
    env.last_used = float(next(_clock))
    return env  # type: ignore[return-value]


def test_the_derived_limit_comes_from_memory_and_the_open_file_limit() -> None:
    gib = 1024**3
    by_memory = capacity.derived_limit(8 * gib, 1_000_000)
    assert by_memory.source == "memory"
    assert by_memory.limit == int(8 * gib * capacity.MEMORY_SHARE // capacity.IDLE_ENVIRONMENT_BYTES)
    assert capacity.derived_limit(8 * gib, 1024) == capacity.EnvironmentLimit(64, "file descriptors", 8 * gib)
    assert capacity.derived_limit(1, None).limit == 1
    assert capacity.environment_limit({"KIT_MAX_ENVIRONMENTS": "3"}) == capacity.EnvironmentLimit(
        3, "KIT_MAX_ENVIRONMENTS"
    )


def test_available_memory_is_read_from_meminfo(tmp_path: Path) -> None:
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:       24683568 kB\nMemFree: 1 kB\nMemAvailable:   2048 kB\n")
    assert capacity.available_memory_bytes(meminfo) == 2048 * 1024
    assert (capacity.available_memory_bytes(tmp_path / "absent") or 0) > 0  # os.sysconf's physical memory


def test_round_robin_over_100_functions_stays_warm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KIT_MAX_ENVIRONMENTS", raising=False)
    factory = CountingFactory()
    pool = EnvironmentPool(factory, code_root=tmp_path)  # type: ignore[arg-type]
    assert pool.max_environments > 100, pool.limit  # this machine's memory allows far more than 64

    async def rounds() -> None:
        for _ in range(3):
            for number in range(100):
                await _call(pool, f"fn{number}")

    asyncio.run(rounds())
    assert len(factory.made) == 100  # one cold start per function, the first round only
    assert pool.counters["cold"] == 100 and pool.counters["warm"] == 200 and pool.counters["retired"] == 0
    assert pool.stats()["environments"] == 100


def test_past_a_small_limit_the_least_recently_used_idle_one_is_retired(tmp_path: Path) -> None:
    factory = CountingFactory()
    pool = EnvironmentPool(factory, code_root=tmp_path, max_environments=3)  # type: ignore[arg-type]

    async def scenario() -> list[str]:
        for name in ("a", "b", "c"):
            await _call(pool, name)
        await _call(pool, "a")  # a is now the most recently used; b the least
        await _call(pool, "d")  # needs room: b goes
        return sorted(env.spec.function_name for env in pool.environments)

    assert asyncio.run(scenario()) == ["a", "c", "d"]
    assert [env.spec.function_name for env in factory.made if env.killed] == ["b"]
    assert pool.counters["throttled"] == 0 and pool.counters["retired"] == 1


def test_idle_environments_are_retired_rather_than_throttling(tmp_path: Path) -> None:
    factory = CountingFactory()
    pool = EnvironmentPool(factory, code_root=tmp_path, max_environments=2)  # type: ignore[arg-type]

    async def scenario() -> None:
        busy = await pool._acquire(spec("code-busy", "busy"))  # stays busy throughout
        assert busy.busy
        for number in range(20):  # each needs the one other slot: the idle one is retired each time
            await _call(pool, f"fn{number}")
        with pytest.raises(Throttled) as full:  # both busy: nothing can be freed
            await asyncio.gather(pool._acquire(spec("code-x", "x")), pool._acquire(spec("code-y", "y")))
        assert full.value.reason == "ConcurrentInvocationLimitExceeded"

    asyncio.run(scenario())
    assert pool.counters["throttled"] == 1 and pool.counters["retired"] == 20


def test_the_account_concurrency_throttles_running_invocations_only(tmp_path: Path) -> None:
    pool = EnvironmentPool(CountingFactory(), code_root=tmp_path, account_concurrency=2)  # type: ignore[arg-type]

    async def scenario() -> None:
        first = await pool._acquire(spec("code-a", "a"))
        await pool._acquire(spec("code-b", "b"))
        with pytest.raises(Throttled) as throttled:
            await pool._acquire(spec("code-c", "c"))
        assert throttled.value.reason == "ConcurrentInvocationLimitExceeded"
        first.busy = False  # one ends: the next may run
        await pool._acquire(spec("code-c", "c"))

    asyncio.run(scenario())
    assert pool.stats()["environments"] == 3 and pool.stats()["busy"] == 2
