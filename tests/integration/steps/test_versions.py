"""The versions lesson's steps (infra/steps/versions.py) against the session's local cloud, as notebook 08 runs them."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from infra import deploy, packaging, reports, traffic_shift
from infra.steps import versions
from tests.integration.steps.test_lambda_ import Env, env  # noqa: F401
from tests.local_cloud import zip_source

pytestmark = pytest.mark.integration


def release(env: Env, name: str, colour: str) -> deploy.Function:  # noqa: F811
    return deploy.ensure_function(
        env.lam,
        name,
        role_arn=env.role_arn,
        zip_bytes=packaging.build_zip("release"),
        handler="release.handler",
        environment={"RELEASE": colour},
        tags=env.kit.tags,
    )


def test_publishing_freezes_configuration_and_publishes_nothing_when_nothing_changed(env: Env) -> None:  # noqa: F811
    name = env.kit.name("release")
    release(env, name, "blue")
    first = versions.publish_version(env.lam, name, "blue")
    assert (first.number, first.action) == ("1", "published")
    assert versions.publish_version(env.lam, name, "blue") == versions.Version("1", first.arn, "unchanged")
    release(env, name, "green")
    second = versions.publish_version(env.lam, name, "green")
    assert (second.number, second.action) == ("2", "published")
    assert versions.published_numbers(env.lam, name) == ["1", "2"]

    answers = {
        q: json.loads(env.lam.invoke(FunctionName=name, Qualifier=q, Payload=b"{}")["Payload"].read())
        for q in ("1", "2", "$LATEST")
    }
    assert {q: a["release"] for q, a in answers.items()} == {"1": "blue", "2": "green", "$LATEST": "green"}
    assert {q: a["version"] for q, a in answers.items()} == {"1": "1", "2": "2", "$LATEST": "$LATEST"}

    table = versions.versions_table(env.lam, name, lang="en")
    assert list(table.index) == ["$LATEST", "1", "2"]
    assert list(table["RELEASE"]) == ["green", "blue", "green"]
    assert list(table["description"]) == ["", "blue", "green"]


def test_an_alias_url_with_its_own_permissions_follows_the_alias(env: Env) -> None:  # noqa: F811
    name = env.kit.name("release")
    release(env, name, "blue")
    v1 = versions.publish_version(env.lam, name).number
    release(env, name, "green")
    v2 = versions.publish_version(env.lam, name).number

    created = versions.ensure_alias(env.lam, name, "live", v1)
    assert created.action == "created" and created.arn.endswith(f":{name}:live")
    assert versions.ensure_alias(env.lam, name, "live", v1).action == "unchanged"
    url = deploy.ensure_function_url(env.lam, name, qualifier="live").url
    assert deploy.ensure_public_url_permissions(env.lam, name, qualifier="live") == [
        "FunctionURLAllowPublicAccess",
        "FunctionURLAllowInvokeAction",
    ]
    assert deploy.ensure_public_url_permissions(env.lam, name, qualifier="live") == []
    http = env.kit.http()
    assert http.get(url).json() == {
        "release": "blue",
        "version": v1,
        "invoked_as": "live",
        "initialization": "on-demand",
    }

    steps = traffic_shift.shift(
        env.lam,
        name,
        "live",
        old=v1,
        new=v2,
        shares=(0.5, 1.0),
        ask=lambda: http.get(url).json()["version"],
        requests=100,
    )
    assert all(step.within for step in steps) and steps[1].answered == {v2: 100}
    table = traffic_shift.steps_table(steps, lang="en")
    assert list(table.index) == ["50%", "100%"] and list(table["observed share inside it"]) == ["yes", "yes"]

    updated = versions.ensure_alias(env.lam, name, "live", v1, weights={v2: 0.25})
    assert (updated.action, updated.weights) == ("updated", {v2: 0.25})
    alias = env.lam.get_alias(FunctionName=name, Name="live")
    assert alias["FunctionVersion"] == v1 and alias["RoutingConfig"]["AdditionalVersionWeights"] == {v2: 0.25}

    streams = env.kit.client("logs").describe_log_streams(logGroupName=f"/aws/lambda/{name}")["logStreams"]
    assert {versions.version_of_stream(s["logStreamName"]) for s in streams} == {v1, v2}
    rows = versions.report_rows(env.kit.client("logs"), name, start_ms=0)
    assert {row["version"] for row in rows} == {v1, v2} and len(rows) == 201


def test_provisioned_concurrency_is_ready_then_removed(env: Env) -> None:  # noqa: F811
    name = env.kit.name("release")
    release(env, name, "gold")
    number = versions.publish_version(env.lam, name).number
    versions.ensure_alias(env.lam, name, "live", number)
    assert versions.ensure_provisioned_concurrency(env.lam, name, "live", 2) == "IN_PROGRESS"
    seen: list[str] = []
    assert versions.wait_provisioned(env.lam, name, "live", delay=0.05, progress=lambda _, s: seen.append(s)) == "READY"
    assert seen[-1] == "READY"
    assert versions.ensure_provisioned_concurrency(env.lam, name, "live", 2) == "READY"  # asked already: unchanged

    def held(_: int) -> tuple[dict[str, Any], dict[str, object]]:
        answer = env.lam.invoke(FunctionName=name, Qualifier="live", Payload=b'{"hold": 1}', LogType="Tail")
        return json.loads(answer["Payload"].read()), reports.report_from_tail(answer["LogResult"])

    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(held, range(3)))
    table = reports.initialization_table(results, lang="en")
    assert list(table["AWS_LAMBDA_INITIALIZATION_TYPE"]) == [
        "on-demand",
        "provisioned-concurrency",
        "provisioned-concurrency",
    ]
    assert table["Init Duration"].iloc[0].endswith(" ms") and list(table["Init Duration"].iloc[1:]) == ["", ""]

    assert versions.remove_provisioned_concurrency(env.lam, name, "live") is True
    assert versions.remove_provisioned_concurrency(env.lam, name, "live") is False


def test_waiting_for_provisioned_concurrency_that_fails_says_so(env: Env) -> None:  # noqa: F811
    name = env.kit.name("broken")
    deploy.ensure_function(
        env.lam,
        name,
        role_arn=env.role_arn,
        zip_bytes=zip_source("import sys\nsys.exit(3)\n"),
        handler="fn.handler",
        tags=env.kit.tags,
    )
    number = versions.publish_version(env.lam, name).number
    versions.ensure_provisioned_concurrency(env.lam, name, number, 1)
    with pytest.raises(RuntimeError, match="FAILED: read its StatusReason"):
        versions.wait_provisioned(env.lam, name, number, delay=0.1, max_attempts=300)
    config = env.lam.get_provisioned_concurrency_config(FunctionName=name, Qualifier=number)
    assert config["Status"] == "FAILED" and config["StatusReason"].startswith("FUNCTION_ERROR_INIT_FAILURE")


def test_version_of_stream_refuses_a_name_that_is_not_lambdas() -> None:
    assert versions.version_of_stream("2026/12/02/[$LATEST]0123456789abcdef0123456789abcdef") == "$LATEST"
    with pytest.raises(ValueError, match=r"YYYY/MM/DD/\[version\]id"):
        versions.version_of_stream("my-stream")
