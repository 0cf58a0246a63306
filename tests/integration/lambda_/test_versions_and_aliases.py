"""Versions and weighted aliases in the local cloud, through boto3, a Function URL on the alias and CloudFront.

The shares are checked with bounds more than six standard deviations wide (binomial, n = 300): a correct
router fails them with a probability below 1e-8 per check; a router that ignored the weights fails them always.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from collections import Counter
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.integration.cloudfront.test_edge import cloudfront, create, distribution_config, edge  # noqa: F401
from tests.local_cloud import create_python_function, zip_source

SOURCE = """
import os

def handler(event, context):
    return {{"code": "{code}", "version": context.function_version,
             "env_version": os.environ["AWS_LAMBDA_FUNCTION_VERSION"],
             "stream": context.log_stream_name, "arn": context.invoked_function_arn}}
"""
N = 300


def bounds(n: int, p: float, sigmas: float = 6.0) -> tuple[float, float]:
    """Where a Binomial(n, p) count lies but with probability below 1e-8 (two-sided, six sigma and more)."""
    sd = math.sqrt(n * p * (1 - p))
    return n * p - sigmas * sd, n * p + sigmas * sd


@pytest.fixture
def versioned(aws, role_arn) -> Any:
    """A function with v1 and v2 published and a third code on $LATEST; deleted afterwards."""
    lam = aws("lambda")
    name = f"ver-{uuid.uuid4().hex[:10]}"
    create_python_function(lam, name, role_arn, zip_source(SOURCE.format(code="one")))
    assert lam.publish_version(FunctionName=name)["Version"] == "1"
    lam.update_function_code(FunctionName=name, ZipFile=zip_source(SOURCE.format(code="two")))
    assert lam.publish_version(FunctionName=name)["Version"] == "2"
    lam.update_function_code(FunctionName=name, ZipFile=zip_source(SOURCE.format(code="latest")))
    yield name
    lam.delete_function(FunctionName=name)


def invoke(lam: Any, name: str, qualifier: str | None = None) -> tuple[dict[str, Any], str]:
    extra = {"Qualifier": qualifier} if qualifier else {}
    answer = lam.invoke(FunctionName=name, Payload=b"{}", **extra)
    return json.loads(answer["Payload"].read()), answer["ExecutedVersion"]


def alias_url(lam: Any, name: str, alias: str) -> str:
    url = lam.create_function_url_config(FunctionName=name, Qualifier=alias, AuthType="NONE")["FunctionUrl"]
    for sid, action, extra in (
        ("url", "lambda:InvokeFunctionUrl", {"FunctionUrlAuthType": "NONE"}),
        ("invoke", "lambda:InvokeFunction", {"InvokedViaFunctionUrl": True}),
    ):
        lam.add_permission(FunctionName=name, Qualifier=alias, StatementId=sid, Action=action, Principal="*", **extra)
    return url


def test_a_published_version_runs_its_own_code_after_latest_changes(aws, versioned) -> None:
    lam = aws("lambda")
    for qualifier, code in (("1", "one"), ("2", "two"), (None, "latest"), ("$LATEST", "latest")):
        body, executed = invoke(lam, versioned, qualifier)
        assert body["code"] == code
        assert executed == body["version"] == body["env_version"] == (qualifier or "$LATEST")
        assert re.fullmatch(rf"\d{{4}}/\d{{2}}/\d{{2}}/\[{re.escape(executed)}\][0-9a-f]{{32}}", body["stream"])


def test_invoke_on_a_weighted_alias_says_which_version_ran(aws, versioned) -> None:
    lam = aws("lambda")
    lam.create_alias(
        FunctionName=versioned, Name="live", FunctionVersion="1", RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}}
    )
    ran: Counter[str] = Counter()
    for _ in range(60):
        body, executed = invoke(lam, versioned, "live")
        assert executed == body["version"]
        assert body["code"] == {"1": "one", "2": "two"}[executed]
        assert body["arn"].endswith(f":{versioned}:live")  # the handler is told the alias it was invoked by
        ran[executed] += 1
    assert set(ran) == {"1", "2"}  # each missing has probability 2**-60

    streams = aws("logs").describe_log_streams(logGroupName=f"/aws/lambda/{versioned}")["logStreams"]
    kinds = {re.fullmatch(r"\d{4}/\d{2}/\d{2}/\[(.+?)\][0-9a-f]{32}", s["logStreamName"]).group(1) for s in streams}
    assert {"1", "2"} <= kinds
    events = aws("logs").filter_log_events(logGroupName=f"/aws/lambda/{versioned}")["events"]
    starts = Counter(
        re.search(r"Version: (\S+)", e["message"]).group(1) for e in events if e["message"].startswith("START")
    )
    assert starts["1"] == ran["1"] and starts["2"] == ran["2"]
    for event in events:
        if event["message"].startswith("START"):
            assert f"[{event['message'].split('Version: ')[1].strip()}]" in event["logStreamName"]


def _shares_by_step(get: Any, lam: Any, name: str) -> None:
    """5% -> 50% -> 100% on the alias, N requests each through ``get``; rollback to v1 at the end."""
    steps: list[tuple[dict[str, Any], float]] = [
        ({"FunctionVersion": "1", "RoutingConfig": {"AdditionalVersionWeights": {"2": 0.05}}}, 0.05),
        ({"RoutingConfig": {"AdditionalVersionWeights": {"2": 0.5}}}, 0.5),
        ({"FunctionVersion": "2", "RoutingConfig": {}}, 1.0),
        ({"FunctionVersion": "1", "RoutingConfig": {}}, 0.0),  # roll back
    ]
    for update, share in steps:
        lam.update_alias(FunctionName=name, Name="live", **update)
        codes = Counter(get() for _ in range(N))
        assert set(codes) <= {"one", "two"}
        low, high = bounds(N, share)
        assert low <= codes["two"] <= high, (share, codes)
        if 0 < share < 1:
            assert 0 < codes["two"] < N


def test_a_url_on_a_weighted_alias_shifts_traffic_step_by_step(aws, versioned, http) -> None:
    lam = aws("lambda")
    lam.create_alias(FunctionName=versioned, Name="live", FunctionVersion="1")
    host = alias_url(lam, versioned, "live").split("//", 1)[1].rstrip("/")

    def get() -> str:
        answer = http.get("/", headers={"Host": host})
        assert answer.status_code == 200
        return str(answer.json()["code"])

    _shares_by_step(get, lam, versioned)


def test_cloudfront_in_front_of_a_weighted_alias_url(aws, versioned, cloudfront, edge) -> None:  # noqa: F811
    lam = aws("lambda")
    lam.create_alias(FunctionName=versioned, Name="live", FunctionVersion="1")
    url = alias_url(lam, versioned, "live")
    dist = create(cloudfront, distribution_config(url))
    base = f"https://{dist['DomainName']}"

    def get() -> str:
        answer = edge.get(f"{base}/")
        assert answer.status_code == 200 and answer.headers["x-cache"] == "Miss from cloudfront"
        return str(answer.json()["code"])

    _shares_by_step(get, lam, versioned)


def test_aws_refuses_what_it_refuses(aws, versioned) -> None:
    lam = aws("lambda")
    lam.create_alias(FunctionName=versioned, Name="live", FunctionVersion="1")
    cases = [
        (lambda: lam.create_alias(FunctionName=versioned, Name="x", FunctionVersion="live"), "ValidationException"),
        (
            lambda: lam.create_alias(
                FunctionName=versioned,
                Name="y",
                FunctionVersion="$LATEST",
                RoutingConfig={"AdditionalVersionWeights": {"1": 0.1}},
            ),
            "InvalidParameterValueException",
        ),
        (
            lambda: lam.create_function_url_config(FunctionName=versioned, Qualifier="1", AuthType="NONE"),
            "ValidationException",
        ),
    ]
    for call, code in cases:
        with pytest.raises(ClientError) as exc:
            call()
        assert exc.value.response["Error"]["Code"] == code
        assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_the_shift_helper_a_notebook_uses(aws, versioned, http) -> None:
    from infra import traffic_shift

    lam = aws("lambda")
    lam.create_alias(FunctionName=versioned, Name="live", FunctionVersion="1")
    host = alias_url(lam, versioned, "live").split("//", 1)[1].rstrip("/")

    def ask() -> str:
        return str(http.get("/", headers={"Host": host}).json()["version"])

    steps = traffic_shift.shift(
        lam, versioned, "live", old="1", new="2", shares=[0.05, 0.5, 1.0, 0.0], ask=ask, requests=N
    )
    assert [step.share for step in steps] == [0.05, 0.5, 1.0, 0.0]
    for step in steps:
        low, high = bounds(N, step.share)
        assert low <= step.answered.get("2", 0) <= high and set(step.answered) <= {"1", "2"}
    assert steps[2].answered == {"2": N} and steps[3].answered == {"1": N}
    assert lam.get_alias(FunctionName=versioned, Name="live")["FunctionVersion"] == "1"  # rolled back
