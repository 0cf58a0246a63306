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


@pytest.fixture(autouse=True)
def functions_active_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A function created in moto in-process is ``Active`` at once (``CreateFunction`` still answers ``Pending``).

    Unit tests call moto directly and update or publish right after creating; the ``Pending`` window is tested on
    its own (``tests/unit/lambda_/test_function_states.py``, which sets ``PENDING_SECONDS`` itself) and through
    the local cloud (``tests/integration/lambda_/test_function_states.py``).
    """
    from infra.local.lambda_ import function_configuration

    monkeypatch.setattr(function_configuration, "PENDING_SECONDS", 0.0)
