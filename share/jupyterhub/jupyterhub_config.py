"""A JupyterHub for a class on one machine, with the kit installed once for every learner.

Run it as root from the kit's folder, with the kit's own interpreter (see share/jupyterhub/README.md):

    sudo .venv/bin/jupyterhub -f share/jupyterhub/jupyterhub_config.py

- Learners log in with their Unix accounts (PAM); ``KIT_HUB_ROSTER`` names a file of the learners allowed in, one
  name a line (without it, any Unix user of the machine may log in).
- Each learner's Jupyter server runs as that learner (LocalProcessSpawner), from the kit's virtualenv, with the kit's
  extension that carries their Function URLs, distributions and custom domains through their own server
  (``/user/<name>/kit/<host>/...``, ``infra/server_proxy.py``): their browser reaches only the hub.
- Each learner's local cloud lives in their own home (``~/.lambda-url-kit``, 0700) and stops with their server.
- The first start copies the notebooks into ``~/lambda-url-kit`` (the learner's own copy to run and change).
- Idle servers are stopped after ``KIT_HUB_IDLE_SECONDS`` (default one hour) by jupyterhub-idle-culler.
- A class in aws mode: ``KIT_HUB_CLASS_CREDENTIALS`` names the ``hub-environment.json`` that
  ``python -m infra.classroom create`` wrote; each learner's server then gets their own ``KIT_MODE=aws``,
  ``KIT_LEARNER``, ``KIT_REGION`` and access key, and a hub user the file does not name is refused a server.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import sys
from pathlib import Path

KIT = Path(__file__).resolve().parents[2]
c = get_config()  # type: ignore[name-defined]  # noqa: F821  (JupyterHub's config loader provides it)

c.JupyterHub.bind_url = os.environ.get("KIT_HUB_URL", "http://0.0.0.0:8000")
c.JupyterHub.authenticator_class = "pam"
roster = os.environ.get("KIT_HUB_ROSTER")
if roster:
    c.Authenticator.allowed_users = {line.strip() for line in Path(roster).read_text().splitlines() if line.strip()}

c.Spawner.cmd = [sys.executable, "-m", "jupyterhub.singleuser"]
c.Spawner.args = ["--ServerApp.jpserver_extensions=infra.server_proxy=True"]
c.Spawner.notebook_dir = "~/lambda-url-kit"
c.Spawner.default_url = "/lab/tree/notebooks/00_setup.ipynb"
c.Spawner.environment = {"KIT_MODE": "local", "KIT_LANG": os.environ.get("KIT_LANG", "en")}
c.Spawner.http_timeout = 60


def copy_the_notebooks(spawner) -> None:  # type: ignore[no-untyped-def]
    """Give the learner their own copy of the notebooks on the first start (never overwriting their work)."""
    user = pwd.getpwnam(spawner.user.name)
    target = Path(user.pw_dir) / "lambda-url-kit" / "notebooks"
    if target.exists():
        return
    shutil.copytree(KIT / "notebooks", target)
    for folder in (target.parent, *target.rglob("*")):
        os.chown(folder, user.pw_uid, user.pw_gid)
    os.chown(target, user.pw_uid, user.pw_gid)


def class_credentials(spawner) -> None:  # type: ignore[no-untyped-def]
    """In a class in aws mode, the learner's own credentials and settings from ``KIT_HUB_CLASS_CREDENTIALS``."""
    path = os.environ.get("KIT_HUB_CLASS_CREDENTIALS")
    if not path:
        return
    learners = json.loads(Path(path).read_text())
    name = spawner.user.name
    if name not in learners:
        raise RuntimeError(
            f"{name} has no class credentials in {path}: add them to the roster and run "
            "python -m infra.classroom create again"
        )
    spawner.environment = {**spawner.environment, **learners[name]}


def before_spawn(spawner) -> None:  # type: ignore[no-untyped-def]
    copy_the_notebooks(spawner)
    class_credentials(spawner)


c.Spawner.pre_spawn_hook = before_spawn

idle = os.environ.get("KIT_HUB_IDLE_SECONDS", "3600")
c.JupyterHub.services = [
    {"name": "idle-culler", "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={idle}"]}
]
c.JupyterHub.load_roles = [
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    }
]
