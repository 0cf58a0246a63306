"""On a JupyterHub, a learner's local cloud ends with their Jupyter server (a hub culls idle servers).

A kernel under a hub has ``JUPYTERHUB_SERVICE_PREFIX`` and ``JPY_PARENT_PID`` (its Jupyter server); the local cloud
it starts stops when that process ends. On a laptop (no hub) the local cloud outlives the server, as before.
A process of the test's own stands in for the Jupyter server.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from infra.local import control

pytestmark = pytest.mark.integration


def _stand_in_server() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])


def _gone(pid: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("hub", [True, False], ids=["on a hub", "on a laptop"])
def test_the_local_cloud_ends_with_the_jupyter_server_only_on_a_hub(
    hub: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = _stand_in_server()
    directory = (tmp_path / "learner").resolve()
    monkeypatch.setenv("JPY_PARENT_PID", str(server.pid))
    if hub:
        monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/learner/")
    else:
        monkeypatch.delenv("JUPYTERHUB_SERVICE_PREFIX", raising=False)
    info = control.start(directory=directory)
    try:
        assert control.running(directory) == info
        server.kill()
        server.wait()
        if hub:
            assert _gone(info.pid, 10), "the local cloud outlived the learner's Jupyter server"
            assert control.running(directory) is None
            assert control.read_state(directory) is None  # it cleared its state file on the way out
        else:
            time.sleep(2)
            assert control.running(directory) == info
    finally:
        control.stop(directory)


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"JUPYTERHUB_SERVICE_PREFIX": "/user/a/", "JPY_PARENT_PID": "4242"}, 4242),
        ({"JPY_PARENT_PID": "4242"}, None),
        ({"JUPYTERHUB_SERVICE_PREFIX": "/user/a/"}, None),
        ({"JUPYTERHUB_SERVICE_PREFIX": "/user/a/", "JPY_PARENT_PID": "1"}, None),
        ({"JUPYTERHUB_SERVICE_PREFIX": "/user/a/", "JPY_PARENT_PID": "x"}, None),
    ],
)
def test_which_process_the_local_cloud_stops_with(environ: dict[str, str], expected: int | None) -> None:
    assert control.jupyter_server_to_stop_with(environ) == expected


@pytest.mark.parametrize("pidfd", [True, False], ids=["pidfd", "polling"])
def test_stop_when_gone_sets_stop_when_the_process_ends(pidfd: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio
    import os

    from infra.local import serve

    if not pidfd:
        monkeypatch.delattr(os, "pidfd_open", raising=False)

    async def scenario() -> None:
        process = _stand_in_server()
        stop = asyncio.Event()
        undo = serve.stop_when_gone(process.pid, stop, poll_s=0.05)
        await asyncio.sleep(0.2)
        assert not stop.is_set()
        process.kill()
        process.wait()
        await asyncio.wait_for(stop.wait(), 5)
        undo()
        gone = asyncio.Event()
        serve.stop_when_gone(process.pid, gone)()  # a process already gone: set at once
        assert gone.is_set()

    asyncio.run(scenario())
