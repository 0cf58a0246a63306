"""Unit-test helpers: captured-style fixtures and a way to run one coroutine without pytest-asyncio."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _load_event(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / "events" / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture
def load_event():
    """``load_event(name)``: a captured-style event from ``tests/fixtures/events/<name>.json``."""
    return _load_event
