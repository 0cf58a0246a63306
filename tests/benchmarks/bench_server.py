"""Benchmark: the memory of a learner's Jupyter server, the part of a learner that bench_learner.py leaves out.

    .venv/bin/python tests/benchmarks/bench_server.py [--seconds 20]

bench_learner.py measures a learner's kernels and local cloud (it runs the notebooks with nbclient, without a
Jupyter server). On a hub each learner also has their own server: on one machine a process of theirs, on
Kubernetes a process in their pod, counted against the pod's memory. This starts that server the way a learner
gets it, as far as one can without a hub: JupyterLab's server with the kit's extension (``infra.server_proxy``)
and the modules jupyterhub-singleuser loads on top of it (``jupyterhub.singleuser.extension``; the real
jupyterhub-singleuser exits when no hub answers). It then does what a learner's browser does first (the lab page
for notebook 00, the listing and the notebook, the translations and settings JupyterLab fetches) and starts and
stops a kernel through the server, sampling the server's proportional set size (PSS, as bench_learner.py) every
0.2 s, and prints the peak. The kernel is not counted: bench_learner.py has it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_learner import pss_mb

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "bench-server"


def serve(argv: list[str]) -> None:
    """The server process: jupyterhub-singleuser's modules, then JupyterLab's server with ``argv``."""
    # What jupyterhub-singleuser adds to JupyterLab's server (it cannot itself start without a hub).
    import jupyterhub.services.auth
    import jupyterhub.singleuser.extension  # noqa: F401
    from jupyterlab.labapp import main

    sys.argv = ["jupyter-lab", *argv]
    main()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def call(port: int, path: str, method: str = "GET", body: bytes | None = None) -> bytes:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/{path}", data=body, method=method, headers={"Authorization": f"token {TOKEN}"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read()


def run(seconds: float) -> int:
    work = Path(tempfile.mkdtemp(prefix="kit-bench-server-"))
    root, home = work / "lambda-url-kit", work / "home"
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    home.mkdir()
    port = free_port()
    argv = [
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--ServerApp.token={TOKEN}",
        f"--ServerApp.root_dir={root}",
        "--ServerApp.jpserver_extensions=infra.server_proxy=True",
        "--LabApp.extension_manager=readonly",
        *(["--allow-root"] if os.getuid() == 0 else []),
    ]
    environ = {
        **os.environ,
        "HOME": str(home),
        "JUPYTER_CONFIG_DIR": str(home / ".jupyter"),
        "JUPYTER_DATA_DIR": str(home / ".local" / "share" / "jupyter"),
        "JUPYTER_RUNTIME_DIR": str(work / "runtime"),
        "KIT_STATE_DIR": os.environ.get("KIT_STATE_DIR", str(work / "state")),
        "PYTHONPATH": str(ROOT),
    }
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", *argv],
        env=environ,
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    peak = 0.0
    sampling = True

    def sample() -> None:
        nonlocal peak
        while sampling:
            peak = max(peak, pss_mb(server.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                call(port, "api/status")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the server did not start") from None
                time.sleep(0.3)
        sampler.start()
        for path in (
            "lab/tree/notebooks/00_setup.ipynb",
            "api/contents/notebooks",
            "api/contents/notebooks/00_setup.ipynb",
            "lab/api/translations",
            "lab/api/settings",
            "api/kernelspecs",
            "api/sessions",
        ):
            call(port, path)
        kernel = json.loads(call(port, "api/kernels", "POST", json.dumps({"name": "python3"}).encode()))
        time.sleep(seconds / 2)
        call(port, f"api/kernels/{kernel['id']}", "DELETE")
        time.sleep(seconds / 2)
        steady = pss_mb(server.pid)
    finally:
        sampling = False
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    import jupyterhub
    import jupyterlab

    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"JupyterLab {jupyterlab.__version__}, jupyterhub {jupyterhub.__version__}'s single-user modules")
    print(f"a learner's Jupyter server: peak {peak:.0f} MB PSS, {steady:.0f} MB after its kernel stopped")
    return 0


def main() -> int:
    if sys.argv[1:2] == ["--serve"]:
        serve(sys.argv[2:])
        return 0
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20.0, help="how long to sample, kernel running and after")
    return run(parser.parse_args().seconds)


if __name__ == "__main__":
    sys.exit(main())
