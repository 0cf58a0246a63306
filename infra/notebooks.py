"""``python -m infra.notebooks refresh``: re-run the notebooks in local mode and store their outputs.

    python -m infra.notebooks refresh                # every notebook, English then Korean
    python -m infra.notebooks refresh 04             # notebook 04 in both languages
    python -m infra.notebooks refresh --lang ko 04   # only notebooks/ko/04_*.ipynb

The English notebooks are ``notebooks/NN_*.ipynb``, the Korean ones ``notebooks/ko/NN_*.ipynb`` with the same
file names and the same code cells. Each language runs on a fresh local cloud of its own (a new state
directory), in notebook order, so the committed outputs are what a learner sees on a first run; nbval then
checks them strictly in CI. Each kernel starts in its notebook's own folder, which is what makes the Korean
notebooks speak Korean (``KIT_LANG`` is cleared for the run, so a learner's setting cannot leak in).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from .settings import DEFAULT_LANGUAGE, LANGUAGES

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def folder(lang: str, root: Path = NOTEBOOKS) -> Path:
    """Where the notebooks of ``lang`` live: English at the top of ``notebooks/``, others in a folder each."""
    if lang not in LANGUAGES:
        raise ValueError(f"{lang!r} is not a language of the kit: use one of {', '.join(LANGUAGES)}")
    return root if lang == DEFAULT_LANGUAGE else root / lang


def notebook_paths(names: list[str] | None = None, lang: str = DEFAULT_LANGUAGE, root: Path = NOTEBOOKS) -> list[Path]:
    """The notebooks of ``lang`` in order, or those whose names start with one of ``names`` (``01``, ``04_res``)."""
    paths = sorted(folder(lang, root).glob("[0-9][0-9]_*.ipynb"))
    if names:
        paths = [p for p in paths if any(p.name.startswith(n) or p.stem == n for n in names)]
    return paths


def _strip_volatile_metadata(notebook: nbformat.NotebookNode) -> None:
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    notebook.metadata.pop("widgets", None)


def execute(path: Path, timeout: int = 600) -> nbformat.NotebookNode:
    """Run the notebook at ``path`` in a kernel started in the notebook's own folder, as JupyterLab does."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    return notebook


def refresh(names: list[str] | None = None, langs: tuple[str, ...] = LANGUAGES, timeout: int = 600) -> int:
    """Re-run and save the notebooks ``names`` (default: all) of each language in ``langs``."""
    from .local import control

    os.environ["KIT_MODE"] = "local"
    os.environ.pop("KIT_LEARNER", None)
    os.environ.pop("KIT_LANG", None)
    for lang in langs:
        paths = notebook_paths(names, lang)
        if not paths:
            print(f"no notebook matches {' '.join(names or [])!r} in {folder(lang)}", file=sys.stderr)
            return 1
        state = tempfile.mkdtemp(prefix=f"kit-refresh-{lang}-")
        os.environ["KIT_STATE_DIR"] = state
        try:
            for path in paths:
                started = time.monotonic()
                notebook = execute(path, timeout)
                _strip_volatile_metadata(notebook)
                nbformat.write(notebook, path)
                print(f"refreshed {path.relative_to(NOTEBOOKS.parent)} in {time.monotonic() - started:.1f} s")
        finally:
            control.stop(Path(state))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.notebooks")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("refresh", help="re-run notebooks in local mode and save their outputs")
    run.add_argument("names", nargs="*", help="notebook prefixes (default: all), e.g. 01 02")
    run.add_argument("--lang", choices=LANGUAGES, action="append", help="only this language (default: every one)")
    args = parser.parse_args(argv)
    return refresh(args.names or None, tuple(args.lang) if args.lang else LANGUAGES)


if __name__ == "__main__":
    sys.exit(main())
