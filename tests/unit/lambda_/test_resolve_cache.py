"""What the data plane remembers of moto's Lambda state is read again after every write to the control plane."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from moto import mock_aws
from moto.awslambda.models import lambda_backends
from moto.iam.models import iam_backends

from infra.local.http.types import HttpRequest
from infra.local.lambda_ import moto_gaps
from infra.local.lambda_.moto_lambda import control_plane_changed, control_plane_revision, resolve_function
from infra.local.moto_bridge import MotoBridge
from tests.unit.lambda_.test_url_index import ACCOUNT, REGION, _code

ROLE = f"arn:aws:iam::{ACCOUNT}:role/fn-role"


@pytest.fixture
def backend() -> Iterator[Any]:
    moto_gaps.apply()
    with mock_aws():
        iam_backends[ACCOUNT]["global"].create_role("fn-role", "{}", "/", None, "", [], None, None)
        be = lambda_backends[ACCOUNT][REGION]
        be.create_function(
            {"FunctionName": "fn", "Runtime": "python3.12", "Role": ROLE, "Handler": "fn.handler", "Timeout": 3}
            | {"Code": {"ZipFile": _code()}}
        )
        yield be


def test_a_resolved_function_is_remembered_until_the_control_plane_changes(backend: Any) -> None:
    first = resolve_function(ACCOUNT, REGION, "fn", None)
    assert resolve_function(ACCOUNT, REGION, "fn", None) is first  # remembered: no second read of moto
    backend.update_function_configuration("fn", None, {"Timeout": 9})
    control_plane_changed()  # what MotoBridge says after the UpdateFunctionConfiguration request
    again = resolve_function(ACCOUNT, REGION, "fn", None)
    assert again is not first and again.spec.timeout == 9


def test_a_failed_lookup_is_not_remembered(backend: Any) -> None:
    from moto.awslambda.exceptions import UnknownFunctionException

    with pytest.raises(UnknownFunctionException):
        resolve_function(ACCOUNT, REGION, "later", None)
    backend.create_function(
        {"FunctionName": "later", "Runtime": "python3.12", "Role": ROLE, "Handler": "fn.handler"}
        | {"Code": {"ZipFile": _code()}}
    )
    assert resolve_function(ACCOUNT, REGION, "later", None).spec.function_name == "later"


def test_the_bridge_counts_writes_and_not_reads() -> None:
    bridge = MotoBridge()
    request = HttpRequest(method="GET", path="/2015-03-31/functions/", query="", headers=(("Host", "x"),), body=b"")
    before = control_plane_revision()
    bridge.handle(request)
    assert control_plane_revision() == before
    bridge.handle(
        HttpRequest(method="POST", path="/2015-03-31/functions", query="", headers=request.headers, body=b"{")
    )
    assert control_plane_revision() == before + 1  # even a refused write: moto may have changed before refusing
