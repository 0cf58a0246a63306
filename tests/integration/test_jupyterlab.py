"""README command 1's last step, ``python -m infra.lab``: the local cloud is up and JupyterLab serves notebook 00."""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import sys
import urllib.request
from pathlib import Path

from infra.local import control
from tests.jupyter_process import running, server_options


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read()


def test_jupyterlab_opens_the_first_notebook_with_the_local_cloud_up(tmp_path: Path) -> None:
    port, token = control.free_port(), secrets.token_hex(8)
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "infra.lab", *server_options(port, token, tmp_path)]
    with running(command, tmp_path / "lab.log", f"{base}/api/status", params={"token": token}):
        status, body = _get(f"{base}/api/status?token={token}")
        assert status == 200 and "started" in json.loads(body)
        assert control.running() is not None  # the local cloud the notebooks attach to
        assert "local cloud: http://127.0.0.1:" in (tmp_path / "lab.log").read_text()
        status, page = _get(f"{base}/lab/tree/notebooks/00_setup.ipynb?token={token}")
        assert status == 200 and b"JupyterLab" in page
        status, model = _get(f"{base}/api/contents/notebooks/00_setup.ipynb?token={token}")
        assert json.loads(model)["type"] == "notebook"
        printed = re.findall(r"http://127\.0\.0\.1:\d+/\S+", (tmp_path / "lab.log").read_text())
        # the link a learner copies opens notebook 00, not the Launcher (a token given is printed as "...")
        assert printed and {url.split("?")[0] for url in printed} == {f"{base}/lab/tree/notebooks/00_setup.ipynb"}


def test_lang_ko_opens_the_korean_first_notebook_with_jupyterlabs_korean_interface(tmp_path: Path) -> None:
    """``python -m infra.lab --lang ko``: the translation setting's default is ``ko_KR`` in this JupyterLab only,
    the Korean language pack is served, ``notebooks/ko/00_setup.ipynb`` opens, and the server (so every kernel
    it starts) has ``KIT_LANG=ko``."""
    port, token = control.free_port(), secrets.token_hex(8)
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "infra.lab", "--lang", "ko", *server_options(port, token, tmp_path)]
    with running(command, tmp_path / "lab.log", f"{base}/api/status", params={"token": token}) as lab:
        plugin = "@jupyterlab/translation-extension:plugin"
        _, body = _get(f"{base}/lab/api/settings/{plugin}?token={token}")
        assert json.loads(body)["schema"]["properties"]["locale"]["default"] == "ko_KR"
        _, body = _get(f"{base}/lab/api/translations/ko_KR?token={token}")
        assert json.loads(body)["data"]["jupyterlab"]["menu\x04File"] == ["파일"]
        status, model = _get(f"{base}/api/contents/notebooks/ko/00_setup.ipynb?token={token}")
        assert status == 200 and json.loads(model)["type"] == "notebook"
        if Path(f"/proc/{lab.pid}/environ").exists():  # Linux: what the kernels inherit
            environ = Path(f"/proc/{lab.pid}/environ").read_bytes().split(b"\0")
            assert b"KIT_LANG=ko" in environ


def test_an_unknown_language_is_refused_with_the_choices_before_anything_starts() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "infra.lab", "--lang", "jp", "--no-browser"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "--lang 'jp' is not a language of the kit: use one of en, ko" in done.stderr
