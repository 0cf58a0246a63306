"""Provisioned concurrency through boto3: environments initialised ahead of requests, and on-demand past them."""

from __future__ import annotations

import base64
import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.exceptions import ClientError

SLOW = """
import os, time

def handler(event, context):
    time.sleep(event.get("sleep", 0))
    return {"init": os.environ["AWS_LAMBDA_INITIALIZATION_TYPE"], "version": context.function_version}
"""


def invoke(lam: Any, name: str, qualifier: str, sleep: float = 0) -> tuple[dict[str, Any], str]:
    answer = lam.invoke(
        FunctionName=name, Qualifier=qualifier, Payload=json.dumps({"sleep": sleep}).encode(), LogType="Tail"
    )
    report = next(line for line in base64.b64decode(answer["LogResult"]).decode().splitlines() if "REPORT" in line)
    return json.loads(answer["Payload"].read()), report


def at_once(lam: Any, name: str, qualifier: str, n: int, sleep: float) -> list[tuple[dict[str, Any], str]]:
    with ThreadPoolExecutor(n) as threads:
        return list(threads.map(lambda _: invoke(lam, name, qualifier, sleep), range(n)))


def wait_ready(lam: Any, name: str, qualifier: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        config = lam.get_provisioned_concurrency_config(FunctionName=name, Qualifier=qualifier)
        if config["Status"] != "IN_PROGRESS" or time.monotonic() > deadline:
            return config
        time.sleep(0.1)


def test_provisioned_environments_answer_first_and_on_demand_ones_start_beyond_them(deploy, aws) -> None:
    fn = deploy(SLOW, url=False, timeout=30)
    lam = aws("lambda")
    version = lam.publish_version(FunctionName=fn.name)["Version"]
    lam.create_alias(FunctionName=fn.name, Name="live", FunctionVersion=version)

    put = lam.put_provisioned_concurrency_config(
        FunctionName=fn.name, Qualifier="live", ProvisionedConcurrentExecutions=2
    )
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert put["Status"] == "IN_PROGRESS" and put["RequestedProvisionedConcurrentExecutions"] == 2
    config = wait_ready(lam, fn.name, "live")
    assert config["Status"] == "READY"
    assert config["AllocatedProvisionedConcurrentExecutions"] == config["AvailableProvisionedConcurrentExecutions"] == 2
    listed = lam.list_provisioned_concurrency_configs(FunctionName=fn.name)["ProvisionedConcurrencyConfigs"]
    assert [c["FunctionArn"].rsplit(":", 1)[1] for c in listed] == ["live"]

    results = at_once(lam, fn.name, "live", 3, sleep=1.0)  # three at once: two provisioned, one on demand
    kinds = sorted(body["init"] for body, _ in results)
    assert kinds == ["on-demand", "provisioned-concurrency", "provisioned-concurrency"]
    for body, report in results:
        assert body["version"] == version
        assert ("Init Duration" in report) == (body["init"] == "on-demand")

    latest, report = invoke(lam, fn.name, "$LATEST")
    assert latest["init"] == "on-demand"

    lam.delete_provisioned_concurrency_config(FunctionName=fn.name, Qualifier="live")
    with pytest.raises(ClientError) as exc:
        lam.get_provisioned_concurrency_config(FunctionName=fn.name, Qualifier="live")
    assert exc.value.response["Error"]["Code"] == "ProvisionedConcurrencyConfigNotFoundException"
    time.sleep(1.0)  # the keeper releases them within its next round (0.2 s)
    after = at_once(lam, fn.name, "live", 2, sleep=0.5)
    assert [body["init"] for body, _ in after] == ["on-demand", "on-demand"]


def test_latest_cannot_be_provisioned(deploy, aws) -> None:
    fn = deploy(SLOW, url=False)
    lam = aws("lambda")
    lam.create_alias(FunctionName=fn.name, Name="dev", FunctionVersion="$LATEST")
    for qualifier in ("$LATEST", "dev"):
        with pytest.raises(ClientError) as exc:
            lam.put_provisioned_concurrency_config(
                FunctionName=fn.name, Qualifier=qualifier, ProvisionedConcurrentExecutions=1
            )
        assert exc.value.response["Error"] == {
            "Code": "InvalidParameterValueException",
            "Message": "Provisioned Concurrency Configs cannot be applied to unpublished function versions.",
        } | {k: v for k, v in exc.value.response["Error"].items() if k not in ("Code", "Message")}
    version = lam.publish_version(FunctionName=fn.name)["Version"]
    with pytest.raises(lam.exceptions.ProvisionedConcurrencyConfigNotFoundException):
        lam.get_provisioned_concurrency_config(FunctionName=fn.name, Qualifier=version)


def test_a_config_goes_with_its_alias_or_version(deploy, aws) -> None:
    fn = deploy(SLOW, url=False)
    lam = aws("lambda")
    version = lam.publish_version(FunctionName=fn.name)["Version"]
    lam.create_alias(FunctionName=fn.name, Name="live", FunctionVersion=version)
    for qualifier in ("live", version):
        lam.put_provisioned_concurrency_config(
            FunctionName=fn.name, Qualifier=qualifier, ProvisionedConcurrentExecutions=1
        )
    assert wait_ready(lam, fn.name, "live")["Status"] == "READY"
    assert len(lam.list_provisioned_concurrency_configs(FunctionName=fn.name)["ProvisionedConcurrencyConfigs"]) == 2
    lam.delete_alias(FunctionName=fn.name, Name="live")
    lam.delete_function(FunctionName=fn.name, Qualifier=version)
    assert lam.list_provisioned_concurrency_configs(FunctionName=fn.name)["ProvisionedConcurrencyConfigs"] == []
