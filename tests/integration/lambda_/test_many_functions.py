"""Many functions called in rotation keep their environments warm in a real local cloud (no 64 cliff)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.local_cloud import create_python_function, zip_source

SMALL = """
def handler(event, context):
    return "ok"
"""
FUNCTIONS = 100


@pytest.fixture
def own_cloud(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, str, Path]]:
    """A local cloud of its own with the memory-derived environment limit: Lambda client, role ARN, its folder."""
    from infra.local import control
    from tests.integration.lambda_.test_environment_walls import _own_cloud

    monkeypatch.delenv("KIT_MAX_ENVIRONMENTS", raising=False)
    try:
        lam, role = _own_cloud(tmp_path)
        yield lam, role, tmp_path
    finally:
        control.stop(tmp_path)


def _cold(lam: Any, name: str) -> bool:
    """Invoke ``name`` once; whether its REPORT line says it was a cold start (``Init Duration``)."""
    response = lam.invoke(FunctionName=name, LogType="Tail")
    assert response["Payload"].read() == b'"ok"'
    return "Init Duration" in base64.b64decode(response["LogResult"]).decode()


def test_round_robin_over_100_functions_stays_warm_after_the_first_round(own_cloud) -> None:
    from infra.local import control

    lam, role, directory = own_cloud
    names = [f"many-{number}" for number in range(FUNCTIONS)]
    for name in names:
        create_python_function(lam, name, role, zip_source(SMALL))
    first = [_cold(lam, name) for name in names]
    second = [_cold(lam, name) for name in names]
    assert all(first)
    assert not any(second), f"{sum(second)} cold starts in the second round"
    health = control.identify(control.read_state(directory).port, directory)
    assert health is not None
    assert health["max_environments"] > FUNCTIONS and health["max_environments_source"] == "memory"
    assert health["environments"] == FUNCTIONS and health["cold"] == FUNCTIONS and health["warm"] == FUNCTIONS
