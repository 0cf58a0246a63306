"""JupyterLab in Korean, as ``python -m infra.lab --lang ko`` opens it: the interface is Korean, Hangul is drawn
with a real CJK font (not empty boxes), and notebook 04 in Korean runs up to its live 35-second counter, which
counts past 29 in the widget. A screenshot is kept under the test's tmp path and at ``SCREENSHOT`` (printed).

Where no font with Hangul is installed the test is skipped outside CI; in CI (``CI=true``) it runs and fails,
since ``.ci/run`` installs one (``fonts-noto-cjk``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

from infra import lab
from infra.local import control
from tests.browser.chromium import CHROMIUM, FLAGS, needs_chromium

ROOT = Path(__file__).resolve().parents[2]
KO = lab.LANGUAGES["ko"]
NOTEBOOK = f"{KO.notebooks}/04_response_streaming.ipynb"
SCREENSHOT = Path(tempfile.gettempdir()) / "lambda-url-kit" / "jupyterlab-ko-04.png"
MENUS = ["파일", "편집", "보기", "실행", "커널", "탭", "설정", "도움말"]  # the Korean pack's File ... Help
BOX = "\U0010fffd"  # a noncharacter: no font has it, so it is drawn as the missing-glyph box
#: The widget's latest counter line, in Korean words (infra/stream_view.readable: "22번째 줄: 시작 21.0초 후에 ...").
COUNTER_LINE = re.compile(r"^\s*(\d+)번째 줄: 시작 \d+\.\d초 후에 쓰고, \d+\.\d초 후에 도착\s*$")


def _hangul_fonts() -> set[str]:
    """The font families fontconfig (which Chromium asks) knows to have Hangul."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return set()
    found = subprocess.run([fc_list, ":lang=ko", "family"], capture_output=True, text=True, check=False)
    return {name.strip() for line in found.stdout.splitlines() for name in line.split(",") if name.strip()}


pytestmark = [
    needs_chromium,
    pytest.mark.skipif(
        not _hangul_fonts() and os.environ.get("CI") != "true",
        reason="no font with Hangul is installed (apt-get install fonts-noto-cjk); in CI this test runs and fails",
    ),
]

# Draws text on a canvas in the page's own font and returns each drawing's alpha channel: Hangul drawn with a
# real font gives a different picture for each syllable; without one every syllable is the same empty box,
# the one drawn for a noncharacter that no font has (U+10FFFD).
_DRAWINGS = """async (texts) => {
  await document.fonts.ready;
  const canvas = document.createElement('canvas');
  canvas.width = 64; canvas.height = 64;
  const g = canvas.getContext('2d', {willReadFrequently: true});
  const family = getComputedStyle(document.querySelector('.lm-MenuBar-itemLabel')).fontFamily;
  return texts.map((text) => {
    g.clearRect(0, 0, 64, 64);
    g.font = `48px ${family}`;
    g.textBaseline = 'top';
    g.fillText(text, 4, 4);
    const alpha = g.getImageData(0, 0, 64, 64).data.filter((_, i) => i % 4 === 3);
    return Array.from(alpha).join(',');
  });
}"""


def _korean_notebooks(into: Path) -> None:
    """A copy of the notebooks (and the handlers they read), so running them leaves the repository untouched."""
    shutil.copytree(ROOT / "notebooks", into / "notebooks")
    shutil.copytree(ROOT / "handlers", into / "handlers")


def _counter_cell(notebook: Path) -> int:
    """The index of the cell that streams the 35-second counter into the live widget."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    for index, cell in enumerate(cells):
        source = "".join(cell["source"])
        if cell["cell_type"] == "code" and "stream_view.watch(" in source and "to=35" in source:
            return index
    raise AssertionError(f"{notebook} has no cell that watches the 35-second counter")


def _start_lab(root: Path, state: Path, port: int, token: str) -> subprocess.Popen[bytes]:
    """JupyterLab as ``python -m infra.lab --lang ko`` starts it, from ``root``, on its own port and state."""
    extra = [
        "--no-browser",
        f"--port={port}",
        "--ServerApp.ip=127.0.0.1",
        f"--IdentityProvider.token={token}",
        "--LabApp.expose_app_in_browser=True",
        f"--ServerApp.runtime_dir={root / 'runtime'}",
        # the machine's own user settings and workspaces stay out of it (a language picked there would win)
        f"--LabApp.user_settings_dir={root / 'user-settings'}",
        f"--LabApp.workspaces_dir={root / 'workspaces'}",
    ]
    # the kernels import this checkout's infra (the notebooks' copy is in a tmp folder, away from the repository)
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    env = lab.lab_environment(KO, {**os.environ, "KIT_STATE_DIR": str(state), "PYTHONPATH": path})
    log = open(root / "lab.log", "wb")  # noqa: SIM115 (closed when the process is)
    return subprocess.Popen(lab.lab_command(extra, KO, root=root), cwd=root, env=env, stdout=log, stderr=log)


def _open(page: Any, url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            page.goto(url)
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _wait(page: Any, what: str, read: Any, until: Any, timeout: float, shot: Path) -> Any:
    deadline = time.monotonic() + timeout
    while not until(value := read()):
        if time.monotonic() > deadline:
            page.screenshot(path=str(shot))
            raise AssertionError(f"{what} (last seen: {value!r}); see {shot}")
        time.sleep(0.5)
    return value


def _platform_fonts(page: Any, selector: str) -> list[str]:
    """The fonts Chromium really drew the first ``selector`` element's text with (CDP's getPlatformFontsForNode)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    document = cdp.send("DOM.getDocument", {"depth": 0})
    node = cdp.send("DOM.querySelector", {"nodeId": document["root"]["nodeId"], "selector": selector})
    text = cdp.send("DOM.describeNode", {"nodeId": node["nodeId"], "depth": 1})["node"]["children"][0]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": text["nodeId"]})["fonts"]
    return [font["familyName"] for font in fonts]


