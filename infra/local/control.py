"""Find, start, attach to and stop a learner's local cloud.

A local cloud is found through its learner's own state directory (``KIT_STATE_DIR``, default
``~/.lambda-url-kit``, kept ``0700``): ``local-cloud.json`` there records its pid and port, and
``credentials.json`` the learner's local credentials. Before the kit sends a call to the port, it checks
that the server there is the learner's own: on Linux the listening socket must belong to the learner's
Unix user, and everywhere the server must answer a fresh challenge with a proof only a holder of the
learner's secret can give (``iam/credentials.py``) and report the recorded pid and state directory. So a
notebook never attaches to another learner's local cloud, nor to whatever another user listens with on a
port left in a stale state file, and no port is ever assumed. Every call goes to loopback directly, never
through an ``HTTP(S)_PROXY`` of the learner's shell.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .http import peers
from .iam.credentials import LocalCredentials, load_or_create, private_folder, proof

STATE_FILE = "local-cloud.json"
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, never through a proxy


@dataclass(frozen=True)
class LocalCloudInfo:
    pid: int
    port: int
    state_dir: Path
    tls_port: int = 0  # the TLS listener's (0: a local cloud from before it had one)

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


def ca_certificate(directory: Path | None = None) -> Path:
    """The learner's local certificate authority (``tls/authority.py``): what a client trusts to reach the
    local cloud's TLS port (``curl --cacert``, ``SSL_CERT_FILE``, a browser's authorities)."""
    return _resolved(directory) / "tls" / "local-ca.pem"


def client_tls_context(directory: Path | None = None) -> ssl.SSLContext:
    """A client ``SSLContext`` that trusts only the learner's local certificate authority."""
    return ssl.create_default_context(cafile=str(ca_certificate(directory)))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def health(port: int, timeout: float = 2.0) -> dict | None:
    """What any caller may learn from the server on ``port``: that it is a local cloud (nothing private)."""
    return _call(port, "GET", "/_kit/health", None, timeout)


def _call(port: int, method: str, path: str, credentials: LocalCredentials | None, timeout: float) -> dict | None:
    """One call to the local cloud's own endpoints, SigV4-signed when ``credentials`` are given."""
    url = f"http://127.0.0.1:{port}{path}"
    headers: dict[str, str] = {}
    if credentials is not None:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials

        signed = AWSRequest(method=method, url=url, data=b"")
        keys = Credentials(credentials.access_key_id, credentials.secret_access_key)
        SigV4Auth(keys, "kit", "us-east-1").add_auth(signed)
        headers = dict(signed.headers.items())
    request = urllib.request.Request(url, method=method, headers=headers, data=b"" if method == "POST" else None)
    try:
        with _DIRECT.open(request, timeout=timeout) as response:
            return json.loads(response.read())
    except (OSError, ValueError, urllib.error.URLError):
        return None


def identify(port: int, directory: Path, timeout: float = 2.0) -> dict | None:
    """The health of the learner's own local cloud on ``port``; ``None`` unless it proves it is theirs."""
    if peers.supported() and peers.listener_uid(port) != os.getuid():
        return None  # another user's socket (or nothing): not a byte of ours goes there
    credentials = load_or_create(directory)
    challenge = secrets.token_hex(16)
    status = _call(port, "GET", f"/_kit/health?challenge={challenge}", credentials, timeout)
    if not status or status.get("proof") != proof(credentials.secret_access_key, challenge):
        return None
    return status


def read_state(directory: Path | None = None) -> LocalCloudInfo | None:
    directory = _resolved(directory)
    try:
        data = json.loads((directory / STATE_FILE).read_text())
        return LocalCloudInfo(int(data["pid"]), int(data["port"]), directory, int(data.get("tls_port") or 0))
    except (OSError, ValueError, KeyError):
        return None


def write_state(info: LocalCloudInfo) -> None:
    private_folder(info.state_dir)
    tmp = info.state_dir / f".{STATE_FILE}.{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(
            json.dumps({"pid": info.pid, "port": info.port, "endpoint": info.endpoint, "tls_port": info.tls_port})
        )
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
    status = identify(info.port, directory)
    if status and status.get("pid") == info.pid and Path(status.get("state_dir", "")) == directory:
        return info
    return None


def jupyter_server_to_stop_with(environ: dict[str, str] | None = None) -> int | None:
    """On a JupyterHub, the learner's Jupyter server, whose end should end their local cloud too.

    A kernel learns its server's pid from ``JPY_PARENT_PID`` (jupyter_client sets it) and that it runs under a hub
    from ``JUPYTERHUB_SERVICE_PREFIX`` (JupyterHub sets it for every single-user server). A hub stops idle
    servers (jupyterhub-idle-culler), and a local cloud left behind would hold a learner's memory for nothing.
    Choice: on a laptop the local cloud outlives JupyterLab, as it always has (stop it with ``python -m
    infra.local stop``).
    """
    env = os.environ if environ is None else environ
    if not env.get("JUPYTERHUB_SERVICE_PREFIX"):
        return None
    pid = (env.get("JPY_PARENT_PID") or "").strip()
    return int(pid) if pid.isdigit() and int(pid) > 1 else None


def start(port: int | None = None, directory: Path | None = None, timeout: float = 30.0) -> LocalCloudInfo:
    """Attach to this learner's local cloud, or start it in the background and wait until it answers."""
    directory = _resolved(directory)
    info = running(directory)
    if info is not None:
        status = identify(info.port, directory) or {}
        if status.get("version") not in (None, code_version()):
            print(
                f"warning: your local cloud (port {info.port}) runs older code than this kit; to run the new code, "
                "restart it (what it holds is lost): python -m infra.local stop",
                file=sys.stderr,
            )
        return info
    port = port or int(os.environ.get("KIT_LOCAL_PORT") or 0) or free_port()
    private_folder(directory)
    load_or_create(directory)
    log_path = directory / "local-cloud.log"
    log_path.touch(mode=0o600, exist_ok=True)
    project_root = Path(__file__).resolve().parents[2]
    with open(log_path, "ab") as log_file:
        kwargs: dict[str, object] = {"start_new_session": True} if os.name == "posix" else {}
        process = subprocess.Popen(
            [sys.executable, "-m", "infra.local", "serve", "--port", str(port), "--state-dir", str(directory)]
            + (["--stop-with", str(owner)] if (owner := jupyter_server_to_stop_with()) else []),
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
    _call(info.port, "POST", "/_kit/shutdown", load_or_create(directory), 5)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and health(info.port, 0.5):
        time.sleep(0.1)
    if health(info.port, 0.5):
        with contextlib.suppress(OSError):
            os.kill(info.pid, 9)
    clear_state(directory)
    return True
