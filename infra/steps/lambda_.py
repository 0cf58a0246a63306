"""Deploy steps the notebooks call: each creates what is missing, updates what differs, and says which.

Every step takes its clients (and ``sleep``) as arguments and returns a small frozen dataclass, so the
same step runs against the local cloud, a real account, or a test's fake.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

LAMBDA_TRUST_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
BASIC_EXECUTION_POLICY = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
PUBLIC_URL_STATEMENTS = ("FunctionURLAllowPublicAccess", "FunctionURLAllowInvokeAction")

Sleep = Callable[[float], None]


@dataclass(frozen=True)
class Role:
    name: str
    arn: str
    created: bool


@dataclass(frozen=True)
class Function:
    name: str
    arn: str
    code_sha256: str
    action: str  # "created" | "updated" | "unchanged"


@dataclass(frozen=True)
class FunctionUrl:
    url: str
    auth_type: str
    invoke_mode: str
    action: str  # "created" | "updated" | "unchanged"


def _error_code(exc: Exception) -> str:
    return getattr(exc, "response", {}).get("Error", {}).get("Code", "")


def ensure_execution_role(iam: Any, name: str, *, tags: dict[str, str]) -> Role:
    """The function's execution role: Lambda may assume it, and it may write CloudWatch Logs."""
    try:
        role = iam.get_role(RoleName=name)["Role"]
        created = False
    except iam.exceptions.NoSuchEntityException:
        role = iam.create_role(
            RoleName=name,
            AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST_POLICY),
            Description="Execution role of a lambda-url-kit function",
            Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
        )["Role"]
        created = True
    attached = iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
    if BASIC_EXECUTION_POLICY not in {p["PolicyArn"] for p in attached}:
        iam.attach_role_policy(RoleName=name, PolicyArn=BASIC_EXECUTION_POLICY)
    return Role(name, role["Arn"], created)


def code_sha256(zip_bytes: bytes) -> str:
    """``CodeSha256`` as Lambda reports it: base64 of the zip's SHA-256."""
    return base64.b64encode(hashlib.sha256(zip_bytes).digest()).decode()


def ensure_function(
    lam: Any,
    name: str,
    *,
    role_arn: str,
    zip_bytes: bytes,
    handler: str,
    runtime: str = "python3.12",
    timeout: int = 10,
    memory_size: int = 128,
    environment: dict[str, str] | None = None,
    tags: dict[str, str] | None = None,
    sleep: Sleep = time.sleep,
    role_wait_s: float = 30.0,
    active_poll_s: float = 0.25,
) -> Function:
    """Create the function, or bring its code and configuration up to date.

    A new function is ``Pending`` until Lambda has made it ready (functions-states.html; about half a second in
    the local cloud, usually about a second on AWS for a .zip function outside a VPC): the ``function_active_v2``
    waiter polls ``GetFunction`` every ``active_poll_s`` seconds, for up to a minute, before this returns. Its own
    default, one second, would make every new function in a notebook take a second; four polls a second for a
    moment are far inside Lambda's control-plane quotas.
    """
    config = {
        "Role": role_arn,
        "Handler": handler,
        "Runtime": runtime,
        "Timeout": timeout,
        "MemorySize": memory_size,
        "Environment": {"Variables": dict(environment or {})},
    }
    try:
        current = lam.get_function(FunctionName=name)["Configuration"]
    except lam.exceptions.ResourceNotFoundException:
        current = None
    if current is None:
        deadline = time.monotonic() + role_wait_s
        while True:
            try:
                created = lam.create_function(FunctionName=name, Code={"ZipFile": zip_bytes}, Tags=tags or {}, **config)
                break
            except lam.exceptions.InvalidParameterValueException as exc:
                # A new role takes a few seconds to be assumable by Lambda on AWS.
                if "cannot be assumed" not in str(exc) or time.monotonic() > deadline:
                    raise
                sleep(2)
        attempts = max(1, round(60 / active_poll_s))
        lam.get_waiter("function_active_v2").wait(
            FunctionName=name, WaiterConfig={"Delay": active_poll_s, "MaxAttempts": attempts}
        )
        return Function(name, created["FunctionArn"], created["CodeSha256"], "created")
    action = "unchanged"
    if current["CodeSha256"] != code_sha256(zip_bytes):
        lam.update_function_code(FunctionName=name, ZipFile=zip_bytes)
        lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
        action = "updated"
    differs = (
        current.get("Role") != role_arn
        or current.get("Handler") != handler
        or current.get("Runtime") != runtime
        or current.get("Timeout") != timeout
        or current.get("MemorySize") != memory_size
        or (current.get("Environment") or {}).get("Variables", {}) != config["Environment"]["Variables"]
    )
    if differs:
        lam.update_function_configuration(FunctionName=name, **config)
        lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
        action = "updated"
    final = lam.get_function(FunctionName=name)["Configuration"]
    return Function(name, final["FunctionArn"], final["CodeSha256"], action)


def ensure_function_url(
    lam: Any,
    name: str,
    *,
    auth_type: str = "NONE",
    invoke_mode: str = "BUFFERED",
    cors: dict[str, Any] | None = None,
    qualifier: str | None = None,
) -> FunctionUrl:
    """Create the function's URL, or update its auth type, invoke mode and CORS to these."""
    where = {"FunctionName": name, **({"Qualifier": qualifier} if qualifier else {})}
    wanted: dict[str, Any] = {"AuthType": auth_type, "InvokeMode": invoke_mode}
    if cors is not None:
        wanted["Cors"] = cors
    try:
        current = lam.get_function_url_config(**where)
    except lam.exceptions.ResourceNotFoundException:
        created = lam.create_function_url_config(**where, **wanted)
        return FunctionUrl(created["FunctionUrl"], auth_type, invoke_mode, "created")
    same = current["AuthType"] == auth_type and current.get("InvokeMode", "BUFFERED") == invoke_mode
    if cors is not None:
        same = same and current.get("Cors") == cors
    if same:
        return FunctionUrl(current["FunctionUrl"], auth_type, invoke_mode, "unchanged")
    updated = lam.update_function_url_config(**where, **wanted)
    return FunctionUrl(updated["FunctionUrl"], auth_type, invoke_mode, "updated")


