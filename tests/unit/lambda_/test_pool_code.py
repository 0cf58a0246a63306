"""The environment pool's handling of extracted code: unpacked once per CodeSha256, swept when unused."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import pytest

from infra.local.lambda_ import environment_pool
from infra.local.lambda_.deployment_package import code_dir_name
from infra.local.lambda_.environment_pool import EnvironmentPool
from infra.local.lambda_.function_spec import FunctionSpec
from tests.unit.function_specs import function_spec, one_line_package


def spec(sha: str, name: str = "fn") -> FunctionSpec:
    return function_spec(name, code_sha256=sha, revision=sha, code=one_line_package())


class FakeEnvironment:
    def __init__(self, spec: FunctionSpec, task_root: Path) -> None:
        self.spec = spec
        self.task_root = task_root
        self.busy = False
        self.alive = True
        self.last_used = 0.0
        self.killed = False

    def kill(self) -> None:
        self.killed = True
        self.alive = False

    async def start(self) -> None:
        pass

    async def close(self) -> None:
        pass


def test_two_cold_starts_of_the_same_code_unpack_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    release = threading.Event()
    real = environment_pool.extract_package

    def slow_extract(code: bytes, sha: str, root: Path) -> Path:
        calls.append(sha)
        release.wait(5)
        return real(code, sha, root)

    monkeypatch.setattr(environment_pool, "extract_package", slow_extract)
    pool = EnvironmentPool(FakeEnvironment, code_root=tmp_path)  # type: ignore[arg-type]

    async def both() -> tuple[Path, Path]:
        first = asyncio.ensure_future(pool._unpack(spec("same")))
        second = asyncio.ensure_future(pool._unpack(spec("same")))
        await asyncio.sleep(0.05)
        release.set()
        return await first, await second

    first, second = asyncio.run(both())
    assert first == second and calls == ["same"]
    assert (first / "fn.py").exists()


def test_sweep_removes_code_nothing_uses_and_retires_idle_environments_of_it(tmp_path: Path) -> None:
    in_use = {"kept+sha="}
    pool = EnvironmentPool(FakeEnvironment, code_root=tmp_path, code_in_use=lambda: set(in_use))  # type: ignore[arg-type]

    async def scenario() -> dict[str, Any]:
        kept, gone, busy = spec("kept+sha="), spec("gone/sha=", "old"), spec("busy", "running")
        for each in (kept, gone, busy):
            await pool._acquire(each)
        for env in pool.environments:
            env.busy = env.spec is busy
        removed = pool.sweep_code()
        await asyncio.sleep(0.2)  # the rename is immediate; the delete runs in a thread
        return {"removed": removed, "envs": [env.spec.function_name for env in pool.environments]}

    outcome = asyncio.run(scenario())
    assert outcome["removed"] == [code_dir_name("gone/sha=")]
    assert outcome["envs"] == ["fn", "running"]  # the idle one of deleted code is retired, the busy one stays
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([code_dir_name("kept+sha="), "busy"])


def test_environments_being_started_count_against_reserved_concurrency(tmp_path: Path) -> None:
    pool = EnvironmentPool(FakeEnvironment, code_root=tmp_path)  # type: ignore[arg-type]
    limited = spec("code")
    limited = FunctionSpec(**{**limited.__dict__, "reserved_concurrency": 1})

    async def two_at_once() -> list[Any]:
        return await asyncio.gather(pool._acquire(limited), pool._acquire(limited), return_exceptions=True)

    results = asyncio.run(two_at_once())
    assert sum(isinstance(r, environment_pool.Throttled) for r in results) == 1
