"""The pool keeps provisioned environments: started ahead, handed out first, never reaped or displaced, released."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import ClassVar

from infra.local.lambda_.environment_pool import EnvironmentPool
from tests.unit.lambda_.test_pool_code import FakeEnvironment, spec


class ReadyEnvironment(FakeEnvironment):
    """A fake whose INIT ends at once, recording how it was started."""

    made: ClassVar[list[ReadyEnvironment]] = []

    def __init__(self, spec, task_root: Path) -> None:  # type: ignore[no-untyped-def]
        super().__init__(spec, task_root)
        self.initialization_type = "on-demand"
        self.started_as = ""
        ReadyEnvironment.made.append(self)

    async def start(self) -> None:
        self.started_as = self.initialization_type

    async def wait_ready(self) -> str:
        return "ready"


def pool_of(tmp_path: Path, **options: object) -> EnvironmentPool:
    ReadyEnvironment.made = []
    return EnvironmentPool(ReadyEnvironment, code_root=tmp_path, **options)  # type: ignore[arg-type]


def test_provisioned_environments_start_ahead_and_are_handed_out_first(tmp_path: Path) -> None:
    pool = pool_of(tmp_path)
    version = spec("v1")

    async def scenario() -> tuple[int, list[str], str]:
        ready = await pool.provision(version, 2)
        first = await pool._acquire(version)
        second = await pool._acquire(version)
        third = await pool._acquire(version)  # both provisioned ones are busy: an on-demand cold start
        return ready, [first.initialization_type, second.initialization_type], third.initialization_type

    ready, first_two, third = asyncio.run(scenario())
    assert ready == 2
    assert first_two == ["provisioned-concurrency", "provisioned-concurrency"]
    assert third == "on-demand"
    assert [env.started_as for env in ReadyEnvironment.made] == ["provisioned-concurrency"] * 2 + ["on-demand"]
    assert pool.counters["cold"] == 1 and pool.counters["warm"] == 2


def test_an_idle_provisioned_one_is_preferred_over_an_idle_on_demand_one(tmp_path: Path) -> None:
    pool = pool_of(tmp_path)
    version = spec("v1")

    async def scenario() -> str:
        on_demand = await pool._acquire(version)
        on_demand.busy = False
        await pool.provision(version, 1)
        return (await pool._acquire(version)).initialization_type

    assert asyncio.run(scenario()) == "provisioned-concurrency"


def test_provisioned_ones_are_neither_reaped_nor_displaced(tmp_path: Path) -> None:
    pool = pool_of(tmp_path, max_environments=2, idle_seconds=1)
    version = spec("v1")

    async def scenario() -> tuple[int, list[str]]:
        await pool.provision(version, 1)
        other = await pool._acquire(spec("other", "other"))
        other.busy = False
        reaped = await pool.reap_idle(now=10**9)  # long idle: the on-demand one goes, the provisioned stays
        third = await pool._acquire(spec("third", "third"))
        third.busy = False
        fourth = await pool._acquire(spec("fourth", "fourth"))  # full: the on-demand "third" makes room
        fourth.busy = False
        return reaped, sorted(env.spec.function_name for env in pool.environments)

    reaped, left = asyncio.run(scenario())
    assert reaped == 1
    assert left == ["fn", "fourth"]


def test_a_lower_count_or_a_release_lets_them_go(tmp_path: Path) -> None:
    pool = pool_of(tmp_path)
    version = spec("v1")

    async def scenario() -> tuple[int, int, int]:
        await pool.provision(version, 3)
        lowered = await pool.provision(version, 1)
        released = await pool.release_provisioned(set())
        return lowered, released, len(pool.provisioned(version.pool_key))

    assert asyncio.run(scenario()) == (1, 1, 0)
    assert sum(env.killed for env in ReadyEnvironment.made) == 3