def policy_statement_ids(lam: Any, name: str, qualifier: str | None = None) -> list[str]:
    """The Sids of the function's (or its alias's) resource policy (empty when it has none)."""
    where = {"Qualifier": qualifier} if qualifier else {}
    try:
        policy = json.loads(lam.get_policy(FunctionName=name, **where)["Policy"])
    except lam.exceptions.ResourceNotFoundException:
        return []
    return [statement.get("Sid", "") for statement in policy.get("Statement", [])]


def ensure_public_url_permissions(lam: Any, name: str, *, qualifier: str | None = None) -> list[str]:
    """Both permissions a public (AuthType NONE) URL needs since October 2025; return the Sids added.

    The URL of an alias is authorised by the alias's own resource policy, so its permissions carry the alias as
    ``Qualifier`` (urls-auth.html: the policy of the function or alias the URL is on).
    """
    where = {"Qualifier": qualifier} if qualifier else {}
    present = set(policy_statement_ids(lam, name, qualifier))
    added = []
    if "FunctionURLAllowPublicAccess" not in present:
        lam.add_permission(
            FunctionName=name,
            StatementId="FunctionURLAllowPublicAccess",
            Action="lambda:InvokeFunctionUrl",
            Principal="*",
            FunctionUrlAuthType="NONE",
            **where,
        )
        added.append("FunctionURLAllowPublicAccess")
    if "FunctionURLAllowInvokeAction" not in present:
        lam.add_permission(
            FunctionName=name,
            StatementId="FunctionURLAllowInvokeAction",
            Action="lambda:InvokeFunction",
            Principal="*",
            InvokedViaFunctionUrl=True,
            **where,
        )
        added.append("FunctionURLAllowInvokeAction")
    return added


@dataclass(frozen=True)
class UserKey:
    user_name: str
    user_arn: str
    access_key: str
    secret_key: str = field(repr=False)


def ensure_user_with_fresh_key(iam: Any, name: str, *, tags: dict[str, str]) -> UserKey:
    """An IAM user with exactly one access key, made now (older keys of the user are deleted)."""
    try:
        user = iam.get_user(UserName=name)["User"]
    except iam.exceptions.NoSuchEntityException:
        user = iam.create_user(UserName=name, Tags=[{"Key": k, "Value": v} for k, v in tags.items()])["User"]
    for key in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]:
        iam.delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"])
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return UserKey(name, user["Arn"], key["AccessKeyId"], key["SecretAccessKey"])


def invoke_url_policy(function_arn: str) -> dict[str, Any]:
    """An identity policy that lets its holder call the function's URL (both actions, since October 2025)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "InvokeTheFunctionUrl",
                "Effect": "Allow",
                "Action": ["lambda:InvokeFunctionUrl", "lambda:InvokeFunction"],
                "Resource": function_arn,
            }
        ],
    }


@dataclass(frozen=True)
class RestApi:
    api_id: str
    url: str  # the stage's invoke URL, ending with "/"


def ensure_rest_api(
    apigw: Any,
    lam: Any,
    name: str,
    *,
    function_arn: str,
    stage: str = "prod",
    timeout_ms: int | None = None,
    tags: dict[str, str] | None = None,
) -> RestApi:
    """A REST API whose every path (``/`` and ``/{proxy+}``, any method) is a Lambda proxy integration to
    ``function_arn``, deployed to ``stage``, with the permission API Gateway needs to invoke the function."""
    region = function_arn.split(":")[3]
    account = function_arn.split(":")[4]
    existing = [api for api in apigw.get_rest_apis()["items"] if api["name"] == name]
    api_id = existing[0]["id"] if existing else apigw.create_rest_api(name=name, tags=tags or {})["id"]
    resources = apigw.get_resources(restApiId=api_id)["items"]
    root = next(r["id"] for r in resources if r["path"] == "/")
    proxy = next((r["id"] for r in resources if r["path"] == "/{proxy+}"), None)
    if proxy is None:
        proxy = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="{proxy+}")["id"]
    uri = f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function_arn}/invocations"
    for resource_id in (root, proxy):
        try:
            apigw.get_method(restApiId=api_id, resourceId=resource_id, httpMethod="ANY")
        except apigw.exceptions.NotFoundException:
            apigw.put_method(restApiId=api_id, resourceId=resource_id, httpMethod="ANY", authorizationType="NONE")
        integration = {"type": "AWS_PROXY", "integrationHttpMethod": "POST", "uri": uri}
        if timeout_ms is not None:
            integration["timeoutInMillis"] = timeout_ms
        apigw.put_integration(restApiId=api_id, resourceId=resource_id, httpMethod="ANY", **integration)
    statement_id = f"apigateway-{api_id}"
    if statement_id not in policy_statement_ids(lam, function_arn):
        lam.add_permission(
            FunctionName=function_arn,
            StatementId=statement_id,
            Action="lambda:InvokeFunction",
            Principal="apigateway.amazonaws.com",
            SourceArn=f"arn:aws:execute-api:{region}:{account}:{api_id}/*/*/*",
        )
    apigw.create_deployment(restApiId=api_id, stageName=stage)
    return RestApi(api_id, f"https://{api_id}.execute-api.{region}.amazonaws.com/{stage}/")
