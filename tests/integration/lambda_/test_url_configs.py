"""The Function URL configuration API on the local cloud, with plain boto3 (issue 12, recorded on AWS)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.integration.function_url.test_http import ECHO


def test_list_function_url_configs(deploy, aws) -> None:
    fn = deploy(ECHO, url=False)
    lam = aws("lambda")
    assert lam.list_function_url_configs(FunctionName=fn.name)["FunctionUrlConfigs"] == []
    version = lam.publish_version(FunctionName=fn.name)["Version"]
    lam.create_alias(FunctionName=fn.name, Name="live", FunctionVersion=version)
    own = lam.create_function_url_config(FunctionName=fn.name, AuthType="NONE")
    live = lam.create_function_url_config(FunctionName=fn.name, Qualifier="live", AuthType="AWS_IAM")
    listed = lam.list_function_url_configs(FunctionName=fn.name)["FunctionUrlConfigs"]
    assert {c["FunctionUrl"] for c in listed} == {own["FunctionUrl"], live["FunctionUrl"]}
    assert all(c["InvokeMode"] == "BUFFERED" for c in listed)
    first = lam.list_function_url_configs(FunctionName=fn.name, MaxItems=1)
    rest = lam.list_function_url_configs(FunctionName=fn.name, Marker=first["NextMarker"])
    assert len(first["FunctionUrlConfigs"]) == len(rest["FunctionUrlConfigs"]) == 1
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as info:
        lam.list_function_url_configs(FunctionName=f"{fn.name}-gone")
    assert info.value.response["Message"] == "Function does not exist"


def test_a_version_as_url_qualifier_is_a_validation_error(deploy, aws) -> None:
    fn = deploy(ECHO, url=False)
    lam = aws("lambda")
    version = lam.publish_version(FunctionName=fn.name)["Version"]
    with pytest.raises(ClientError) as info:
        lam.create_function_url_config(FunctionName=fn.name, Qualifier=version, AuthType="NONE")
    assert info.value.response["Error"]["Code"] == "ValidationException"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_the_url_of_a_deleted_alias_is_forbidden(deploy, aws, http) -> None:
    """Recorded on AWS (issue 12): 403 AccessDeniedException with the troubleshooting body, not {"Message":null}."""
    fn = deploy(ECHO, url=False)
    lam = aws("lambda")
    version = lam.publish_version(FunctionName=fn.name)["Version"]
    lam.create_alias(FunctionName=fn.name, Name="live", FunctionVersion=version)
    url = lam.create_function_url_config(FunctionName=fn.name, Qualifier="live", AuthType="NONE")["FunctionUrl"]
    for sid, action, extra in (
        ("FunctionURLAllowPublicAccess", "lambda:InvokeFunctionUrl", {"FunctionUrlAuthType": "NONE"}),
        ("FunctionURLAllowInvokeAction", "lambda:InvokeFunction", {"InvokedViaFunctionUrl": True}),
    ):
        added = lam.add_permission(
            FunctionName=fn.name, Qualifier="live", StatementId=sid, Action=action, Principal="*", **extra
        )
        assert added["ResponseMetadata"]["HTTPStatusCode"] == 201
    host = url.split("//", 1)[1].rstrip("/")
    assert http.get("/", headers={"Host": host}).status_code == 200
    deleted = lam.delete_alias(FunctionName=fn.name, Name="live")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    gone = http.get("/", headers={"Host": host})
    assert gone.status_code == 403
    assert gone.headers["x-amzn-ErrorType"] == "AccessDeniedException"
    assert gone.json()["Message"].startswith("Forbidden. For troubleshooting Function URL authorization issues")
    unknown = http.get("/", headers={"Host": "0" * 32 + ".lambda-url.ap-northeast-2.on.aws"})
    assert (unknown.status_code, unknown.content) == (403, b'{"Message":null}')


def test_create_and_update_answer_without_invoke_mode_when_none_was_given(aws, role_arn) -> None:
    """Recorded on AWS (issue 12): only Get and List show the default BUFFERED."""
    import uuid

    from tests.local_cloud import create_python_function, zip_source

    lam = aws("lambda")
    name = f"mode-{uuid.uuid4().hex[:8]}"
    create_python_function(lam, name, role_arn, zip_source("def handler(event, context):\n    return 1\n"))
    try:
        created = lam.create_function_url_config(FunctionName=name, AuthType="NONE")
        assert "InvokeMode" not in created
        assert lam.get_function_url_config(FunctionName=name)["InvokeMode"] == "BUFFERED"
        assert lam.list_function_url_configs(FunctionName=name)["FunctionUrlConfigs"][0]["InvokeMode"] == "BUFFERED"
        updated = lam.update_function_url_config(FunctionName=name, AuthType="AWS_IAM")
        assert "InvokeMode" not in updated and updated["AuthType"] == "AWS_IAM"
        streamed = lam.update_function_url_config(FunctionName=name, InvokeMode="RESPONSE_STREAM")
        assert streamed["InvokeMode"] == "RESPONSE_STREAM"
    finally:
        lam.delete_function(FunctionName=name)
