"""Malformed AWS API requests over real HTTP get AWS's 4xx, as boto3 raises it.

boto3 never sends malformed requests on its own, so each test rewrites one request just before it is signed
(botocore's ``before-sign`` event): the local cloud sees a request signed like any other.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.awsrequest import AWSRequest
from botocore.exceptions import ClientError


def rewrite(client: Any, operation: str, change: Callable[[AWSRequest], None]) -> Any:
    """``client`` with ``change`` applied to every ``operation`` request before it is signed."""
    service = client.meta.service_model.service_id.hyphenize()

    def handler(request: AWSRequest, **_: Any) -> None:
        change(request)

    client.meta.events.register(f"before-sign.{service}.{operation}", handler)
    return client


def body(data: bytes) -> Callable[[AWSRequest], None]:
    def change(request: AWSRequest) -> None:
        request.data = data
        if "Content-Length" in request.headers:
            request.headers.replace_header("Content-Length", str(len(data)))

    return change


def header(name: str, value: str) -> Callable[[AWSRequest], None]:
    def change(request: AWSRequest) -> None:
        request.headers.replace_header(name, value)

    return change


def path(new_path: str) -> Callable[[AWSRequest], None]:
    def change(request: AWSRequest) -> None:
        scheme, rest = request.url.split("//", 1)
        request.url = f"{scheme}//{rest.split('/', 1)[0]}{new_path}"

    return change


def error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[int, str, str]:
    response = excinfo.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"], response["Error"]["Message"]


def test_json_protocol_unknown_target_and_bad_body(aws) -> None:
    acm = rewrite(aws("acm"), "ListCertificates", header("X-Amz-Target", "CertificateManager.ListCertificatez"))
    with pytest.raises(ClientError) as unknown:
        acm.list_certificates()
    assert error(unknown)[:2] == (400, "UnknownOperationException")
    logs = rewrite(aws("logs"), "DescribeLogGroups", body(b'{"limit": "ten"'))
    with pytest.raises(ClientError) as malformed:
        logs.describe_log_groups()
    assert error(malformed)[:2] == (400, "SerializationException")


def test_query_protocol_unknown_action_and_wrong_type(aws) -> None:
    iam = rewrite(aws("iam"), "ListRoles", body(b"Action=ListRolez&Version=2010-05-08"))
    with pytest.raises(ClientError) as unknown:
        iam.list_roles()
    assert error(unknown) == (400, "InvalidAction", "Could not find operation ListRolez for version 2010-05-08")
    iam = rewrite(aws("iam"), "ListRoles", body(b"Action=ListRoles&Version=2010-05-08&MaxItems=ten"))
    with pytest.raises(iam.exceptions.InvalidInputException):
        iam.list_roles()
    sts = rewrite(aws("sts"), "GetCallerIdentity", body(b"Action=GetCallerIdentity&%ZZ"))
    with pytest.raises(ClientError) as malformed:
        sts.get_caller_identity()
    assert error(malformed)[:2] == (404, "MalformedQueryString")


def test_lambda_unknown_route_and_body_that_is_not_json(aws, role_arn) -> None:
    lam = rewrite(aws("lambda"), "GetFunction", path("/2015-03-31/nothing/here"))
    with pytest.raises(ClientError) as unknown:
        lam.get_function(FunctionName="anything")
    assert error(unknown)[:2] == (404, "UnknownOperationException")
    lam = rewrite(aws("lambda"), "CreateFunction", body(b'{"FunctionName": "f", "Timeout": "long"}'))
    with pytest.raises(lam.exceptions.InvalidRequestContentException) as malformed:
        lam.create_function(FunctionName="f", Role=role_arn, Code={"ZipFile": b"x"})
    assert error(malformed)[2].startswith("Could not parse request body into json: ")


def test_rest_xml_body_that_is_not_xml(aws) -> None:
    cloudfront = rewrite(aws("cloudfront"), "CreateDistribution", body(b"<DistributionConfig><"))
    origin = {
        "Id": "x",
        "DomainName": "example.com",
        "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"},
    }
    config = {"CallerReference": "x", "Origins": {"Quantity": 1, "Items": [origin]}, "Comment": "", "Enabled": False}
    config["DefaultCacheBehavior"] = {"TargetOriginId": "x", "ViewerProtocolPolicy": "allow-all"}
    with pytest.raises(ClientError) as malformed:
        cloudfront.create_distribution(DistributionConfig=config)
    assert error(malformed)[:2] == (400, "MalformedInput")


def test_well_formed_requests_are_untouched(aws) -> None:
    assert aws("sts").get_caller_identity()["Account"]
    with pytest.raises(aws("lambda").exceptions.ResourceNotFoundException):
        aws("lambda").get_function(FunctionName="no-such-function-here")
