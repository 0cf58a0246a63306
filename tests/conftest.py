"""Shared test setup: make the repository root importable (``infra`` is not an installed package)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _load_event(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / "events" / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture
def load_event():
    """``load_event(name)``: a captured-style event from ``tests/fixtures/events/<name>.json``."""
    return _load_event
