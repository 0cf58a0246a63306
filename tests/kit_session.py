"""Pytest plugin (loaded by ``-p tests.kit_session`` in pyproject's addopts, so it applies to every run,
notebooks included): the test session gets a local cloud of its own, never the learner's.

``KIT_STATE_DIR`` points at a fresh directory before anything starts, so the local cloud the tests and the
notebooks nbval runs (their kernels inherit the environment) attach to is theirs alone; it is stopped at
the end.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

_STATE = Path(tempfile.mkdtemp(prefix="kit-tests-"))


def pytest_configure(config: pytest.Config) -> None:
    os.environ["KIT_STATE_DIR"] = str(_STATE)
    os.environ["KIT_MODE"] = "local"
    os.environ.pop("KIT_LEARNER", None)
    os.environ.pop("KIT_REGION", None)


def pytest_unconfigure(config: pytest.Config) -> None:
    from infra.local import control

    control.stop(_STATE)
