"""A new function is ``Pending``, then ``Active`` (functions-states.html): in moto, and in the data plane."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from infra.local.function_url.front_end import FunctionUrlFrontEnd
from infra.local.http.types import HttpRequest
from infra.local.lambda_ import function_configuration, moto_gaps
from infra.local.lambda_.invocation import FunctionPending
from infra.local.lambda_.invoke_api import LambdaInvokeApi
from infra.local.lambda_.moto_lambda import ResolvedFunction, UrlTarget, resolve_function
from infra.local.lambda_.service import LambdaService
from tests.unit.function_specs import function_spec, one_line_package
from tests.unit.url_statements import public_url_statements

REGION = "us-east-1"
ACCOUNT = "123456789012"
ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:fresh"
PENDING = 0.3  # seconds: long enough for the calls below, short enough for a unit test
UPDATE_REFUSED = (
    f"The operation cannot be performed at this time. The resource {ARN} is currently in the following state: "
    "'Pending'. StateReasonCode: 'Creating'"
)
INVOKE_REFUSED = (
    "The operation cannot be performed at this time. The function is currently in the following state: Pending"
)


@pytest.fixture
def lam(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_LAMBDA", raising=False)
    monkeypatch.setattr(function_configuration, "PENDING_SECONDS", PENDING)
    moto_gaps.apply()
    with mock_aws():
        trust = {"Version": "2012-10-17", "Statement": []}
        iam = boto3.client("iam", region_name=REGION)
        iam.create_role(RoleName="fn-role", AssumeRolePolicyDocument=json.dumps(trust))
        yield boto3.client("lambda", region_name=REGION)


def create(lam: Any, **extra: Any) -> dict[str, Any]:
    role = f"arn:aws:iam::{ACCOUNT}:role/fn-role"
    code = {"ZipFile": one_line_package()}
    return lam.create_function(
        FunctionName="fresh", Runtime="python3.12", Role=role, Handler="fn.handler", Code=code, **extra
    )


def wait_past_pending(created_at: float) -> None:
    time.sleep(max(0.0, created_at + PENDING + 0.02 - time.monotonic()))


def conflict(call: Any) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as info:
        call()
    response = info.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"], response["Error"]["Message"]


def test_reads_say_pending_with_its_reason_then_active_without_it(lam) -> None:
    created = create(lam)
    created_at = time.monotonic()  # after the answer: the function is Active by created_at + PENDING
    assert (created["State"], created["StateReasonCode"]) == ("Pending", "Creating")
    reads = [
        lam.get_function(FunctionName="fresh")["Configuration"],
        lam.get_function_configuration(FunctionName="fresh"),
        lam.list_functions()["Functions"][0],
    ]
    for config in reads:
        assert config["State"] == "Pending"
        assert config["StateReason"] == "The function is being created."
        assert config["StateReasonCode"] == "Creating"
        assert "LastUpdateStatus" not in config  # as in CreateFunction's answer
    wait_past_pending(created_at)
    config = lam.get_function(FunctionName="fresh")["Configuration"]
    assert config["State"] == "Active" and config["LastUpdateStatus"] == "Successful"
    assert "StateReason" not in config and "StateReasonCode" not in config


def test_updates_and_publishing_are_refused_while_pending(lam) -> None:
    create(lam)
    created_at = time.monotonic()
    refused = (409, "ResourceConflictException", UPDATE_REFUSED)
    assert conflict(lambda: lam.update_function_configuration(FunctionName="fresh", Timeout=9)) == refused
    assert conflict(lambda: lam.update_function_code(FunctionName="fresh", ZipFile=one_line_package())) == refused
    assert conflict(lambda: lam.publish_version(FunctionName="fresh")) == refused
    assert lam.get_function_configuration(FunctionName="fresh")["Timeout"] == 3  # nothing was changed
    wait_past_pending(created_at)
    assert lam.update_function_configuration(FunctionName="fresh", Timeout=9)["Timeout"] == 9
    assert lam.publish_version(FunctionName="fresh")["State"] == "Active"


def test_a_version_published_by_create_is_pending_with_latest(lam) -> None:
    created = create(lam, Publish=True)
    created_at = time.monotonic()
    assert (created["Version"], created["State"]) == ("1", "Pending")
    assert lam.get_function(FunctionName="fresh", Qualifier="1")["Configuration"]["State"] == "Pending"
    wait_past_pending(created_at)
    assert lam.get_function(FunctionName="fresh", Qualifier="1")["Configuration"]["State"] == "Active"


def test_the_resolve_cache_does_not_hide_the_change_to_active(lam) -> None:
    create(lam)
    created_at = time.monotonic()
    resolved = resolve_function(ACCOUNT, REGION, "fresh", None)
    assert resolved.pending
    wait_past_pending(created_at)
    assert resolve_function(ACCOUNT, REGION, "fresh", None) is resolved  # still cached: no control-plane write
    assert not resolved.pending


class _NoPool:
    """A pool that fails the test if anything reaches it."""

    async def invoke(self, *args: Any) -> Any:
        raise AssertionError("a Pending function reached the environment pool")


def _pending_function() -> ResolvedFunction:
    return ResolvedFunction(function_spec(), ARN, public_url_statements(ARN), active_at=time.monotonic() + 60)


def test_the_service_refuses_a_pending_function_before_the_pool() -> None:
    service = LambdaService(_NoPool())  # type: ignore[arg-type]
    with pytest.raises(FunctionPending):
        asyncio.run(service.invoke(_pending_function(), b"{}"))


@pytest.mark.parametrize("invocation_type", ["RequestResponse", "Event", "DryRun"])
def test_invoke_answers_409_for_every_invocation_type(invocation_type: str) -> None:
    async def never(*args: Any) -> Any:
        raise AssertionError("a Pending function was invoked")

    api = LambdaInvokeApi(lambda *args: _pending_function(), never)
    headers = (("Host", "lambda"), ("X-Amz-Invocation-Type", invocation_type))
    request = HttpRequest("POST", "/2015-03-31/functions/fn/invocations", query="", headers=headers, body=b"{}")
    response = asyncio.run(api.handle(request, "fn", account_id=ACCOUNT, region=REGION))
    assert response.status == 409
    assert response.header("x-amzn-ErrorType") == "ResourceConflictException"
    assert json.loads(response.body) == {"Type": "User", "message": INVOKE_REFUSED}


def test_a_url_request_gets_409_while_pending() -> None:
    target = UrlTarget("abc", REGION, ACCOUNT, "NONE", "BUFFERED", None, ARN, _pending_function())
    service = LambdaService(_NoPool())  # type: ignore[arg-type]

    async def invoke(function: ResolvedFunction, payload: bytes, request_id: str, trace: str) -> Any:
        return await service.invoke(function, payload, request_id=request_id, trace=trace)

    front_end = FunctionUrlFrontEnd(lookup=lambda *_: target, invoke=invoke, port=9000)
    request = HttpRequest("GET", "/", query="", headers=(("Host", f"abc.lambda-url.{REGION}.localhost"),), body=b"")
    response = asyncio.run(front_end.handle(request))
    assert response.status == 409
    assert response.header("x-amzn-ErrorType") == "ResourceConflictException"
    assert json.loads(response.body) == {"Message": INVOKE_REFUSED}
