"""``python -m infra.lab``: start (or attach to) the local cloud, then open the kit in JupyterLab.

Extra arguments go to ``jupyter lab`` (for example ``--no-browser --port 8890``). In aws mode
(``KIT_MODE=aws``) no local cloud is started.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .local import control
from .settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def lab_command(extra: list[str]) -> list[str]:
    command = [sys.executable, "-m", "jupyter", "lab", "notebooks/00_setup.ipynb", f"--ServerApp.root_dir={ROOT}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers and CI machines run as root
    return command + extra


def main(argv: list[str] | None = None) -> int:
    settings = Settings.from_env()
    if settings.mode == "local":
        info = control.start()
        print(f"local cloud: {info.endpoint} (stop it with: python -m infra.local stop)", flush=True)
    else:
        print(f"aws mode: region {settings.region}, learner prefix '{settings.learner}'", flush=True)
    command = lab_command(list(sys.argv[1:] if argv is None else argv))
    os.chdir(ROOT)
    if os.name == "posix":
        os.execv(command[0], command)
    import subprocess

    return subprocess.call(command)


if __name__ == "__main__":
    sys.exit(main())
