"""Learner isolation: each state directory has a local cloud of its own, found by pid and state directory."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.local import control

pytestmark = pytest.mark.integration

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture
def session_cloud(endpoint: str) -> control.LocalCloudInfo:
    info = control.running(control.state_dir())
    assert info is not None
    assert info.endpoint == endpoint
    return info


@pytest.fixture
def second_cloud(tmp_path: Path) -> Iterator[control.LocalCloudInfo]:
    directory = (tmp_path / "learner-b").resolve()
    info = control.start(directory=directory)
    try:
        yield info
    finally:
        control.stop(directory)


def test_a_second_state_directory_gets_a_local_cloud_of_its_own(
    session_cloud: control.LocalCloudInfo, second_cloud: control.LocalCloudInfo, tmp_path: Path
) -> None:
    directory = (tmp_path / "learner-b").resolve()
    assert second_cloud.state_dir == directory
    assert second_cloud.port != session_cloud.port
    assert second_cloud.pid != session_cloud.pid
    assert control.running(directory) == second_cloud
    assert control.read_state(directory) == second_cloud
    assert control.running(control.state_dir()) == session_cloud
    health = control.identify(second_cloud.port, directory)
    assert health is not None
    assert (health["pid"], health["port"], health["state_dir"]) == (second_cloud.pid, second_cloud.port, str(directory))
    # Starting again attaches instead of starting another.
    assert control.start(directory=directory) == second_cloud
    assert (directory / "local-cloud.log").is_file()


def test_a_state_file_with_the_wrong_pid_is_not_running(second_cloud: control.LocalCloudInfo) -> None:
    directory = second_cloud.state_dir
    control.write_state(control.LocalCloudInfo(second_cloud.pid + 1, second_cloud.port, directory))
    try:
        assert control.read_state(directory) == control.LocalCloudInfo(
            second_cloud.pid + 1, second_cloud.port, directory
        )
        assert control.running(directory) is None
    finally:
        control.write_state(second_cloud)
    assert control.running(directory) == second_cloud


def test_another_learners_cloud_is_never_attached_to(session_cloud: control.LocalCloudInfo, tmp_path: Path) -> None:
    directory = (tmp_path / "learner-c").resolve()
    # The session cloud's own pid and port, but recorded in another learner's state directory.
    control.write_state(control.LocalCloudInfo(session_cloud.pid, session_cloud.port, directory))
    assert control.read_state(directory) == control.LocalCloudInfo(session_cloud.pid, session_cloud.port, directory)
    assert control.running(directory) is None
    # ... and a wrong pid as well.
    control.write_state(control.LocalCloudInfo(session_cloud.pid + 1, session_cloud.port, directory))
    assert control.running(directory) is None
    # Stopping that directory's (absent) cloud leaves the session's running and clears the stale file.
    assert control.stop(directory) is False
    assert control.read_state(directory) is None
    assert control.health(session_cloud.port) is not None
    assert control.running(control.state_dir()) == session_cloud


def test_stop_stops_it_once(tmp_path: Path, session_cloud: control.LocalCloudInfo) -> None:
    directory = (tmp_path / "learner-d").resolve()
    info = control.start(directory=directory)
    try:
        assert control.health(info.port) is not None
        assert control.stop(directory) is True
        assert control.health(info.port) is None
        assert control.running(directory) is None
        assert control.read_state(directory) is None
        assert control.stop(directory) is False
        assert control.health(session_cloud.port) is not None
    finally:
        control.stop(directory)


def test_serve_refuses_when_that_directorys_cloud_is_running(second_cloud: control.LocalCloudInfo) -> None:
    directory = second_cloud.state_dir
    result = subprocess.run(
        [sys.executable, "-m", "infra.local", "serve", "--state-dir", str(directory)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr == (
        f"A local cloud for {directory} is already running on port {second_cloud.port} (pid {second_cloud.pid}).\n"
        "Stop it with: python -m infra.local stop\n"
    )
    assert control.running(directory) == second_cloud


def test_a_state_directory_reached_through_a_symlink_is_found(tmp_path: Path) -> None:
    real = (tmp_path / "real").resolve()
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=False)
    info = control.start(directory=real)
    try:
        found = control.running(link)
        assert found is not None
        assert (found.pid, found.port) == (info.pid, info.port)
        assert control.stop(link) is True
        assert control.health(info.port) is None
    finally:
        control.stop(real)
