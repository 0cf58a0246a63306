"""The notebooks' deploy steps against the session's local cloud, through the kit's own clients."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

import infra
from infra import deploy, packaging

pytestmark = pytest.mark.integration


@dataclass
class Env:
    kit: infra.Kit
    iam: Any
    lam: Any
    role_arn: str


@pytest.fixture
def env(endpoint: str) -> Iterator[Env]:
    """A kit of a learner of its own; deletes the functions and the role it made."""
    kit = infra.Kit(infra.Settings(learner=f"t{uuid.uuid4().hex[:10]}"), endpoint=endpoint)
    iam, lam = kit.client("iam"), kit.client("lambda")
    role = deploy.ensure_execution_role(iam, kit.name("role"), tags=kit.tags)
    yield Env(kit, iam, lam, role.arn)
    for function in lam.list_functions()["Functions"]:
        if function["FunctionName"].startswith(kit.settings.learner + "-"):
            with contextlib.suppress(lam.exceptions.ResourceNotFoundException):
                lam.delete_function(FunctionName=function["FunctionName"])
    with contextlib.suppress(iam.exceptions.NoSuchEntityException):
        iam.detach_role_policy(RoleName=kit.name("role"), PolicyArn=deploy.BASIC_EXECUTION_POLICY)
        iam.delete_role(RoleName=kit.name("role"))


def _no_sleep(seconds: float) -> None:
    raise AssertionError(f"the local cloud should never make a deploy step wait ({seconds} s)")


def test_ensure_execution_role_creates_once_then_finds_it(env: Env) -> None:
    name = env.kit.name("second-role")
    try:
        first = deploy.ensure_execution_role(env.iam, name, tags=env.kit.tags)
        second = deploy.ensure_execution_role(env.iam, name, tags=env.kit.tags)
        assert first == deploy.Role(name, f"arn:aws:iam::{first.arn.split(':')[4]}:role/{name}", True)
        assert second == deploy.Role(name, first.arn, False)
        attached = env.iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
        assert [p["PolicyArn"] for p in attached] == [deploy.BASIC_EXECUTION_POLICY]
        role = env.iam.get_role(RoleName=name)["Role"]
        trust = role["AssumeRolePolicyDocument"]
        assert (json.loads(trust) if isinstance(trust, str) else trust) == deploy.LAMBDA_TRUST_POLICY
        tags = env.iam.list_role_tags(RoleName=name)["Tags"]
        assert {t["Key"]: t["Value"] for t in tags} == {"kit": "lambda-url-kit", "learner": env.kit.settings.learner}
    finally:
        env.iam.detach_role_policy(RoleName=name, PolicyArn=deploy.BASIC_EXECUTION_POLICY)
        env.iam.delete_role(RoleName=name)


def test_ensure_execution_role_attaches_the_policy_to_an_existing_role(env: Env) -> None:
    name = env.kit.name("bare-role")
    env.iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(deploy.LAMBDA_TRUST_POLICY))
    try:
        role = deploy.ensure_execution_role(env.iam, name, tags=env.kit.tags)
        assert role.created is False
        attached = env.iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
        assert [p["PolicyArn"] for p in attached] == [deploy.BASIC_EXECUTION_POLICY]
    finally:
        env.iam.detach_role_policy(RoleName=name, PolicyArn=deploy.BASIC_EXECUTION_POLICY)
        env.iam.delete_role(RoleName=name)


def test_ensure_function_creates_then_leaves_unchanged_then_updates(env: Env) -> None:
    name = env.kit.name("hello")
    hello = packaging.build_zip("hello")
    common = {"role_arn": env.role_arn, "tags": env.kit.tags, "sleep": _no_sleep}

    created = deploy.ensure_function(env.lam, name, zip_bytes=hello, handler="hello.handler", **common)
    assert created.action == "created"
    assert created.name == name
    configuration = env.lam.get_function(FunctionName=name)["Configuration"]
    assert configuration["State"] == "Active"  # the function was Pending at first: ensure_function waited
    assert created.arn == configuration["FunctionArn"]
    assert created.arn.endswith(f":function:{name}")
    assert created.code_sha256 == deploy.code_sha256(hello)

    again = deploy.ensure_function(
        env.lam, name, zip_bytes=packaging.build_zip("hello"), handler="hello.handler", **common
    )
    assert again == deploy.Function(name, created.arn, created.code_sha256, "unchanged")

    with_env = deploy.ensure_function(
        env.lam, name, zip_bytes=hello, handler="hello.handler", environment={"GREETING": "hi"}, **common
    )
    assert with_env == deploy.Function(name, created.arn, created.code_sha256, "updated")
    config = env.lam.get_function_configuration(FunctionName=name)
    assert config["Environment"]["Variables"] == {"GREETING": "hi"}
    assert (
        deploy.ensure_function(
            env.lam, name, zip_bytes=hello, handler="hello.handler", environment={"GREETING": "hi"}, **common
        ).action
        == "unchanged"
    )

    api = packaging.build_zip("api")
    new_code = deploy.ensure_function(
        env.lam, name, zip_bytes=api, handler="api.handler", environment={"GREETING": "hi"}, **common
    )
    assert new_code.action == "updated"
    assert new_code.code_sha256 == deploy.code_sha256(api)
    assert new_code.code_sha256 != created.code_sha256
    config = env.lam.get_function_configuration(FunctionName=name)
    assert config["Handler"] == "api.handler"
    assert config["CodeSha256"] == deploy.code_sha256(api)

    timeout = deploy.ensure_function(
        env.lam, name, zip_bytes=api, handler="api.handler", environment={"GREETING": "hi"}, timeout=20, **common
    )
    assert timeout.action == "updated"
    assert env.lam.get_function_configuration(FunctionName=name)["Timeout"] == 20


def test_ensure_function_url_and_permissions_then_the_url_answers(env: Env) -> None:
    name = env.kit.name("api")
    deploy.ensure_function(
        env.lam,
        name,
        role_arn=env.role_arn,
        zip_bytes=packaging.build_zip("api"),
        handler="api.handler",
        sleep=_no_sleep,
    )

    created = deploy.ensure_function_url(env.lam, name)
    assert created.action == "created"
    assert (created.auth_type, created.invoke_mode) == ("NONE", "BUFFERED")
    assert created.url.startswith("https://")
    assert created.url.endswith(f".lambda-url.{env.kit.region}.on.aws/")
    assert created.url == env.lam.get_function_url_config(FunctionName=name)["FunctionUrl"]

    assert deploy.ensure_function_url(env.lam, name) == deploy.FunctionUrl(created.url, "NONE", "BUFFERED", "unchanged")

    cors = {"AllowOrigins": ["https://workshop.example"], "AllowMethods": ["GET", "POST"], "MaxAge": 300}
    with_cors = deploy.ensure_function_url(env.lam, name, cors=cors)
    assert with_cors == deploy.FunctionUrl(created.url, "NONE", "BUFFERED", "updated")
    assert env.lam.get_function_url_config(FunctionName=name)["Cors"] == cors
    assert deploy.ensure_function_url(env.lam, name, cors=cors).action == "unchanged"

    assert deploy.policy_statement_ids(env.lam, name) == []
    assert deploy.ensure_public_url_permissions(env.lam, name) == [
        "FunctionURLAllowPublicAccess",
        "FunctionURLAllowInvokeAction",
    ]
    assert deploy.ensure_public_url_permissions(env.lam, name) == []
    assert sorted(deploy.policy_statement_ids(env.lam, name)) == [
        "FunctionURLAllowInvokeAction",
        "FunctionURLAllowPublicAccess",
    ]

    with env.kit.http() as client:
        response = client.get(created.url + "hello", params={"name": "kit"})
    assert response.status_code == 200
    assert response.json() == {"message": "Hello, kit!", "query": {"name": "kit"}}
    assert response.headers["content-type"] == "application/json"


def test_ensure_public_url_permissions_adds_only_the_missing_one(env: Env) -> None:
    name = env.kit.name("half")
    deploy.ensure_function(
        env.lam,
        name,
        role_arn=env.role_arn,
        zip_bytes=packaging.build_zip("api"),
        handler="api.handler",
        sleep=_no_sleep,
    )
    url = deploy.ensure_function_url(env.lam, name).url
    env.lam.add_permission(
        FunctionName=name,
        StatementId="FunctionURLAllowPublicAccess",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="NONE",
    )
    with env.kit.http() as client:
        assert client.get(url).status_code == 403
        assert deploy.ensure_public_url_permissions(env.lam, name) == ["FunctionURLAllowInvokeAction"]
        assert client.get(url).status_code == 200
