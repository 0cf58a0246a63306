"""A new function is ``Pending`` before it is ``Active`` (functions-states.html), as a learner's boto3 meets it.

The local cloud keeps a new function ``Pending`` for ``function_configuration.PENDING_SECONDS`` (0.5 s); each test
makes its calls right after ``CreateFunction``, well inside that window.
"""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError

from infra.local.lambda_.function_configuration import PENDING_SECONDS
from tests.local_cloud import Deployed, public_url, wait_until_active, zip_source

INVOKE_REFUSED = (
    "The operation cannot be performed at this time. The function is currently in the following state: Pending"
)
HELLO = "def handler(event, context):\n    return {'statusCode': 200, 'body': 'hello'}\n"


@dataclass(frozen=True)
class Fresh:
    """A function created just now with plain boto3 and no waiting, and when."""

    lam: Any
    name: str
    created_at: float

    def still_pending(self) -> None:
        """Skip (not pass) a check of the window when this machine took most of it to get there."""
        elapsed = time.monotonic() - self.created_at
        if elapsed > PENDING_SECONDS * 0.8:
            pytest.skip(
                f"{elapsed:.2f} s since CreateFunction: too slow a machine to test the {PENDING_SECONDS} s window"
            )

    def refused(self, call: Any) -> tuple[int, str, str]:
        self.still_pending()
        with pytest.raises(ClientError) as info:
            call()
        response = info.value.response
        return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"], response["Error"]["Message"]


@pytest.fixture
def fresh(aws, role_arn: str) -> Iterator[Fresh]:
    """A function created just now, with plain boto3 and no waiting; deleted after."""
    lam = aws("lambda")
    name = f"fresh-{uuid.uuid4().hex[:10]}"
    created_at = time.monotonic()
    lam.create_function(
        FunctionName=name, Runtime="python3.12", Role=role_arn, Handler="fn.handler",
        Code={"ZipFile": zip_source(HELLO)},
    )  # fmt: skip
    yield Fresh(lam, name, created_at)
    with contextlib.suppress(lam.exceptions.ResourceNotFoundException):
        lam.delete_function(FunctionName=name)


def test_invoke_right_after_create_is_a_conflict_until_the_waiter_sees_active(fresh) -> None:
    lam, name = fresh.lam, fresh.name
    expected = (409, "ResourceConflictException", INVOKE_REFUSED)
    assert fresh.refused(lambda: lam.invoke(FunctionName=name, Payload=b"{}")) == expected
    assert fresh.refused(lambda: lam.invoke(FunctionName=name, InvocationType="Event", Payload=b"{}")) == expected
    config = lam.get_function(FunctionName=name)["Configuration"]
    assert (config["State"], config["StateReasonCode"]) == ("Pending", "Creating")
    assert config["StateReason"] == "The function is being created."
    seen: list[str] = []
    lam.meta.events.register(
        "after-call.lambda.GetFunction", lambda parsed, **_: seen.append(parsed["Configuration"]["State"])
    )
    lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 0.1, "MaxAttempts": 100})
    assert seen[0] == "Pending" and seen[-1] == "Active"  # the waiter really waited
    response = lam.invoke(FunctionName=name, Payload=b"{}")
    assert response["StatusCode"] == 200 and "FunctionError" not in response
    assert json.loads(response["Payload"].read()) == {"statusCode": 200, "body": "hello"}
    config = lam.get_function(FunctionName=name)["Configuration"]
    assert config["State"] == "Active" and "StateReason" not in config and "StateReasonCode" not in config


def test_an_update_right_after_create_is_a_conflict(fresh) -> None:
    lam, name = fresh.lam, fresh.name
    arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    message = (
        f"The operation cannot be performed at this time. The resource {arn} is currently in the following state: "
        "'Pending'. StateReasonCode: 'Creating'"
    )
    assert fresh.refused(lambda: lam.update_function_configuration(FunctionName=name, Timeout=9)) == (
        409,
        "ResourceConflictException",
        message,
    )
    wait_until_active(lam, name)
    assert lam.update_function_configuration(FunctionName=name, Timeout=9)["Timeout"] == 9


def test_a_url_request_while_pending_gets_409_then_the_function_answers(fresh, http, endpoint) -> None:
    lam, name = fresh.lam, fresh.name
    url = Deployed(name, public_url(lam, name), endpoint)
    fresh.still_pending()
    early = http.get("/", headers={"Host": url.host})
    assert early.status_code == 409
    assert early.headers["x-amzn-ErrorType"] == "ResourceConflictException"
    assert early.json() == {"Message": INVOKE_REFUSED}
    wait_until_active(lam, name)
    later = http.get("/", headers={"Host": url.host})
    assert (later.status_code, later.text) == (200, "hello")
