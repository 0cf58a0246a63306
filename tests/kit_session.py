"""Pytest plugin (loaded by ``-p tests.kit_session`` in pyproject's addopts, so it applies to every run,
notebooks included): the test session gets a local cloud of its own, never the learner's.

``KIT_STATE_DIR`` points at a fresh directory before anything starts, so the local cloud the tests and the
notebooks nbval runs (their kernels inherit the environment) attach to is theirs alone; it is stopped at
the end. The notebooks of each other language (``notebooks/ko/``) get one more fresh local cloud, switched
to before their first cell, as ``python -m infra.notebooks refresh`` runs each language on its own: so what
nbval compares was made the same way. ``KIT_LANG`` is cleared: each kernel's language is its notebook
folder's, as for a learner.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

_STATE = Path(tempfile.mkdtemp(prefix="kit-tests-"))
_NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
_LANGUAGE_STATES: dict[str, Path] = {}


def pytest_configure(config: pytest.Config) -> None:
    os.environ["KIT_STATE_DIR"] = str(_STATE)
    os.environ["KIT_MODE"] = "local"
    os.environ.pop("KIT_LEARNER", None)
    os.environ.pop("KIT_REGION", None)
    os.environ.pop("KIT_LANG", None)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before the kernel of a notebook in ``notebooks/<lang>/`` starts, point it at that language's cloud."""
    path = Path(str(item.path)).resolve()
    if path.suffix != ".ipynb":
        return
    if path.parent == _NOTEBOOKS:  # English: the session's own cloud
        os.environ["KIT_STATE_DIR"] = str(_STATE)
        return
    if path.parent.parent != _NOTEBOOKS:
        return
    lang = path.parent.name
    if lang not in _LANGUAGE_STATES:
        _LANGUAGE_STATES[lang] = Path(tempfile.mkdtemp(prefix=f"kit-tests-{lang}-"))
    os.environ["KIT_STATE_DIR"] = str(_LANGUAGE_STATES[lang])


def pytest_unconfigure(config: pytest.Config) -> None:
    from infra.local import control

    for state in (_STATE, *_LANGUAGE_STATES.values()):
        control.stop(state)
