"""A handler runs with its execution role's session, never the learner's credentials (as on Lambda)."""

from __future__ import annotations

import json

import pytest
from botocore.credentials import Credentials

pytestmark = pytest.mark.integration

WHO_AM_I = """
import os
import boto3

def handler(event, context):
    identity = boto3.client("sts").get_caller_identity()
    return {
        "key": os.environ["AWS_ACCESS_KEY_ID"],
        "token": bool(os.environ.get("AWS_SESSION_TOKEN")),
        "arn": identity["Arn"],
        "endpoint": os.environ.get("AWS_ENDPOINT_URL", ""),
        "proxies": [name for name in os.environ if name.lower().endswith("_proxy")],
    }
"""


def test_a_handler_calls_aws_as_its_execution_role(
    deploy, aws, role_arn: str, local_credentials: Credentials, endpoint: str
) -> None:
    function = deploy(WHO_AM_I, url=False)
    answer = json.loads(aws("lambda").invoke(FunctionName=function.name)["Payload"].read())
    assert answer["key"] != local_credentials.access_key
    assert answer["token"] is True
    role_name = role_arn.rsplit("/", 1)[1]
    assert answer["arn"] == f"arn:aws:sts::123456789012:assumed-role/{role_name}/{function.name}"
    assert answer["endpoint"] == endpoint
    assert answer["proxies"] == []
