"""A real browser watches streams grow: the live widget of notebook 04 in JupyterLab, and a counter URL's
page. Headless Chromium (Debian's, which ``.ci/run`` installs) is driven by Playwright with its
``executable_path``; skipped where Chromium is not installed."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infra.local import control
from infra.packaging import STREAMING_ENVIRONMENT, build_streaming_zip
from tests.browser.chromium import CHROMIUM, FLAGS, needs_chromium, trust_local_ca
from tests.local_cloud import create_python_function, public_url

ROOT = Path(__file__).resolve().parents[2]
pytestmark = needs_chromium


def _readings(read, count: int = 2, gap: float = 2.5, timeout: float = 120) -> list[int]:  # type: ignore[no-untyped-def]
    """``count`` readings of ``read()`` taken ``gap`` seconds apart, starting at the first positive one."""
    deadline = time.monotonic() + timeout
    while (value := read()) <= 0:
        if time.monotonic() > deadline:
            raise AssertionError("the stream never started in the browser")
        time.sleep(0.25)
    values = [value]
    for _ in range(count - 1):
        time.sleep(gap)
        values.append(read())
    return values


@pytest.fixture
def counter_url(aws, role_arn) -> Iterator[str]:
    """The streaming counter behind a public RESPONSE_STREAM URL; deleted afterwards."""
    lam = aws("lambda")
    name = f"browser-counter-{secrets.token_hex(3)}"
    create_python_function(
        lam,
        name,
        role_arn,
        build_streaming_zip("counter"),
        Handler="counter.handler",
        Timeout=60,
        Environment={"Variables": STREAMING_ENVIRONMENT},
    )
    yield public_url(lam, name, invoke_mode="RESPONSE_STREAM")
    lam.delete_function(FunctionName=name)


def _watch_page_grow(address: str) -> Any:
    """Open ``address`` in Chromium and check that its lines grow while the stream runs; the response."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[*FLAGS, trust_local_ca()])  # HTTPS at the edge
        page = browser.new_page()
        response = page.goto(address + "?to=12&interval=0.5", wait_until="commit")

        def lines() -> int:
            return len(re.findall(r"^\d+ ", page.evaluate("document.body ? document.body.innerText : ''"), re.M))

        first, later = _readings(lines, gap=2.0)
        assert 0 < first < later
        headers = dict(response.headers) if response is not None else {}
        browser.close()
    return headers


def test_the_counter_url_grows_in_the_browser(counter_url: str, endpoint: str) -> None:
    port = endpoint.rsplit(":", 1)[1]
    _watch_page_grow(counter_url.replace("https://", "http://").replace(".on.aws/", f".localhost:{port}/"))


def test_the_counter_streams_through_a_distribution_in_the_browser(counter_url: str, aws, endpoint: str) -> None:
    from infra.steps.cloudfront import Origin, distribution_config

    config = distribution_config(f"browser-{secrets.token_hex(3)}", Origin(counter_url))
    dist = aws("cloudfront", "us-east-1").create_distribution(DistributionConfig=config)["Distribution"]
    port = endpoint.rsplit(":", 1)[1]
    headers = _watch_page_grow(f"http://{dist['DomainName'].replace('.net', '.localhost')}:{port}/")
    assert headers["x-cache"] == "Miss from cloudfront"


def test_the_live_widget_of_notebook_04_counts_up_in_jupyterlab(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    control.start()
    # a copy of the notebooks (and the handlers they read), so running them leaves the repository untouched
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks")
    shutil.copytree(ROOT / "handlers", tmp_path / "handlers")
    port, token = control.free_port(), secrets.token_hex(8)
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        f"--port={port}",
        "--ServerApp.ip=127.0.0.1",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={tmp_path}",
        "--LabApp.expose_app_in_browser=True",
        f"--ServerApp.runtime_dir={tmp_path / 'runtime'}",
    ]
    if os.name == "posix" and os.geteuid() == 0:
        command.append("--allow-root")
    lab = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = browser.new_page()
            deadline = time.monotonic() + 60
            while True:
                try:
                    page.goto(f"http://127.0.0.1:{port}/lab/tree/notebooks/04_response_streaming.ipynb?token={token}")
                    break
                except Exception:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.5)
            page.wait_for_function("window.jupyterapp && document.querySelector('.jp-Notebook')", timeout=60_000)
            deadline = time.monotonic() + 90
            status = ""
            while "idle" not in status.split():  # the kernel has started and is waiting
                if time.monotonic() > deadline:
                    page.screenshot(path=str(tmp_path / "lab.png"))
                    raise AssertionError(f"the kernel never became idle ({status!r}); see {tmp_path / 'lab.png'}")
                time.sleep(0.5)
                status = page.evaluate(
                    "(() => { const w = window.jupyterapp.shell.currentWidget;"
                    " const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;"
                    " return k ? k.status : ''; })()"
                )
            # fresh outputs, then run every cell; not awaited (the command's promise ends with the last cell)
            page.evaluate("window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
            page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")

            def lines_in_widget() -> int:
                texts = page.locator(".widget-html").all_inner_texts()
                for text in texts:
                    match = re.search(r"(\d+) lines", text)
                    if match:
                        return int(match.group(1))
                return 0

            first, later = _readings(lines_in_widget, gap=3.0, timeout=150)
            assert 0 < first < later

            def lines_in_chart() -> int:  # the live chart redraws with every line
                counts = page.locator(".kit-stream-chart").evaluate_all("els => els.map(e => +e.dataset.lines)")
                return max(counts, default=0)

            first, later = _readings(lines_in_chart, gap=3.0, timeout=60)
            assert 0 < first < later
            browser.close()
    finally:
        lab.terminate()
        lab.wait(30)
