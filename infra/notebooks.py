"""``python -m infra.notebooks refresh``: re-run every notebook in local mode and store its outputs.

The run uses a fresh local cloud of its own (a new state directory), in notebook order, so the
committed outputs are what a learner sees on a first run; nbval then checks them strictly in CI.
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

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def notebook_paths(names: list[str] | None = None) -> list[Path]:
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if names:
        paths = [p for p in paths if any(p.name.startswith(n) or p.stem == n for n in names)]
    return paths


def _strip_volatile_metadata(notebook: nbformat.NotebookNode) -> None:
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    notebook.metadata.pop("widgets", None)


def refresh(names: list[str] | None = None, timeout: int = 600) -> int:
    state = tempfile.mkdtemp(prefix="kit-refresh-")
    os.environ.update({"KIT_STATE_DIR": state, "KIT_MODE": "local"})
    os.environ.pop("KIT_LEARNER", None)
    from .local import control

    try:
        for path in notebook_paths(names):
            started = time.monotonic()
            notebook = nbformat.read(path, as_version=4)
            client = NotebookClient(
                notebook, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
            )
            client.execute()
            _strip_volatile_metadata(notebook)
            nbformat.write(notebook, path)
            print(f"refreshed {path.name} in {time.monotonic() - started:.1f} s")
    finally:
        control.stop(Path(state))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.notebooks")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("refresh", help="re-run notebooks in local mode and save their outputs")
    run.add_argument("names", nargs="*", help="notebook prefixes (default: all), e.g. 01 02")
    args = parser.parse_args(argv)
    return refresh(args.names or None)


if __name__ == "__main__":
    sys.exit(main())
