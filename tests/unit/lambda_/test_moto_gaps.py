"""infra/local/lambda_/moto_gaps.py: moto in-process (``mock_aws``), corrected where it differs from AWS (§10)."""

from __future__ import annotations

import inspect
import io
import json
import re
import zipfile
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from infra.local.lambda_ import moto_gaps

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account
URL_PATTERN = r"^https://[a-z0-9]+\.lambda-url\.us-east-1\.on\.aws/$"


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return {'statusCode': 200}\n")
    return buffer.getvalue()


@pytest.fixture
def lam(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_LAMBDA", raising=False)
    moto_gaps.apply()
    with mock_aws():
        iam = boto3.client("iam", region_name=REGION)
        role = iam.create_role(
            RoleName="lambda-role",
            AssumeRolePolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
        )["Role"]["Arn"]
        client = boto3.client("lambda", region_name=REGION)
        client.create_function(
            FunctionName="hello",
            Runtime="python3.12",
            Role=role,
            Handler="handler.handler",
            Code={"ZipFile": _zip()},
        )
        yield client


def error_code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return exc.value.response["Error"]["Code"]


def fn_arn(qualifier: str | None = None) -> str:
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:hello"
    return f"{arn}:{qualifier}" if qualifier else arn


def with_alias(lam: Any, name: str = "live") -> None:
    version = lam.publish_version(FunctionName="hello")["Version"]
    lam.create_alias(FunctionName="hello", Name=name, FunctionVersion=version)


# --- CreateFunctionUrlConfig ------------------------------------------------------------------------


def test_create_returns_url_with_trailing_slash_and_buffered_mode(lam) -> None:
    created = lam.create_function_url_config(FunctionName="hello", AuthType="NONE")
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert created["FunctionUrl"].endswith(".on.aws/")
    assert created["FunctionUrl"].count("/") == 3
    assert re.match(URL_PATTERN, created["FunctionUrl"])
    assert "InvokeMode" not in created  # none given: Create answers without it (recorded on AWS, issue 12)
    assert lam.get_function_url_config(FunctionName="hello")["InvokeMode"] == "BUFFERED"
    assert created["AuthType"] == "NONE"
    assert created["FunctionArn"] == fn_arn()
    assert "Cors" not in created


def test_get_returns_the_same_config(lam) -> None:
    created = lam.create_function_url_config(
        FunctionName="hello", AuthType="AWS_IAM", Cors={"AllowOrigins": ["https://a.test"], "AllowMethods": ["GET"]}
    )
    got = lam.get_function_url_config(FunctionName="hello")
    assert got["FunctionUrl"] == created["FunctionUrl"]
    assert got["AuthType"] == "AWS_IAM"
    assert got["InvokeMode"] == "BUFFERED"
    assert got["Cors"]["AllowOrigins"] == ["https://a.test"]
    assert got["Cors"]["AllowMethods"] == ["GET"]


def test_explicit_response_stream_mode_is_kept(lam) -> None:
    created = lam.create_function_url_config(FunctionName="hello", AuthType="NONE", InvokeMode="RESPONSE_STREAM")
    assert created["InvokeMode"] == "RESPONSE_STREAM"


def test_create_by_function_arn(lam) -> None:
    created = lam.create_function_url_config(FunctionName=fn_arn(), AuthType="NONE")
    assert created["FunctionArn"] == fn_arn()


def test_invalid_auth_type_is_a_validation_exception(lam) -> None:
    with pytest.raises(ClientError) as exc:
        lam.create_function_url_config(FunctionName="hello", AuthType="PUBLIC")
    assert error_code(exc) == "ValidationException"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "Value 'PUBLIC' at 'authType'" in exc.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as missing:
        lam.get_function_url_config(FunctionName="hello")
    assert error_code(missing) == "ResourceNotFoundException"


def test_invalid_invoke_mode_is_a_validation_exception(lam) -> None:
    with pytest.raises(ClientError) as exc:
        lam.create_function_url_config(FunctionName="hello", AuthType="NONE", InvokeMode="UNKNOWN")
    assert error_code(exc) == "ValidationException"
    assert exc.value.response["Error"]["Message"] == (
        "1 validation error detected: Value 'UNKNOWN' at 'invokeMode' failed to satisfy constraint: "
        "Member must satisfy enum value set: [BUFFERED, RESPONSE_STREAM]"
    )


@pytest.mark.parametrize(
    "methods", [["OPTIONS"], ["GET", "PUT", "HEAD", "POST", "PATCH", "DELETE", "GET"]], ids=["options", "seven"]
)
def test_invalid_cors_methods_are_rejected(lam, methods: list[str]) -> None:
    with pytest.raises(ClientError) as exc:
        lam.create_function_url_config(FunctionName="hello", AuthType="NONE", Cors={"AllowMethods": methods})
    assert error_code(exc) == "ValidationException"


def test_second_create_is_a_conflict(lam) -> None:
    lam.create_function_url_config(FunctionName="hello", AuthType="NONE")
    with pytest.raises(ClientError) as exc:
        lam.create_function_url_config(FunctionName="hello", AuthType="AWS_IAM")
    assert error_code(exc) == "ResourceConflictException"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert lam.get_function_url_config(FunctionName="hello")["AuthType"] == "NONE"


def test_get_without_config_is_not_found(lam) -> None:
    with pytest.raises(ClientError) as exc:
        lam.get_function_url_config(FunctionName="hello")
    assert error_code(exc) == "ResourceNotFoundException"


# --- Update / Delete --------------------------------------------------------------------------------


def test_update_changes_auth_type_and_invoke_mode_and_clears_cors(lam) -> None:
    created = lam.create_function_url_config(FunctionName="hello", AuthType="NONE", Cors={"AllowOrigins": ["*"]})
    updated = lam.update_function_url_config(
        FunctionName="hello", AuthType="AWS_IAM", InvokeMode="RESPONSE_STREAM", Cors={}
    )
    assert updated["FunctionUrl"] == created["FunctionUrl"]
    assert updated["AuthType"] == "AWS_IAM"
    assert updated["InvokeMode"] == "RESPONSE_STREAM"
    assert "Cors" not in updated
    got = lam.get_function_url_config(FunctionName="hello")
    assert got["AuthType"] == "AWS_IAM"
    assert "Cors" not in got


def test_update_with_invalid_auth_type_is_rejected(lam) -> None:
    lam.create_function_url_config(FunctionName="hello", AuthType="NONE")
    with pytest.raises(ClientError) as exc:
        lam.update_function_url_config(FunctionName="hello", AuthType="nope")
    assert error_code(exc) == "ValidationException"
    assert lam.get_function_url_config(FunctionName="hello")["AuthType"] == "NONE"


def test_delete_then_get_is_not_found_and_create_works_again(lam) -> None:
    first = lam.create_function_url_config(FunctionName="hello", AuthType="NONE")["FunctionUrl"]
    deleted = lam.delete_function_url_config(FunctionName="hello")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as exc:
        lam.get_function_url_config(FunctionName="hello")
    assert error_code(exc) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as again:
        lam.delete_function_url_config(FunctionName="hello")
    assert error_code(again) == "ResourceNotFoundException"
    assert lam.create_function_url_config(FunctionName="hello", AuthType="NONE")["FunctionUrl"].endswith("/")
    assert first.endswith("/")


# --- Qualifier (alias) ------------------------------------------------------------------------------


def test_alias_url_config_lifecycle(lam) -> None:
    with_alias(lam)
    created = lam.create_function_url_config(FunctionName="hello", Qualifier="live", AuthType="AWS_IAM")
    assert created["FunctionArn"] == fn_arn("live")
    assert created["FunctionUrl"].endswith(".on.aws/")
    assert "InvokeMode" not in created

    got = lam.get_function_url_config(FunctionName="hello", Qualifier="live")
    assert got["InvokeMode"] == "BUFFERED"
    assert got["FunctionUrl"] == created["FunctionUrl"]
    assert got["FunctionArn"] == fn_arn("live")

    # The unqualified function has no URL of its own.
    with pytest.raises(ClientError) as exc:
        lam.get_function_url_config(FunctionName="hello")
    assert error_code(exc) == "ResourceNotFoundException"

    updated = lam.update_function_url_config(FunctionName="hello", Qualifier="live", AuthType="NONE")
    assert updated["AuthType"] == "NONE"
    assert updated["FunctionArn"] == fn_arn("live")

    lam.delete_function_url_config(FunctionName="hello", Qualifier="live")
    with pytest.raises(ClientError) as gone:
        lam.get_function_url_config(FunctionName="hello", Qualifier="live")
    assert error_code(gone) == "ResourceNotFoundException"


def test_alias_and_function_urls_are_independent(lam) -> None:
    with_alias(lam)
    base = lam.create_function_url_config(FunctionName="hello", AuthType="NONE")
    live = lam.create_function_url_config(FunctionName="hello", Qualifier="live", AuthType="AWS_IAM")
    assert base["FunctionUrl"] != live["FunctionUrl"]
    assert base["FunctionArn"] == fn_arn()
    assert lam.get_function_url_config(FunctionName="hello")["AuthType"] == "NONE"
    assert lam.get_function_url_config(FunctionName="hello", Qualifier="live")["AuthType"] == "AWS_IAM"
    with pytest.raises(ClientError) as exc:
        lam.create_function_url_config(FunctionName="hello", Qualifier="live", AuthType="NONE")
    assert error_code(exc) == "ResourceConflictException"
    assert fn_arn("live") in exc.value.response["Error"]["Message"]


def test_qualified_arn_as_function_name(lam) -> None:
    with_alias(lam)
    created = lam.create_function_url_config(FunctionName=fn_arn("live"), AuthType="NONE")
    assert created["FunctionArn"] == fn_arn("live")
    assert lam.get_function_url_config(FunctionName="hello", Qualifier="live")["FunctionUrl"] == created["FunctionUrl"]


def test_unknown_alias_is_not_found(lam) -> None:
    with pytest.raises(ClientError) as exc:
        lam.create_function_url_config(FunctionName="hello", Qualifier="nope", AuthType="NONE")
    assert error_code(exc) == "ResourceNotFoundException"
    assert exc.value.response["Message"] == "Function does not exist"
    assert exc.value.response["Type"] == "User"
    with pytest.raises(ClientError) as get:
        lam.get_function_url_config(FunctionName="hello", Qualifier="nope")
    assert get.value.response["Message"] == "The resource you requested does not exist."


# --- Issue 12: what AWS answers (recorded on AWS), through the API ----------------------------------


@pytest.mark.parametrize("qualifier", ["1", "$LATEST"])
def test_a_version_or_latest_is_no_url_qualifier(lam, qualifier: str) -> None:
    for call in (
        lambda: lam.create_function_url_config(FunctionName="hello", Qualifier=qualifier, AuthType="NONE"),
        lambda: lam.get_function_url_config(FunctionName="hello", Qualifier=qualifier),
        lambda: lam.delete_function_url_config(FunctionName="hello", Qualifier=qualifier),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert error_code(exc) == "ValidationException"
        assert exc.value.response["Error"]["Message"] == (
            f"1 validation error detected: Value '{qualifier}' at 'qualifier' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: ((?!^\\d+$)^[0-9a-zA-Z-_]+$)"
        )


def test_an_alias_that_contradicts_the_arn(lam) -> None:
    with_alias(lam)
    with pytest.raises(ClientError) as exc:
        lam.create_function_url_config(FunctionName=fn_arn("live"), Qualifier="other", AuthType="NONE")
    assert error_code(exc) == "InvalidParameterValueException"
    assert exc.value.response["Error"]["Message"] == (
        "The derived qualifier from the function name does not match the specified qualifier."
    )


def test_unknown_function_messages(lam) -> None:
    expected = {
        "create": "Function does not exist",
        "update": "Function does not exist",
        "list": "Function does not exist",
        "get": "The resource you requested does not exist.",
        "delete": "The resource you requested does not exist.",
    }
    calls = {
        "create": lambda: lam.create_function_url_config(FunctionName="nope", AuthType="NONE"),
        "update": lambda: lam.update_function_url_config(FunctionName="nope", AuthType="NONE"),
        "list": lambda: lam.list_function_url_configs(FunctionName="nope"),
        "get": lambda: lam.get_function_url_config(FunctionName="nope"),
        "delete": lambda: lam.delete_function_url_config(FunctionName="nope"),
    }
    for name, call in calls.items():
        with pytest.raises(ClientError) as exc:
            call()
        assert error_code(exc) == "ResourceNotFoundException", name
        assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
        assert (exc.value.response["Message"], exc.value.response["Type"]) == (expected[name], "User"), name


def test_list_function_url_configs_pages(lam) -> None:
    assert lam.list_function_url_configs(FunctionName="hello")["FunctionUrlConfigs"] == []
    with_alias(lam)
    lam.create_alias(FunctionName="hello", Name="blue", FunctionVersion="1")
    made = {
        None: lam.create_function_url_config(FunctionName="hello", AuthType="NONE"),
        "live": lam.create_function_url_config(FunctionName="hello", Qualifier="live", AuthType="AWS_IAM"),
        "blue": lam.create_function_url_config(FunctionName="hello", Qualifier="blue", AuthType="NONE"),
    }
    whole = lam.list_function_url_configs(FunctionName="hello")
    arns = [config["FunctionArn"] for config in whole["FunctionUrlConfigs"]]
    assert arns == sorted(fn_arn(q) if q else fn_arn() for q in made)
    assert "NextMarker" not in whole
    assert all(config["InvokeMode"] == "BUFFERED" for config in whole["FunctionUrlConfigs"])
    first = lam.list_function_url_configs(FunctionName="hello", MaxItems=2)
    assert [c["FunctionArn"] for c in first["FunctionUrlConfigs"]] == arns[:2]
    second = lam.list_function_url_configs(FunctionName="hello", MaxItems=2, Marker=first["NextMarker"])
    assert [c["FunctionArn"] for c in second["FunctionUrlConfigs"]] == arns[2:]
    assert "NextMarker" not in second
    paged = lam.get_paginator("list_function_url_configs").paginate(
        FunctionName="hello", PaginationConfig={"PageSize": 1}
    )
    assert [c["FunctionArn"] for page in paged for c in page["FunctionUrlConfigs"]] == arns


# --- AddPermission conditions -----------------------------------------------------------------------


def _statements(lam: Any) -> dict[str, dict[str, Any]]:
    policy = json.loads(lam.get_policy(FunctionName="hello")["Policy"])
    return {statement["Sid"]: statement for statement in policy["Statement"]}


def test_add_permission_url_auth_type_becomes_a_condition(lam) -> None:
    lam.add_permission(
        FunctionName="hello",
        StatementId="FunctionURLAllowPublicAccess",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="NONE",
    )
    statement = _statements(lam)["FunctionURLAllowPublicAccess"]
    assert statement["Condition"] == {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}}
    assert "FunctionUrlAuthType" not in statement
    assert statement["Action"] == "lambda:InvokeFunctionUrl"
    assert statement["Effect"] == "Allow"
    assert statement["Resource"] == fn_arn()


def test_add_permission_invoked_via_url_becomes_a_bool_condition(lam) -> None:
    lam.add_permission(
        FunctionName="hello",
        StatementId="FunctionURLAllowInvokeAction",
        Action="lambda:InvokeFunction",
        Principal="*",
        InvokedViaFunctionUrl=True,
    )
    statement = _statements(lam)["FunctionURLAllowInvokeAction"]
    assert statement["Condition"] == {"Bool": {"lambda:InvokedViaFunctionUrl": "true"}}
    assert "InvokedViaFunctionUrl" not in statement
    assert statement["Action"] == "lambda:InvokeFunction"


def test_both_public_url_permissions_side_by_side(lam) -> None:
    lam.add_permission(
        FunctionName="hello",
        StatementId="FunctionURLAllowPublicAccess",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="NONE",
    )
    lam.add_permission(
        FunctionName="hello",
        StatementId="FunctionURLAllowInvokeAction",
        Action="lambda:InvokeFunction",
        Principal="*",
        InvokedViaFunctionUrl=True,
    )
    statements = _statements(lam)
    assert statements["FunctionURLAllowPublicAccess"]["Condition"] == {
        "StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}
    }
    assert statements["FunctionURLAllowInvokeAction"]["Condition"] == {"Bool": {"lambda:InvokedViaFunctionUrl": "true"}}


def test_url_auth_type_merges_with_source_arn_condition(lam) -> None:
    dist = f"arn:aws:cloudfront::{ACCOUNT}:distribution/E2EXAMPLE"
    lam.add_permission(
        FunctionName="hello",
        StatementId="AllowCloudFrontServicePrincipal",
        Action="lambda:InvokeFunctionUrl",
        Principal="cloudfront.amazonaws.com",
        SourceArn=dist,
        FunctionUrlAuthType="AWS_IAM",
    )
    condition = _statements(lam)["AllowCloudFrontServicePrincipal"]["Condition"]
    assert condition["StringEquals"] == {"lambda:FunctionUrlAuthType": "AWS_IAM"}
    assert condition["ArnLike"] == {"AWS:SourceArn": dist}


def test_plain_permission_has_no_added_condition(lam) -> None:
    lam.add_permission(
        FunctionName="hello", StatementId="plain", Action="lambda:InvokeFunction", Principal="s3.amazonaws.com"
    )
    assert "Condition" not in _statements(lam)["plain"]


def test_invoked_via_url_false_adds_no_condition(lam) -> None:
    lam.add_permission(
        FunctionName="hello",
        StatementId="notvia",
        Action="lambda:InvokeFunction",
        Principal="*",
        InvokedViaFunctionUrl=False,
    )
    statement = _statements(lam)["notvia"]
    assert "Condition" not in statement
    assert "InvokedViaFunctionUrl" not in statement


def test_apply_is_idempotent() -> None:
    moto_gaps.apply()
    patched = moto_gaps.lambda_models.LambdaBackend.create_function_url_config
    moto_gaps.apply()
    assert moto_gaps.lambda_models.LambdaBackend.create_function_url_config is patched
    assert inspect.unwrap(patched) is moto_gaps.create_function_url_config  # aliases.apply() may wrap it


def test_remove_permission_gives_the_policy_a_new_revision(lam) -> None:
    lam.add_permission(FunctionName="hello", StatementId="a", Action="lambda:InvokeFunction", Principal="*")
    lam.add_permission(FunctionName="hello", StatementId="b", Action="lambda:InvokeFunction", Principal="*")
    before = lam.get_policy(FunctionName="hello")["RevisionId"]
    lam.remove_permission(FunctionName="hello", StatementId="a")
    after = lam.get_policy(FunctionName="hello")["RevisionId"]
    assert before != after


# --- The function's configuration (issue 12, recorded on AWS) ----------------------------------------


def test_configuration_has_revision_logging_and_runtime_version(lam) -> None:
    config = lam.get_function(FunctionName="hello")["Configuration"]
    assert config["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": "/aws/lambda/hello"}
    assert re.fullmatch(
        r"arn:aws:lambda:us-east-1::runtime:[0-9a-f]{64}", config["RuntimeVersionConfig"]["RuntimeVersionArn"]
    )
    first = config["RevisionId"]
    assert re.fullmatch(r"[0-9a-f-]{36}", first)
    assert lam.get_function_configuration(FunctionName="hello")["RevisionId"] == first
    updated = lam.update_function_configuration(FunctionName="hello", Timeout=9)
    assert updated["RevisionId"] != first
    code = lam.update_function_code(FunctionName="hello", ZipFile=_zip())
    assert code["RevisionId"] not in (first, updated["RevisionId"])


def test_an_empty_environment_is_kept_and_a_logging_config_too(lam) -> None:
    role = lam.get_function(FunctionName="hello")["Configuration"]["Role"]
    created = lam.create_function(
        FunctionName="quiet",
        Runtime="python3.12",
        Role=role,
        Handler="handler.handler",
        Code={"ZipFile": _zip()},
        Environment={"Variables": {}},
        LoggingConfig={"LogFormat": "JSON"},
    )
    assert created["Environment"] == {"Variables": {}}
    assert (created["State"], created["StateReasonCode"]) == ("Pending", "Creating")
    assert created["StateReason"] == "The function is being created."
    assert lam.get_function(FunctionName="quiet")["Configuration"]["State"] == "Active"
    assert created["LoggingConfig"] == {
        "LogFormat": "JSON",
        "LogGroup": "/aws/lambda/quiet",
        "ApplicationLogLevel": "INFO",
        "SystemLogLevel": "INFO",
    }
    assert "Environment" not in lam.get_function(FunctionName="hello")["Configuration"]
