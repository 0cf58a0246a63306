"""An AWS_IAM Function URL of the local cloud, over real HTTP, called through four independent SigV4 signers.

(a) botocore (the kit's ``infra.signing.SigV4`` on httpx), (b) requests-aws4auth, (c) aws-requests-auth and
(d) curl's ``--aws-sigv4``, each for a GET with a query string and a POST with a JSON body, all with the kit's local
credentials (the account root, so always allowed on a same-account URL). Then the 403s: unsigned, unknown key,
and a body changed after signing.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import requests
from aws_requests_auth.aws_auth import AWSRequestsAuth
from botocore.credentials import Credentials
from requests_aws4auth import AWS4Auth

from infra.signing import SigV4
from tests.local_cloud import REGION, Deployed, create_python_function, zip_source

pytestmark = pytest.mark.integration

ECHO = """
import json

def handler(event, context):
    authorizer = event["requestContext"].get("authorizer") or {}
    return {
        "method": event["requestContext"]["http"]["method"],
        "rawPath": event["rawPath"],
        "rawQueryString": event["rawQueryString"],
        "body": event.get("body"),
        "isBase64Encoded": event.get("isBase64Encoded"),
        "iam": authorizer.get("iam"),
    }
"""

PATH = "/orders/recent"
QUERY = "status=open&limit=10&tag=b&tag=a&note=two%20words"
# curl up to 8.0 signs the query in the order given, unsorted (curl/curl#9717), which AWS refuses: it gets the
# same parameters already in canonical order.
SORTED_QUERY = "&".join(sorted(QUERY.split("&"), key=lambda pair: tuple(pair.split("=", 1))))
BODY = json.dumps({"item": "coffee", "quantity": 2, "note": "très chaud"}).encode()
UNKNOWN_KEY = "AKIAUNKNOWN000000000"
FORBIDDEN_UNSIGNED = b'{"Message":"Forbidden"}'
INVALID_TOKEN = "The security token included in the request is invalid."
SIGNATURE_MISMATCH = "The request signature we calculated does not match the signature you provided."


@pytest.fixture(scope="module")
def fn(aws, role_arn: str, endpoint: str) -> Iterator[Deployed]:
    """One echo function behind an AWS_IAM URL for the whole module."""
    lam = aws("lambda")
    name = f"it-sigv4-{uuid.uuid4().hex[:8]}"
    create_python_function(lam, name, role_arn, zip_source(ECHO), Timeout=10)
    url = lam.create_function_url_config(FunctionName=name, AuthType="NONE")["FunctionUrl"]
    lam.update_function_url_config(FunctionName=name, AuthType="AWS_IAM")
    assert lam.get_function_url_config(FunctionName=name)["AuthType"] == "AWS_IAM"
    yield Deployed(name, url, endpoint)
    with contextlib.suppress(lam.exceptions.ResourceNotFoundException):
        lam.delete_function(FunctionName=name)


def _request_headers(fn: Deployed, body: bytes | None) -> dict[str, str]:
    headers = {"Host": fn.host}
    if body is not None:
        headers["Content-Type"] = "application/json"
    return headers


# Each signer: (fn, method, target, body, access_key, secret_key, tampered_body) -> (status, body bytes).
Signer = Callable[[Deployed, str, str, "bytes | None", str, str, "bytes | None"], tuple[int, bytes]]


def via_botocore(fn, method, target, body, access_key, secret_key, tampered) -> tuple[int, bytes]:
    """(a) botocore's SigV4Auth, through the kit's httpx auth, to 127.0.0.1 with the URL's Host."""
    auth = SigV4(Credentials(access_key, secret_key), REGION)
    with httpx.Client(base_url=fn.endpoint, timeout=60) as client:
        request = client.build_request(method, target, headers=_request_headers(fn, body), content=body)
        signed = next(auth.sync_auth_flow(request))
        if tampered is not None:
            headers = {k: v for k, v in signed.headers.items() if k.lower() != "content-length"}
            signed = client.build_request(method, target, headers=headers, content=tampered)
        response = client.send(signed)
    return response.status_code, response.content


def _via_requests(fn, method, target, body, auth, tampered) -> tuple[int, bytes]:
    with requests.Session() as session:
        prepared = session.prepare_request(
            requests.Request(method, fn.endpoint + target, headers=_request_headers(fn, body), data=body, auth=auth)
        )
        if tampered is not None:
            prepared.body = tampered
            prepared.headers["Content-Length"] = str(len(tampered))
        response = session.send(prepared, timeout=60)
    return response.status_code, response.content


def via_requests_aws4auth(fn, method, target, body, access_key, secret_key, tampered) -> tuple[int, bytes]:
    """(b) requests-aws4auth: signs the prepared request's own Host header (set to the URL's host)."""
    return _via_requests(fn, method, target, body, AWS4Auth(access_key, secret_key, REGION, "lambda"), tampered)


