"""The walls' parts without a local cloud: log splitting, exit reasons, the process tree, start failures."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from infra.local.http.peers import Admit
from infra.local.lambda_ import sandbox
from infra.local.lambda_.environment_pool import EnvironmentPool
from infra.local.lambda_.execution_environment import ExecutionEnvironment, Listener, RuntimeHandler
from infra.local.lambda_.function_spec import FunctionSpec
from infra.local.lambda_.invocation import PendingInvocation
from infra.local.lambda_.log_lines import LineSplitter
from infra.local.lambda_.runtime_exit import exit_reason
from tests.unit.function_specs import function_spec, one_line_package


def test_a_long_line_is_split_into_events_and_never_held_whole() -> None:
    splitter = LineSplitter(max_event=1000)
    out: list[bytes] = []
    chunk = b"x" * 65536
    for _ in range(50):  # a 3.2 MB line arriving 64 KB at a time
        out += splitter.feed(chunk)
        assert splitter.pending < 1000  # bounded: nothing is rebuilt from a growing buffer
    out += splitter.feed(b"\nshort\nand a tail")
    out += splitter.flush()
    assert all(len(m) == 1000 for m in out[:-3]) and b"".join(out[:-2]) == b"x" * 65536 * 50
    assert out[-2:] == [b"short", b"and a tail"]


def test_lines_split_across_chunks_come_out_whole() -> None:
    splitter = LineSplitter(max_event=10)
    assert splitter.feed(b"ab") == [] and splitter.feed(b"c\nde") == [b"abc"] and splitter.flush() == [b"de"]
    assert splitter.feed(b"0123456789\nz\n") == [b"0123456789", b"z"]


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (-signal.SIGKILL, "Runtime exited with error: signal: killed"),
        (-signal.SIGSEGV, "Runtime exited with error: signal: segmentation fault"),
        (-signal.SIGTERM, "Runtime exited with error: signal: terminated"),
        (-signal.SIGABRT, "Runtime exited with error: signal: aborted"),
        (1, "Runtime exited with error: exit status 1"),
        (0, "Runtime exited without providing a reason"),
        (None, "Runtime exited without providing a reason"),
    ],
)
def test_exit_reasons_use_gos_words(code: int | None, reason: str) -> None:
    assert exit_reason(code) == reason


linux_only = pytest.mark.skipif(not sandbox.supported(), reason="the process tree needs Linux's /proc")


def _state(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return None


@linux_only
def test_freeze_thaw_and_kill_reach_a_setsid_grandchild() -> None:
    shell = "setsid sleep 300 & echo $!; exec sleep 300"
    root = subprocess.Popen(["sh", "-c", shell], stdout=subprocess.PIPE, text=True)
    assert root.stdout is not None
    grandchild = int(root.stdout.readline())
    try:
        frozen = sandbox.freeze(root.pid)
        assert {root.pid, grandchild} <= frozen
        deadline = time.monotonic() + 10  # a signal is delivered when the process is next scheduled
        while _state(grandchild) != "T" and time.monotonic() < deadline:
            time.sleep(0.01)
        assert _state(grandchild) == "T"
        sandbox.thaw(root.pid)
        sandbox.kill_tree(root.pid)
        assert root.wait(10) == -signal.SIGKILL
        deadline = time.monotonic() + 10
        while _state(grandchild) not in (None, "Z") and time.monotonic() < deadline:
            time.sleep(0.01)
        assert _state(grandchild) in (None, "Z")
    finally:
        for pid in (root.pid, grandchild):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


def _spec() -> FunctionSpec:
    return function_spec("f", "ap-northeast-2", code=one_line_package())


class _Logs:
    def put(self, account_id: str, region: str, group: str, stream: str, events: list[tuple[int, str]]) -> None:
        pass


async def _no_port(handler: RuntimeHandler, admit: Admit) -> Listener:
    raise OSError(98, "Address already in use")


def test_a_runtime_api_port_that_fails_to_bind_gives_the_pool_slot_back(tmp_path: Path) -> None:
    envs: list[ExecutionEnvironment] = []

    def factory(spec: FunctionSpec, task_root: Path) -> ExecutionEnvironment:
        env = ExecutionEnvironment(spec, task_root=task_root, listen=_no_port, logs=_Logs(), extra_env={})
        envs.append(env)
        return env

    async def scenario() -> None:
        pool = EnvironmentPool(factory, code_root=tmp_path, max_environments=1)
        for _ in range(3):  # each time the bind error itself, never ConcurrentInvocationLimitExceeded
            with pytest.raises(OSError, match="Address already in use"):
                await pool.invoke(_spec(), PendingInvocation("rid", b"{}", _spec().function_arn, "trace"))
        assert pool.environments == []

    asyncio.run(scenario())
    assert len(envs) == 3 and not any(env._private_tmp.exists() for env in envs)
