"""``python -m infra.lab [--lang en|ko]``: start (or attach to) the local cloud, then open the kit in JupyterLab.

``--lang en`` (the default, or ``KIT_LANG`` when it is set) opens ``notebooks/00_setup.ipynb`` as before.
``--lang ko`` (or ``--lang=ko``) opens ``notebooks/ko/00_setup.ipynb`` with JupyterLab's interface in Korean
(the ``jupyterlab-language-pack-ko-KR`` package in requirements.txt) and exports ``KIT_LANG=ko`` to the kernels.

How the interface language is chosen without writing anywhere: JupyterLab reads the ``locale`` setting of
``@jupyterlab/translation-extension:plugin``; jupyterlab_server layers default-setting overrides from
``labconfig/default_setting_overrides.json`` in every Jupyter config directory (JupyterLab's docs: "JupyterLab
also honors LabConfig Directories ... the labconfig subdirectories of the Jupyter config directories"), and
``JUPYTER_CONFIG_PATH`` puts a directory first on that path. So the Korean folder ships in ``infra/lab_config/ko``
and only this JupyterLab process (and what it starts) sees it: the learner's own ``~/.jupyter`` is never
touched. An override is a default, so a language the learner picked themselves in Settings > Language (kept
in their user settings) still wins; that is a choice of the kit.

Any other argument goes to ``jupyter lab`` (for example ``--no-browser --port 8890``). In aws mode
(``KIT_MODE=aws``) no local cloud is started.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAB_CONFIG = Path(__file__).resolve().parent / "lab_config"


@dataclass(frozen=True)
class Language:
    code: str  # the value of KIT_LANG
    notebooks: str  # the notebooks' folder, relative to the repository
    locale: str | None = None  # JupyterLab's locale; None keeps JupyterLab's own (English)
    language_pack: str | None = None  # the PyPI package that brings that locale

    @property
    def first_notebook(self) -> str:
        return f"{self.notebooks}/00_setup.ipynb"


LANGUAGES = {
    "en": Language("en", "notebooks"),
    "ko": Language("ko", "notebooks/ko", locale="ko_KR", language_pack="jupyterlab-language-pack-ko-KR"),
}


class LabError(ValueError):
    pass


def language(code: str, given_by: str = "--lang") -> Language:
    """The language called ``code`` (``en``, ``ko``); a clear error naming the choices otherwise."""
    found = LANGUAGES.get(code.strip().lower())
    if found is None:
        choices = ", ".join(LANGUAGES)
        said = f"--lang {code!r}" if given_by == "--lang" else f"{given_by}={code!r}"
        raise LabError(f"{said} is not a language of the kit: use one of {choices} (e.g. --lang ko).")
    return found


def split_arguments(argv: list[str], environ: dict[str, str] | None = None) -> tuple[Language, list[str]]:
    """``--lang X`` / ``--lang=X`` taken out of ``argv``; the rest is for ``jupyter lab``."""
    env = os.environ if environ is None else environ
    code, given_by, rest = env.get("KIT_LANG", "").strip(), "KIT_LANG", []
    arguments = iter(argv)
    for argument in arguments:
        if argument == "--lang" or argument.startswith("--lang="):
            code = argument.split("=", 1)[1] if "=" in argument else next(arguments, "")
            given_by = "--lang"
            if not code.strip():
                raise LabError(f"--lang needs a value: one of {', '.join(LANGUAGES)}.")
        else:
            rest.append(argument)
    return language(code or "en", given_by), rest


def lab_command(extra: list[str], lang: Language = LANGUAGES["en"], root: Path = ROOT) -> list[str]:
    """The ``jupyter lab`` command line that opens ``lang``'s first notebook from ``root``."""
    # The URL JupyterLab prints (what a learner copies after --no-browser, or on a remote machine) is its
    # default_url with the token: pointed at the first notebook, it opens that notebook, not the Launcher.
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        lang.first_notebook,
        f"--ServerApp.root_dir={root}",
        f"--LabApp.default_url=/lab/tree/{lang.first_notebook}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers and CI machines run as root
    return command + extra


def lab_environment(lang: Language, environ: dict[str, str] | None = None) -> dict[str, str]:
    """The environment JupyterLab (and so every kernel it starts) runs with. For a language with its own
    locale: ``KIT_LANG`` and that language's labconfig folder first on ``JUPYTER_CONFIG_PATH``; English
    changes nothing (today's behaviour: each kernel's language comes from its notebook's folder)."""
    env = dict(os.environ if environ is None else environ)
    if lang.locale is not None:
        env["KIT_LANG"] = lang.code
        folder = str(LAB_CONFIG / lang.code)
        env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(p for p in (folder, env.get("JUPYTER_CONFIG_PATH", "")) if p)
    return env


def check_installed(lang: Language, root: Path = ROOT) -> None:
    """Refuse, with what to do, a language whose notebooks or language pack are not there."""
    if not (root / lang.first_notebook).is_file():
        raise LabError(f"{lang.first_notebook} is not in {root}: update your copy of the kit (git pull).")
    if lang.language_pack is not None:
        try:
            metadata.version(lang.language_pack)
        except metadata.PackageNotFoundError:
            raise LabError(
                f"JupyterLab's {lang.code} interface needs {lang.language_pack}: "
                "pip install -r requirements.txt (it is pinned there)."
            ) from None


def main(argv: list[str] | None = None) -> int:
    from .local import control
    from .settings import Settings

    try:
        lang, extra = split_arguments(list(sys.argv[1:] if argv is None else argv))
        check_installed(lang)
    except LabError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    settings = Settings.from_env()
    if settings.mode == "local":
        info = control.start()
        print(f"local cloud: {info.endpoint} (stop it with: python -m infra.local stop)", flush=True)
    else:
        print(f"aws mode: region {settings.region}, learner prefix '{settings.learner}'", flush=True)
    command, env = lab_command(extra, lang), lab_environment(lang)
    os.chdir(ROOT)
    if os.name == "posix":
        os.execve(command[0], command, env)
    import subprocess

    return subprocess.call(command, env=env)


if __name__ == "__main__":
    sys.exit(main())
