"""A Jupyter process for a test (JupyterLab, a Jupyter server, a JupyterHub): started with its log in a file,
waited for until a URL of it answers 200, and stopped."""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx


def server_options(port: int, token: str, runtime_dir: Path) -> list[str]:
    """The options every test's Jupyter server gets: loopback, its own port, token and runtime folder."""
    options = [
        "--no-browser",
        f"--port={port}",
        "--ServerApp.ip=127.0.0.1",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.runtime_dir={runtime_dir}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        options.append("--allow-root")  # CI runs as root
    return options


@contextlib.contextmanager
def running(
    command: list[str], log: Path, ready: str, *, params: dict[str, str] | None = None, timeout: float = 90, **popen
) -> Iterator[subprocess.Popen[bytes]]:
    """Start ``command`` (its output to ``log``), wait until ``ready`` answers 200, and stop it at the end.

    If it exits or does not answer within ``timeout``, the test fails with the end of its log.
    """
    with open(log, "wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, **popen)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(ready, params=params, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise AssertionError(log.read_text(errors="replace")[-4000:])
            time.sleep(0.3)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
