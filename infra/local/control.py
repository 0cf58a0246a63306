"""Find, start, attach to and stop a learner's local cloud.

A local cloud is found through its learner's own state directory (``KIT_STATE_DIR``, default
``~/.lambda-url-kit``): ``local-cloud.json`` there records its pid and port. Attaching checks that the
process answering on that port is that local cloud (pid and state directory match), so a notebook never
attaches to another learner's local cloud on a shared machine, and no port is ever assumed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

STATE_FILE = "local-cloud.json"


@dataclass(frozen=True)
class LocalCloudInfo:
    pid: int
    port: int
    state_dir: Path

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class LocalCloudError(RuntimeError):
    pass


def code_version() -> str:
    """A fingerprint of the local cloud's code, so a client can tell a local cloud started from older code."""
    digest = hashlib.sha256()
    for source in sorted(Path(__file__).resolve().parent.rglob("*.py")):
        digest.update(source.read_bytes())
    return digest.hexdigest()[:12]


def state_dir() -> Path:
    return Path(os.environ.get("KIT_STATE_DIR") or Path.home() / ".lambda-url-kit").expanduser().resolve()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def health(port: int, timeout: float = 2.0) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_kit/health", timeout=timeout) as response:
            return json.loads(response.read())
    except (OSError, ValueError, urllib.error.URLError):
        return None


def read_state(directory: Path | None = None) -> LocalCloudInfo | None:
    directory = _resolved(directory)
    try:
        data = json.loads((directory / STATE_FILE).read_text())
        return LocalCloudInfo(int(data["pid"]), int(data["port"]), directory)
    except (OSError, ValueError, KeyError):
        return None


def write_state(info: LocalCloudInfo) -> None:
    info.state_dir.mkdir(parents=True, exist_ok=True)
    tmp = info.state_dir / f".{STATE_FILE}.{os.getpid()}"
    tmp.write_text(json.dumps({"pid": info.pid, "port": info.port, "endpoint": info.endpoint}))
    tmp.replace(info.state_dir / STATE_FILE)


def clear_state(directory: Path, pid: int | None = None) -> None:
    current = read_state(directory)
    if current is not None and (pid is None or current.pid == pid):
        (directory / STATE_FILE).unlink(missing_ok=True)


def _resolved(directory: Path | None) -> Path:
    """The state directory as the local cloud records it: absolute, symlinks resolved."""
    return Path(directory).expanduser().resolve() if directory is not None else state_dir()


def running(directory: Path | None = None) -> LocalCloudInfo | None:
    """The local cloud recorded in ``directory`` if it is really up and really ours."""
    directory = _resolved(directory)
    info = read_state(directory)
    if info is None:
        return None
    status = health(info.port)
    if status and status.get("pid") == info.pid and Path(status.get("state_dir", "")) == directory:
        return info
    return None


def start(port: int | None = None, directory: Path | None = None, timeout: float = 30.0) -> LocalCloudInfo:
    """Attach to this learner's local cloud, or start it in the background and wait until it answers."""
    directory = _resolved(directory)
    info = running(directory)
    if info is not None:
        status = health(info.port) or {}
        if status.get("version") not in (None, code_version()):
            print(
                f"warning: your local cloud (port {info.port}) runs older code than this kit; to run the new code, "
                "restart it (what it holds is lost): python -m infra.local stop",
                file=sys.stderr,
            )
        return info
    port = port or int(os.environ.get("KIT_LOCAL_PORT") or 0) or free_port()
    directory.mkdir(parents=True, exist_ok=True)
    log_path = directory / "local-cloud.log"
    project_root = Path(__file__).resolve().parents[2]
    with open(log_path, "ab") as log_file:
        kwargs: dict[str, object] = {"start_new_session": True} if os.name == "posix" else {}
        process = subprocess.Popen(
            [sys.executable, "-m", "infra.local", "serve", "--port", str(port), "--state-dir", str(directory)],
            cwd=str(project_root),
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            **kwargs,  # type: ignore[arg-type]
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log_path.read_text(errors="replace")[-2000:]
            raise LocalCloudError(
                f"the local cloud exited at start (code {process.returncode}); its log {log_path} ends:\n{tail}"
            )
        info = running(directory)
        if info is not None:
            return info
        time.sleep(0.1)
    process.kill()
    raise LocalCloudError(f"the local cloud did not answer on port {port} within {timeout:.0f} s; see {log_path}")


def stop(directory: Path | None = None, timeout: float = 15.0) -> bool:
    """Stop this learner's local cloud; return whether one was running."""
    directory = _resolved(directory)
    info = running(directory)
    if info is None:
        clear_state(directory)
        return False
    try:
        request = urllib.request.Request(f"{info.endpoint}/_kit/shutdown", method="POST")
        urllib.request.urlopen(request, timeout=5).close()
    except OSError:
        pass
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and health(info.port, 0.5):
        time.sleep(0.1)
    if health(info.port, 0.5):
        with contextlib.suppress(OSError):
            os.kill(info.pid, 9)
    clear_state(directory)
    return True
