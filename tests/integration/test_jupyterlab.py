"""README command 1's last step, ``python -m infra.lab``: the local cloud is up and JupyterLab serves notebook 00."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from infra.local import control


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read()


def test_jupyterlab_opens_the_first_notebook_with_the_local_cloud_up(tmp_path: Path) -> None:
    port, token = control.free_port(), secrets.token_hex(8)
    with open(tmp_path / "lab.log", "wb") as log:
        lab = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "infra.lab",
                "--no-browser",
                f"--port={port}",
                "--ServerApp.ip=127.0.0.1",
                f"--IdentityProvider.token={token}",
                f"--ServerApp.runtime_dir={tmp_path}",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, body = _get(f"http://127.0.0.1:{port}/api/status?token={token}")
                break
            except OSError:
                if time.monotonic() > deadline or lab.poll() is not None:
                    raise AssertionError((tmp_path / "lab.log").read_text()[-3000:]) from None
                time.sleep(0.5)
        assert status == 200 and "started" in json.loads(body)
        assert control.running() is not None  # the local cloud the notebooks attach to
        assert "local cloud: http://127.0.0.1:" in (tmp_path / "lab.log").read_text()
        status, page = _get(f"http://127.0.0.1:{port}/lab/tree/notebooks/00_setup.ipynb?token={token}")
        assert status == 200 and b"JupyterLab" in page
        status, model = _get(f"http://127.0.0.1:{port}/api/contents/notebooks/00_setup.ipynb?token={token}")
        assert json.loads(model)["type"] == "notebook"
    finally:
        lab.terminate()
        lab.wait(30)
