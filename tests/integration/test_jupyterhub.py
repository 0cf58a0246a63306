"""A class on one JupyterHub (``share/jupyterhub/jupyterhub_config.py``), reached only through the hub's URL.

A real JupyterHub (from PyPI, with configurable-http-proxy from npm) runs the shipped configuration with two Unix
learners (the test creates them; only a dummy authenticator replaces PAM). Each learner has a function with a
public Function URL in their own local cloud, in their own home. Through the hub's port alone, each reaches their
own URL path-style through their own Jupyter server; neither reaches the other's: not through the other's server
(the hub refuses), and not through their own (their local cloud does not know the other's url-id).

The kit is installed once for all learners, as an instructor installs it (share/jupyterhub/README.md): a copy of
the kit's folder in a place every user can read, with a virtualenv of the system's Python 3 (the kit's own
interpreter may live where other users cannot enter, as under /root here). Runs where it can prove it: Linux, as
root (as CI runs), ``useradd``, ``npm``, ``/usr/bin/python3``; it skips with the reason otherwise.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from infra.local import control
from tests.jupyter_process import running

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
LEARNERS = ("kithubann", "kithubbo")
CHP_DIR = Path(os.environ.get("KIT_CHP_DIR") or Path.home() / ".cache" / "lambda-url-kit" / "chp")
CHP_VERSION = "5.3.0"
SYSTEM_PYTHON = "/usr/bin/python3"

DEPLOY = textwrap.dedent(
    """
    import infra
    from infra import deploy, packaging
    kit = infra.connect()
    lam, iam = kit.client("lambda"), kit.client("iam")
    role = deploy.ensure_execution_role(iam, kit.name("hub-role"), tags=kit.tags)
    name = kit.name("hello")
    deploy.ensure_function(lam, name, role_arn=role.arn, zip_bytes=packaging.build_zip("hello"),
                           handler="hello.handler")
    url = deploy.ensure_function_url(lam, name).url
    deploy.ensure_public_url_permissions(lam, name)
    print(url)
    """
)


def _why_not() -> str | None:
    if not (sys.platform.startswith("linux") and hasattr(os, "getuid") and os.getuid() == 0):
        return "needs Linux and root to run learners' servers as their own Unix users"
    if not shutil.which("useradd"):
        return "needs useradd to create the learners"
    if not (CHP_DIR / "node_modules" / ".bin" / "configurable-http-proxy").exists() and not shutil.which("npm"):
        return "needs npm to install configurable-http-proxy"
    if not Path(SYSTEM_PYTHON).exists():
        return f"needs {SYSTEM_PYTHON} to install the kit for every learner"
    return None


def _enterable(path: Path) -> bool:
    """Can every user reach ``path`` (each folder on the way lets others through, the last lets them read)?"""
    folder = path
    while folder != folder.parent:
        if not os.stat(folder).st_mode & 0o001:
            return False
        folder = folder.parent
    return bool(os.stat(path).st_mode & 0o004)


@pytest.fixture(scope="module")
def shared_kit(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The kit installed once for every user: ``(its interpreter, its folder)``.

    A virtualenv of the system's Python in a folder everyone can read. Where the kit's folder and its packages
    are readable by all and the Python versions match, the virtualenv takes the kit's packages (a ``.pth`` file:
    seconds); otherwise a copy of the kit gets its own install, as an instructor's would (minutes).
    """
    why = _why_not()
    if why:
        pytest.skip(why)
    site = Path(next(p for p in sys.path if p.endswith("site-packages") and p.startswith(sys.prefix)))
    version = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True, text=True, check=True
    ).stdout.strip()
    place = Path(tempfile.mkdtemp(prefix="kit-hub-", dir="/tmp"))
    os.chmod(place, 0o755)
    venv = place / "venv"
    subprocess.run([SYSTEM_PYTHON, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    if version == str(sys.version_info[:2]) and _enterable(ROOT) and _enterable(site):
        own_site = Path(
            subprocess.run(
                [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
        )
        # addsitedir, not a bare path: the kit's own .pth files (its editable install) must be read too.
        (own_site / "kit.pth").write_text(f"import site; site.addsitedir({str(site)!r})\n")
        for shared in ("etc/jupyter", "share/jupyter"):  # the Jupyter extensions' settings and JupyterLab's pages
            (venv / shared).parent.mkdir(parents=True, exist_ok=True)
            (venv / shared).symlink_to(Path(sys.prefix) / shared)
        kit = ROOT
    else:
        kit = place / "lambda-url-kit"
        shutil.copytree(
            ROOT,
            kit,
            ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", "*.pyc", ".pytest_cache", "*.egg-info"),
        )
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "-r", "share/jupyterhub/requirements.txt", "-e", "."],
            cwd=kit,
            check=True,
            capture_output=True,
            timeout=1800,
        )
    subprocess.run(["chmod", "-R", "a+rX", str(place)], check=True)
    return python, kit


def _proxy_command() -> str:
    binary = CHP_DIR / "node_modules" / ".bin" / "configurable-http-proxy"
    if not binary.exists():
        CHP_DIR.mkdir(parents=True, exist_ok=True)
        (CHP_DIR / "package.json").write_text('{"name": "kit-chp", "private": true}\n')
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", f"configurable-http-proxy@{CHP_VERSION}"],
            cwd=CHP_DIR,
            check=True,
            capture_output=True,
            timeout=600,
        )
    return str(binary)


@pytest.fixture(scope="module")
def learners(shared_kit: tuple[Path, Path]) -> Iterator[list[pwd.struct_passwd]]:
    python, kit = shared_kit
    made = []
    for name in LEARNERS:
        try:
            pwd.getpwnam(name)
        except KeyError:
            subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", name], check=True)
            made.append(name)
    try:
        yield [pwd.getpwnam(name) for name in LEARNERS]
    finally:
        for name in LEARNERS:
            subprocess.run(
                [
                    "runuser",
                    "-u",
                    name,
                    "--",
                    str(python),
                    "-m",
                    "infra.local",
                    "stop",
                ],
                cwd=kit,
                capture_output=True,
                check=False,
                env={"HOME": pwd.getpwnam(name).pw_dir, "PATH": os.environ.get("PATH", "")},
            )
        for name in made:
            subprocess.run(["userdel", "--remove", name], check=False, capture_output=True)


@pytest.fixture(scope="module")
def hub(shared_kit: tuple[Path, Path], learners, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The shipped hub configuration, on loopback, with a dummy password: ``(hub URL, password)``."""
    folder = tmp_path_factory.mktemp("hub")
    os.chmod(folder, 0o755)
    port, api_port, hub_port = control.free_port(), control.free_port(), control.free_port()
    password = secrets.token_hex(8)
    (folder / "test_config.py").write_text(
        textwrap.dedent(
            f"""
            import os
            os.environ["KIT_HUB_URL"] = "http://127.0.0.1:{port}"
            load_subconfig({str(shared_kit[1] / "share" / "jupyterhub" / "jupyterhub_config.py")!r})
            c.JupyterHub.authenticator_class = "dummy"
            c.DummyAuthenticator.password = {password!r}
            c.Authenticator.allowed_users = {set(LEARNERS)!r}
            c.JupyterHub.hub_bind_url = "http://127.0.0.1:{hub_port}"
            c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"
            c.ConfigurableHTTPProxy.command = [{_proxy_command()!r}]
            c.JupyterHub.cookie_secret_file = {str(folder / "cookie_secret")!r}
            c.JupyterHub.db_url = "sqlite:///{folder / "hub.sqlite"}"
            # the browser test drives JupyterLab through its application object
            c.Spawner.args = [*c.Spawner.args, "--LabApp.expose_app_in_browser=True"]
            """
        )
    )
    command = [str(shared_kit[0]), "-m", "jupyterhub", "-f", str(folder / "test_config.py")]
    url = f"http://127.0.0.1:{port}"
    with running(command, folder / "hub.log", f"{url}/hub/health", cwd=folder):
        yield url, password


def _deploy_as(python: Path, kit: Path, user: pwd.struct_passwd, script: str = DEPLOY) -> str:
    """A public Function URL in the learner's own local cloud (started in their home, as their notebook would)."""
    done = subprocess.run(
        ["runuser", "-u", user.pw_name, "--", str(python), "-c", script],
        cwd=kit,
        capture_output=True,
        text=True,
        timeout=180,
        env={"HOME": user.pw_dir, "PATH": os.environ.get("PATH", ""), "KIT_MODE": "local"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1]


def _log_in(url: str, name: str, password: str) -> httpx.Client:
    """A browser-like client logged in to the hub, with the learner's server started."""
    client = httpx.Client(base_url=url, follow_redirects=True, timeout=60)
    client.get("/hub/login")
    answer = client.post(
        "/hub/login", data={"username": name, "password": password, "_xsrf": client.cookies.get("_xsrf", "")}
    )
    assert answer.status_code == 200, answer.text[-2000:]
    deadline = time.monotonic() + 120
    while True:  # a page of the learner's server (not its API): it completes the hub's OAuth hand-shake
        page = client.get(f"/user/{name}/lab")
        if page.status_code == 200 and f"/user/{name}/lab" in str(page.url):
            break
        assert time.monotonic() < deadline, f"{name}'s server did not start: {page.status_code} {page.url}"
        time.sleep(1)
    return client


def test_each_learner_reaches_their_own_function_url_through_the_hub_and_not_the_others(
    shared_kit: tuple[Path, Path], hub, learners
) -> None:
    url, password = hub
    urls = {user.pw_name: _deploy_as(*shared_kit, user) for user in learners}
    hosts = {name: address.split("//", 1)[1].split("/", 1)[0] for name, address in urls.items()}
    clients = {name: _log_in(url, name, password) for name in LEARNERS}
    try:
        ann, bo = LEARNERS
        for name in LEARNERS:
            own = clients[name].get(f"/user/{name}/kit/{hosts[name]}/hello")
            assert own.status_code == 200, own.text[-2000:]
            assert own.json()["message"] == "Hello, world!"
            assert own.headers.get("x-amzn-requestid")
        # Not through the other learner's server: the hub does not let Ann into Bo's.
        other = clients[ann].get(f"/user/{bo}/kit/{hosts[bo]}/hello", follow_redirects=False)
        assert other.status_code in (302, 403) and "Hello, world!" not in other.text
        followed = clients[ann].get(f"/user/{bo}/kit/{hosts[bo]}/hello")
        assert "Hello, world!" not in followed.text
        # Not through her own server either: her local cloud has no such Function URL.
        mine = clients[ann].get(f"/user/{ann}/kit/{hosts[bo]}/hello")
        assert mine.status_code == 403 and mine.json() == {"Message": None}
        # Nobody logged out reaches anything but the login page.
        anonymous = httpx.get(f"{url}/user/{ann}/kit/{hosts[ann]}/hello", follow_redirects=True, timeout=30)
        assert "Hello, world!" not in anonymous.text and "/hub/login" in str(anonymous.url)
    finally:
        for client in clients.values():
            client.close()


STREAM_DEPLOY = textwrap.dedent(
    """
    import infra
    from infra import deploy, packaging
    kit = infra.connect()
    lam, iam = kit.client("lambda"), kit.client("iam")
    role = deploy.ensure_execution_role(iam, kit.name("hub-role"), tags=kit.tags)
    name = kit.name("hub-counter")
    deploy.ensure_function(lam, name, role_arn=role.arn, zip_bytes=packaging.build_streaming_zip("counter"),
                           handler="counter.handler", timeout=60, environment=packaging.STREAMING_ENVIRONMENT)
    url = deploy.ensure_function_url(lam, name, invoke_mode="RESPONSE_STREAM").url
    deploy.ensure_public_url_permissions(lam, name)
    print(url)
    """
)

# In JupyterLab: every code cell's outputs in the open notebook, as JSON text.
_OUTPUTS = """() => {
  const model = window.jupyterapp.shell.currentWidget.content.model;
  const texts = [];
  for (let i = 0; i < model.cells.length; i++) {
    const cell = model.cells.get(i);
    if (cell.type === 'code') texts.push(JSON.stringify(cell.outputs.toJSON()));
  }
  return texts.join('\\n');
}"""

# In the page: fetch a path and note when each chunk of the body arrives (ms after the first).
_CHUNK_TIMES = """async (path) => {
  const response = await fetch(path);
  const reader = response.body.getReader();
  const times = []; let text = ''; const start = performance.now();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    times.push(performance.now() - start);
    text += new TextDecoder().decode(value);
  }
  return { status: response.status, times, text };
}"""


def test_chromium_runs_notebook_02_for_each_learner_through_the_hub_and_opens_their_links(
    shared_kit: tuple[Path, Path], hub, learners, tmp_path: Path
) -> None:
    """Each learner, in headless Chromium that reaches only the hub's URL: logs in, runs notebook 02 in JupyterLab,
    opens the Function URL link the notebook printed (the hub form, ``/user/<name>/kit/<host>/``) and their streaming
    counter (lines arriving one by one, not at the end), and is refused the other learner's."""
    import re

    from playwright.sync_api import sync_playwright

    from tests.browser.chromium import CHROMIUM, FLAGS

    if CHROMIUM is None:
        pytest.skip("Chromium is not installed")
    url, password = hub
    counters = {user.pw_name: _deploy_as(*shared_kit, user, STREAM_DEPLOY) for user in learners}
    printed: dict[str, str] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        pages = {}
        for name in LEARNERS:
            page = browser.new_context().new_page()
            pages[name] = page
            page.goto(f"{url}/hub/login")
            page.fill("input[name=username]", name)
            page.fill("input[name=password]", password)
            page.locator("input[type=submit], button[type=submit]").first.click()
            page.wait_for_url(re.compile(f"/user/{name}/"), timeout=120_000)
            page.goto(f"{url}/user/{name}/lab/tree/notebooks/02_function_url.ipynb")
            page.wait_for_function("window.jupyterapp && document.querySelector('.jp-Notebook')", timeout=120_000)
            page.wait_for_function(
                "(() => { const w = window.jupyterapp.shell.currentWidget;"
                " const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;"
                " return k && k.status === 'idle'; })()",
                timeout=120_000,
            )
            page.evaluate(
                """() => { window.kitRun = 'running';
                  window.jupyterapp.commands.execute('notebook:run-all-cells')
                    .then((ok) => { window.kitRun = ok ? 'done' : 'failed'; }, (e) => { window.kitRun = `${e}`; }); }"""
            )
            page.wait_for_function("window.kitRun !== 'running'", timeout=240_000)
            outputs = page.evaluate(_OUTPUTS)  # from the model: JupyterLab draws only the cells in view
            page.screenshot(path=str(tmp_path / f"{name}-02.png"))
            assert page.evaluate("window.kitRun") == "done", outputs[-3000:]
            links = re.findall(r"curl '([^']+)'", outputs)
            assert links and f"/user/{name}/kit/" in links[0], outputs[-3000:]
            printed[name] = links[0]
        ann, bo = LEARNERS
        for name in LEARNERS:
            page = pages[name]
            link = printed[name] if printed[name].startswith("http") else url + printed[name]
            page.goto(link)
            assert "Hello, Seoul" in page.inner_text("body")
            host = counters[name].split("//", 1)[1].strip("/")
            seen = page.evaluate(_CHUNK_TIMES, f"/user/{name}/kit/{host}/?to=4&interval=1")
            assert seen["status"] == 200 and len(seen["text"].strip().splitlines()) == 4, seen
            assert seen["times"][-1] - seen["times"][0] > 2500, seen["times"]  # one by one, over seconds
        # Ann's browser is refused Bo's server, and her own server does not know Bo's URL.
        other = pages[ann].goto(url + printed[bo])
        assert other is not None and "Hello, Seoul" not in pages[ann].inner_text("body")
        host_bo = printed[bo].split("/kit/", 1)[1].split("/", 1)[0]
        mine = pages[ann].goto(f"{url}/user/{ann}/kit/{host_bo}/hello")
        assert mine is not None and mine.status == 403
        browser.close()
