"""The AWS API side of the local cloud takes only calls signed by someone it knows, as AWS does.

Each case goes through the path a client takes: boto3 over HTTP for the SDK's view (the ``ClientError``
code botocore raises), raw HTTP for what a web page or another program can send.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import httpx
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from infra.local.iam.sigv4 import Credential, sign_headers
from tests.local_cloud import REGION

pytestmark = pytest.mark.integration
PROJECT = Path(__file__).resolve().parents[3]

# service, a harmless call, the code for (unsigned, unknown key, wrong secret) on that service's protocol
CALLS = {
    "lambda": (
        "list_functions",
        {},
        ("MissingAuthenticationTokenException", "UnrecognizedClientException", "InvalidSignatureException"),
    ),
    "acm": (
        "list_certificates",
        {},
        ("MissingAuthenticationTokenException", "UnrecognizedClientException", "InvalidSignatureException"),
    ),
    "logs": (
        "describe_log_groups",
        {},
        ("MissingAuthenticationTokenException", "UnrecognizedClientException", "InvalidSignatureException"),
    ),
    "iam": ("list_roles", {}, ("MissingAuthenticationToken", "InvalidClientTokenId", "SignatureDoesNotMatch")),
    "sts": ("get_caller_identity", {}, ("MissingAuthenticationToken", "InvalidClientTokenId", "SignatureDoesNotMatch")),
    "cloudfront": (
        "list_distributions",
        {},
        ("MissingAuthenticationToken", "InvalidClientTokenId", "SignatureDoesNotMatch"),
    ),
    "route53": (
        "list_hosted_zones",
        {},
        ("MissingAuthenticationToken", "InvalidClientTokenId", "SignatureDoesNotMatch"),
    ),
}


def _client(endpoint: str, service: str, **kwargs: object):  # type: ignore[no-untyped-def]
    config = kwargs.pop("config", Config(retries={"max_attempts": 1}))
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION, config=config, **kwargs)  # type: ignore[call-overload]


def _code(call) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(ClientError) as caught:
        call()
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    return str(caught.value.response["Error"]["Code"])


@pytest.mark.parametrize("service", list(CALLS))
def test_the_learners_own_credentials_are_accepted(endpoint: str, aws, service: str) -> None:
    operation, params, _ = CALLS[service]
    response = getattr(aws(service), operation)(**params)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200


@pytest.mark.parametrize("service", list(CALLS))
def test_unsigned_unknown_and_mismatched_calls_get_the_protocols_errors(
    endpoint: str, local_credentials: Credentials, service: str
) -> None:
    operation, params, (missing, unknown, mismatch) = CALLS[service]
    unsigned = _client(endpoint, service, config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}))
    assert _code(lambda: getattr(unsigned, operation)(**params)) == missing
    stranger = _client(endpoint, service, aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="x" * 40)
    assert _code(lambda: getattr(stranger, operation)(**params)) == unknown
    wrong_secret = _client(
        endpoint, service, aws_access_key_id=local_credentials.access_key, aws_secret_access_key="not-the-secret"
    )
    assert _code(lambda: getattr(wrong_secret, operation)(**params)) == mismatch


def test_the_constant_credentials_of_older_kits_are_refused(endpoint: str) -> None:
    old = _client(
        endpoint,
        "lambda",
        aws_access_key_id="AKIAKITLOCAL00000000",
        aws_secret_access_key="local-cloud-secret-key-not-a-real-secret",
    )
    assert _code(old.list_functions) == "UnrecognizedClientException"


def _signed(local: Credentials, endpoint: str, *, now: datetime) -> list[tuple[str, str]]:
    host = endpoint.removeprefix("http://")
    return sign_headers(
        "GET",
        "/2015-03-31/functions/",
        "",
        (("host", host),),
        credential=Credential(local.access_key, local.secret_key),
        service="lambda",
        region=REGION,
        payload_sha256="e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        now=now,
    )


def test_a_stale_signature_and_a_malformed_one_are_refused_as_aws_refuses_them(
    endpoint: str, local_credentials: Credentials, http: httpx.Client
) -> None:
    fresh = _signed(local_credentials, endpoint, now=datetime.now(UTC))
    assert http.get("/2015-03-31/functions/", headers=fresh).status_code == 200
    stale = http.get(
        "/2015-03-31/functions/",
        headers=_signed(local_credentials, endpoint, now=datetime.now(UTC) - timedelta(minutes=6)),
    )
    assert stale.status_code == 403
    assert stale.headers["x-amzn-ErrorType"] == "InvalidSignatureException"
    assert stale.json()["message"].startswith("Signature expired: ")
    garbled = http.get("/2015-03-31/functions/", headers={"Authorization": "AWS4-HMAC-SHA256 Credential=nothing"})
    assert garbled.status_code == 403 and garbled.headers["x-amzn-ErrorType"] == "IncompleteSignatureException"


def test_a_web_page_can_neither_preflight_nor_post_to_the_aws_api(endpoint: str, http: httpx.Client) -> None:
    page = "http://attacker.example"
    preflight = http.options(
        "/2015-03-31/functions/any/invocations",
        headers={
            "Origin": page,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "x-amz-target",
        },
    )
    assert preflight.status_code == 403
    assert not [name for name in preflight.headers if name.lower().startswith("access-control-")]
    simple = http.post(
        "/2015-03-31/functions/any/invocations",
        headers={"Origin": page, "Content-Type": "text/plain"},
        content=b"{}",
    )
    assert simple.status_code == 403
    assert simple.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    assert "access-control-allow-origin" not in simple.headers
    stack = http.post(
        "/",
        headers={"Origin": page, "Content-Type": "application/x-www-form-urlencoded"},
        content=b"Action=CreateStack&StackName=x&TemplateBody=%7B%7D&Version=2010-05-15",
    )
    assert stack.status_code == 403 and b"<Code>MissingAuthenticationToken</Code>" in stack.content


def test_signed_calls_get_no_cors_allowance_either(aws, endpoint: str, local_credentials: Credentials) -> None:
    from infra.signing import SigV4

    with httpx.Client(base_url=endpoint, auth=SigV4(local_credentials, REGION)) as signed:
        answer = signed.get("/2015-03-31/functions/", headers={"Origin": "http://attacker.example"})
    assert answer.status_code == 200
    assert "access-control-allow-origin" not in answer.headers


def test_health_unsigned_says_only_what_the_server_is(http: httpx.Client) -> None:
    assert http.get("/_kit/health").json() == {"service": "lambda-url-kit local cloud"}
    assert http.post("/_kit/shutdown").status_code == 403
    assert http.get("/_kit/resolve", params={"name": "example.test"}).status_code == 403


def test_the_state_folder_and_credentials_are_the_learners_alone(endpoint: str) -> None:
    from infra.local import control

    folder = control.state_dir()
    assert folder.stat().st_mode & 0o777 == 0o700
    assert (folder / "credentials.json").stat().st_mode & 0o777 == 0o600
    assert (folder / "local-cloud.json").stat().st_mode & 0o777 == 0o600
    assert (folder / "local-cloud.log").stat().st_mode & 0o777 == 0o600
    keys = json.loads((folder / "credentials.json").read_text())
    assert keys["aws_access_key_id"].startswith("AKIA") and len(keys["aws_access_key_id"]) == 20
    assert len(keys["aws_secret_access_key"]) == 40


def test_python_m_infra_local_env_gives_the_aws_cli_and_boto3_what_they_need(endpoint: str) -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "infra.local", "env"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    script = "import boto3; i = boto3.client('sts').get_caller_identity(); print(i['Arn'], i['UserId'])"
    shell = f'{printed}\n{sys.executable} -c "{script}"'
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["HTTPS_PROXY"] = env["HTTP_PROXY"] = "http://127.0.0.1:9"  # a proxy that is not there: never used
    arn = subprocess.run(["bash", "-c", shell], env=env, capture_output=True, text=True, timeout=60, check=True).stdout
    assert arn.split() == ["arn:aws:iam::123456789012:root", "123456789012"]  # the account root, as on AWS
