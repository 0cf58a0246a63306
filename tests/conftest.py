"""Test session set-up: one local cloud of the tests' own, never the learner's.

``KIT_STATE_DIR`` points at a fresh directory before anything starts, so the local cloud the tests (and
the notebooks nbval runs, which inherit the environment) attach to is theirs alone; it is stopped at the end.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# Fixtures that drive a real local cloud (integration and browser tests).
pytest_plugins = ["tests.local_cloud"]

_STATE = Path(tempfile.mkdtemp(prefix="kit-tests-"))


def pytest_configure(config: pytest.Config) -> None:
    os.environ["KIT_STATE_DIR"] = str(_STATE)
    os.environ["KIT_MODE"] = "local"
    os.environ.pop("KIT_LEARNER", None)
    os.environ.setdefault("KIT_REGION", "ap-northeast-2")


def pytest_unconfigure(config: pytest.Config) -> None:
    from infra.local import control

    control.stop(_STATE)
