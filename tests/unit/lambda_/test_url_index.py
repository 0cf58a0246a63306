"""UrlRegistry finds a Function URL by url-id in constant time, moto remaining the only holder of URLs."""

from __future__ import annotations

import base64
import io
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from moto import mock_aws
from moto.awslambda.models import lambda_backends
from moto.iam.models import iam_backends

from infra.local.lambda_ import moto_gaps
from infra.local.lambda_.moto_lambda import UrlRegistry

ACCOUNT, REGION = "123456789012", "us-east-1"
FUNCTIONS = 2_000


def _code() -> str:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("fn.py", "def handler(event, context):\n    return 1\n")
    return base64.b64encode(buffer.getvalue()).decode()


@pytest.fixture
def backend() -> Iterator[Any]:
    """moto's Lambda backend (in-process, corrected by the kit) with a role functions can use."""
    moto_gaps.apply()
    with mock_aws():
        iam_backends[ACCOUNT]["global"].create_role("fn-role", "{}", "/", None, "", [], None, None)
        yield lambda_backends[ACCOUNT][REGION]


def create(be: Any, name: str, code: str) -> str:
    """Create a function with a NONE URL in moto; return its url-id."""
    role = f"arn:aws:iam::{ACCOUNT}:role/fn-role"
    spec = {"FunctionName": name, "Runtime": "python3.12", "Role": role, "Handler": "fn.handler"}
    be.create_function({**spec, "Code": {"ZipFile": code}})
    url = be.create_function_url_config(name, {"AuthType": "NONE"}).url
    return url.split("//", 1)[1].split(".", 1)[0]


class CountingRegistry(UrlRegistry):
    """Counts how often the registry reads moto's functions (one call per backend scanned)."""

    scans = 0

    def _holders(self, be: Any) -> list[tuple[Any, str | None]]:
        self.scans += 1
        return super()._holders(be)


def test_an_unknown_url_id_is_found_missing_without_a_scan(backend: Any) -> None:
    code = _code()
    ids = [create(backend, f"fn-{number}", code) for number in range(FUNCTIONS)]
    registry = CountingRegistry()
    found = registry.lookup(ids[1234], REGION)
    assert found is not None and found.function.spec.function_name == "fn-1234"
    scans_to_build = registry.scans
    for number in range(1_000):
        assert registry.lookup(f"unknown{number:05d}", REGION) is None
        assert registry.lookup(ids[number], "eu-west-1") is None  # a known id asked in another region
    assert registry.scans == scans_to_build  # no rescan, however many functions there are
    assert registry.lookup(ids[-1], REGION) is not None


def test_the_index_follows_moto_when_urls_come_and_go(backend: Any) -> None:
    code = _code()
    registry = CountingRegistry()
    first = create(backend, "first", code)
    assert registry.lookup(first, REGION) is not None
    later = create(backend, "later", code)  # created after the index was built
    assert registry.lookup(later, REGION) is not None
    backend.delete_function_url_config("first")
    assert registry.lookup(first, REGION) is None
    backend.delete_function("later")
    assert registry.lookup(later, REGION) is None
    scans = registry.scans
    registry.lookup("nothing", REGION)
    assert registry.scans == scans
