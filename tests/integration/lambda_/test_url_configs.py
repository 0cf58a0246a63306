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