def via_aws_requests_auth(fn, method, target, body, access_key, secret_key, tampered) -> tuple[int, bytes]:
    """(c) aws-requests-auth: takes the host to sign explicitly (``aws_host``)."""
    auth = AWSRequestsAuth(
        aws_access_key=access_key,
        aws_secret_access_key=secret_key,
        aws_host=fn.host,
        aws_region=REGION,
        aws_service="lambda",
    )
    return _via_requests(fn, method, target, body, auth, tampered)


def via_curl(fn, method, target, body, access_key, secret_key, tampered) -> tuple[int, bytes]:
    """(d) curl's own signer, against the ``*.localhost`` name (the Host it signs carries the port)."""
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    assert tampered is None, "curl signs and sends in one step"
    target = target.replace(QUERY, SORTED_QUERY)
    command = [
        "curl",
        "-sS",
        "--aws-sigv4",
        f"aws:amz:{REGION}:lambda",
        "--user",
        f"{access_key}:{secret_key}",
        "-X",
        method,
        "-w",
        "\n%{http_code}",
    ]
    if body is not None:
        command += ["-H", "Content-Type: application/json", "--data-binary", "@-"]
    command.append(fn.local_url(target))
    out = subprocess.run(command, input=body or b"", capture_output=True, timeout=60, check=True)
    content, _, status = out.stdout.rpartition(b"\n")
    return int(status), content


SIGNERS: dict[str, Signer] = {
    "botocore": via_botocore,
    "requests-aws4auth": via_requests_aws4auth,
    "aws-requests-auth": via_aws_requests_auth,
    "curl": via_curl,
}
REQUESTS = {
    "GET-with-query": ("GET", f"{PATH}?{QUERY}", None),
    "POST-json": ("POST", PATH, BODY),
}


@pytest.mark.parametrize("shape", list(REQUESTS))
@pytest.mark.parametrize("signer", list(SIGNERS))
def test_a_signed_request_is_accepted(fn: Deployed, signer: str, shape: str, local_credentials: Credentials) -> None:
    method, target, body = REQUESTS[shape]
    status, content = SIGNERS[signer](
        fn, method, target, body, local_credentials.access_key, local_credentials.secret_key, None
    )
    assert status == 200, content
    echoed: dict[str, Any] = json.loads(content)
    assert echoed["method"] == method
    assert echoed["rawPath"] == PATH
    query = SORTED_QUERY if signer == "curl" else QUERY
    assert echoed["rawQueryString"] == (query if method == "GET" else "")
    if body is not None:
        assert echoed["body"] == body.decode() and echoed["isBase64Encoded"] is False
    assert echoed["iam"]["accessKey"] == local_credentials.access_key
    assert echoed["iam"]["userArn"].endswith(":root")


def test_an_unsigned_request_is_forbidden(fn: Deployed, http: httpx.Client) -> None:
    for method, target, body in REQUESTS.values():
        response = http.request(method, target, headers=_request_headers(fn, body), content=body)
        assert response.status_code == 403
        assert response.content == FORBIDDEN_UNSIGNED


@pytest.mark.parametrize("signer", list(SIGNERS))
def test_an_unknown_key_is_an_invalid_security_token(fn: Deployed, signer: str) -> None:
    method, target, body = REQUESTS["POST-json"]
    status, content = SIGNERS[signer](fn, method, target, body, UNKNOWN_KEY, "not-a-known-secret", None)
    assert status == 403
    assert json.loads(content) == {"message": INVALID_TOKEN}


@pytest.mark.parametrize("signer", [name for name in SIGNERS if name != "curl"])
def test_a_body_changed_after_signing_is_a_signature_mismatch(
    fn: Deployed, signer: str, local_credentials: Credentials
) -> None:
    method, target, body = REQUESTS["POST-json"]
    tampered = BODY.replace(b"2", b"20")
    status, content = SIGNERS[signer](
        fn, method, target, body, local_credentials.access_key, local_credentials.secret_key, tampered
    )
    assert status == 403
    assert json.loads(content)["message"].startswith(SIGNATURE_MISMATCH)


@pytest.mark.parametrize("signer", [name for name in SIGNERS if name != "curl"])
def test_a_wrong_secret_is_a_signature_mismatch(fn: Deployed, signer: str, local_credentials: Credentials) -> None:
    method, target, body = REQUESTS["GET-with-query"]
    status, content = SIGNERS[signer](fn, method, target, body, local_credentials.access_key, "not-the-secret", None)
    assert status == 403
    assert json.loads(content)["message"].startswith(SIGNATURE_MISMATCH)


def _keys(credentials: Credentials) -> tuple[str, str]:
    return credentials.access_key, credentials.secret_key