@pytest.mark.timeout(600)
def test_jupyterlab_in_korean_runs_notebook_04s_live_counter_past_29(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    _korean_notebooks(tmp_path)
    counter = _counter_cell(tmp_path / NOTEBOOK)
    state, port, token = tmp_path / "state", control.free_port(), secrets.token_hex(8)
    control.start(directory=state)
    jupyter = _start_lab(tmp_path, state, port, token)
    shot = tmp_path / "jupyterlab-ko-04.png"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="ko-KR")
            _open(page, f"http://127.0.0.1:{port}/lab/tree/{NOTEBOOK}?token={token}")
            page.wait_for_function("window.jupyterapp && document.querySelector('.jp-Notebook')", timeout=90_000)

            # the interface is Korean: the menu bar reads 파일 편집 보기 ... and the page says it is Korean
            menus = _wait(
                page,
                "the menu bar never read 파일 편집 보기 ...",
                lambda: page.locator(".lm-MenuBar-itemLabel").all_inner_texts(),
                lambda labels: labels[: len(MENUS)] == MENUS,
                60,
                shot,
            )
            assert menus[: len(MENUS)] == MENUS
            assert page.evaluate("document.documentElement.lang") == "ko-KR"

            # Hangul is drawn with a real font that has it: distinct glyphs, none of them the empty box
            hangul = ["파", "일", "한", "글"]
            *drawn, box = [
                hashlib.sha256(d.encode()).hexdigest()[:12] for d in page.evaluate(_DRAWINGS, [*hangul, BOX])
            ]
            assert len(set(drawn)) == len(hangul), f"{hangul} are drawn alike ({drawn}): no font has Hangul"
            assert box not in drawn, "Hangul is drawn as the empty box of a character no font has"
            fonts = _platform_fonts(page, ".lm-MenuBar-itemLabel")  # what drew 파일
            assert set(fonts) & _hangul_fonts(), f"파일 was drawn with {fonts}, none of which has Hangul"

            def kernel_status() -> str:
                return page.evaluate(
                    "(() => { const w = window.jupyterapp.shell.currentWidget;"
                    " const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;"
                    " return k ? k.status : ''; })()"
                )

            _wait(page, "the kernel never became idle", kernel_status, lambda s: s == "idle", 120, shot)

            # fresh outputs, then every cell up to and including the counter's (not awaited: the command's
            # promise ends with the last cell)
            page.evaluate("window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
            page.evaluate(
                """(counter) => {
                  const notebook = window.jupyterapp.shell.currentWidget.content;
                  const last = counter + 1 >= notebook.widgets.length;
                  if (!last) notebook.activeCellIndex = counter + 1;
                  window.kitRun = 'running';
                  window.jupyterapp.commands.execute(last ? 'notebook:run-all-cells' : 'notebook:run-all-above')
                    .then((ok) => { window.kitRun = ok ? 'done' : 'failed'; }, (e) => { window.kitRun = `${e}`; });
                }""",
                counter,
            )

            def count_in_widget() -> int:
                run = page.evaluate("window.kitRun")
                if run not in ("running", "done"):  # a cell failed: say which, rather than wait
                    page.screenshot(path=str(shot))
                    errors = page.locator(".jp-OutputArea-output[data-mime-type$='stderr']").all_inner_texts()
                    raise AssertionError(f"running the notebook stopped ({run}): {errors[-1:]}; see {shot}")
                texts = page.evaluate(
                    """(counter) => {
                      const cell = window.jupyterapp.shell.currentWidget.content.widgets[counter];
                      return Array.from(cell.node.querySelectorAll('.widget-html')).map((e) => e.innerText);
                    }""",
                    counter,
                )
                counts = [int(m.group(1)) for text in texts if (m := COUNTER_LINE.match(text))]
                return max(counts, default=0)

            seen = _wait(
                page, "the counter never passed 29 in the widget", count_in_widget, lambda n: n > 29, 300, shot
            )
            assert seen > 29
            page.locator(".jp-Notebook .jp-Cell").nth(counter).scroll_into_view_if_needed()
            page.screenshot(path=str(shot))
            browser.close()
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, SCREENSHOT)
        print(f"screenshot of JupyterLab in Korean, the counter at {seen}: {SCREENSHOT}")
    finally:
        jupyter.terminate()
        jupyter.wait(30)
        control.stop(state)
