"""Korean text through CloudFront in front of an AWS_IAM Function URL (Origin Access Control signs each origin
request), reached by the distribution's own name and by a custom domain that Route 53 aliases to it: the
viewer's path, query string, header values, cookies and body reach the function; its JSON and its stream
(chunks split inside Hangul syllables) reach the viewer; a header HTTP/1.1 cannot carry is an origin 502."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from infra.kit import LocalCloudTransport
from infra.local import control
from infra.steps.cloudfront import (
    CustomDomain,
    Origin,
    distribution_config,
    ensure_origin_access_control,
    grant_cloudfront,
    revoke_public_url_permissions,
)
from tests.integration import korean
from tests.integration.korean import (
    COOKIE,
    GREETING,
    NAME,
    PATH_ENCODED,
    QUERY,
    RFC8187,
    raw_exchange,
    raw_get,
)
from tests.local_cloud import streaming_zip_with


@dataclass(frozen=True)
class Front:
    """Where a viewer sends requests: ``host`` (the distribution's name or the custom domain)."""

    host: str
    kind: str

    @property
    def base(self) -> str:
        return f"https://{self.host}"


@pytest.fixture(params=["distribution", "custom-domain"])
def front_of(request, aws) -> Iterator[Any]:
    """``make(function_name, url)``: lock the AWS_IAM URL behind a new distribution (OAC), reached by its own
    name or by a custom domain aliased to it in Route 53, and return the ``Front`` a viewer uses."""
    cf, lam = aws("cloudfront", "us-east-1"), aws("lambda")

    def make(function_name: str, url: str) -> Front:
        tag = uuid.uuid4().hex[:8]
        control = ensure_origin_access_control(cf, f"ko-{tag}")
        origin = Origin(url, oac_id=control.id)
        domain = None
        if request.param == "custom-domain":
            route53, acm = aws("route53"), aws("acm", "us-east-1")
            zone_name = f"ko{tag}.test"
            zone = route53.create_hosted_zone(Name=zone_name + ".", CallerReference=tag)["HostedZone"]["Id"]
            name = f"api.{zone_name}"
            arn = acm.request_certificate(DomainName=name, ValidationMethod="DNS")["CertificateArn"]
            record = acm.describe_certificate(CertificateArn=arn)["Certificate"]["DomainValidationOptions"][0]
            _upsert(
                route53,
                zone,
                {
                    "Name": record["ResourceRecord"]["Name"],
                    "Type": "CNAME",
                    "TTL": 60,
                    "ResourceRecords": [{"Value": record["ResourceRecord"]["Value"]}],
                },
            )
            domain = CustomDomain((name,), arn)
        config = distribution_config(f"ko-{tag}", origin, domain=domain)
        dist = cf.create_distribution(DistributionConfig=config)["Distribution"]
        lam.update_function_url_config(FunctionName=function_name, AuthType="AWS_IAM")
        revoke_public_url_permissions(lam, function_name)
        grant_cloudfront(lam, function_name, dist["ARN"])
        if domain is None:
            return Front(dist["DomainName"], "distribution")
        alias = {"HostedZoneId": "Z2FDTNDATAQYW2", "DNSName": dist["DomainName"], "EvaluateTargetHealth": False}
        _upsert(route53, zone, {"Name": domain.aliases[0], "Type": "A", "AliasTarget": alias})
        return Front(domain.aliases[0], "custom-domain")

    yield make


def _upsert(route53: Any, zone_id: str, record: dict[str, Any]) -> None:
    route53.change_resource_record_sets(
        HostedZoneId=zone_id, ChangeBatch={"Changes": [{"Action": "UPSERT", "ResourceRecordSet": record}]}
    )


@pytest.fixture
def viewer(endpoint: str) -> Iterator[httpx.Client]:
    """httpx as a viewer: AWS names and custom domains go to the local cloud, keeping their Host."""
    with httpx.Client(transport=LocalCloudTransport(endpoint), timeout=60) as client:
        yield client


def _port(endpoint: str) -> int:
    return int(endpoint.rsplit(":", 1)[1])


def _tls_port() -> int:
    """The local cloud's TLS port: the distributions here want HTTPS (``redirect-to-https``)."""
    info = control.read_state()
    assert info is not None
    return info.tls_port


def test_korean_in_the_viewer_request_reaches_the_function_and_its_json_comes_back(deploy, front_of, viewer) -> None:
    fn = deploy(korean.ECHO)
    assert fn.url is not None
    front = front_of(fn.name, fn.url)
    got = viewer.get(
        f"{front.base}{PATH_ENCODED}?{QUERY}",
        headers={"X-Name": NAME.encode(), "X-Name-Rfc8187": RFC8187, "Cookie": COOKIE.encode()},
    )
    assert got.status_code == 200, got.text
    assert got.headers["x-cache"] == "Miss from cloudfront" and "x-amz-cf-id" in got.headers
    event = got.json()["event"]
    assert event["requestContext"]["authorizer"]["iam"]["userArn"] == "cloudfront.amazonaws.com"  # OAC signed it
    assert event["rawPath"] == PATH_ENCODED and event["rawQueryString"] == QUERY
    assert event["queryStringParameters"] == {"name": "홍길동,철수", "greeting": GREETING}
    assert event["headers"]["x-name"] == NAME and event["headers"]["x-name-rfc8187"] == RFC8187
    assert event["cookies"] == [COOKIE]
    assert got.json()["greeting"] == GREETING
    assert got.headers["content-disposition"] == "attachment; filename*=UTF-8''%ED%95%9C%EA%B8%80.txt"


def test_a_korean_post_body_through_origin_access_control(deploy, front_of, viewer) -> None:
    fn = deploy(korean.ECHO)
    assert fn.url is not None
    front = front_of(fn.name, fn.url)
    body = json.dumps({"이름": NAME, "인사": GREETING}, ensure_ascii=False).encode()
    got = viewer.post(
        f"{front.base}/orders",
        content=body,
        headers={"content-type": "application/json", "x-amz-content-sha256": hashlib.sha256(body).hexdigest()},
    )
    assert got.status_code == 200, got.text
    event = got.json()["event"]
    assert event["isBase64Encoded"] is False and json.loads(event["body"]) == {"이름": NAME, "인사": GREETING}


@pytest.mark.parametrize(("reply", "name"), [("hangul", "x-greeting"), ("crlf", "x-greeting")])
def test_an_unsendable_origin_header_is_an_origin_502_never_a_hang(deploy, front_of, endpoint, reply, name) -> None:
    fn = deploy(korean.ECHO)
    assert fn.url is not None
    front = front_of(fn.name, fn.url)
    answer = raw_exchange(_tls_port(), raw_get(front.host, f"/?reply={reply}"), server_name=front.host)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 502 ")
    assert b"X-Cache: Error from cloudfront" in head and b"X-Amz-Cf-Id: " in head
    assert name in json.loads(body)["message"] and b"x-injected" not in head


def test_raw_utf8_in_the_viewer_request_target_is_refused_cleanly(deploy, front_of, endpoint) -> None:
    fn = deploy(korean.ECHO)
    assert fn.url is not None
    front = front_of(fn.name, fn.url)
    request = b"GET /" + NAME.encode() + f" HTTP/1.1\r\nHost: {front.host}\r\n\r\n".encode()
    assert raw_exchange(_port(endpoint), request).startswith(b"HTTP/1.1 400 Bad Request")


def test_a_korean_stream_passes_through_whole_with_its_split_chunks(streaming, front_of, viewer) -> None:
    name, url = streaming("ko.handler", "RESPONSE_STREAM", code=streaming_zip_with("ko", korean.STREAM))
    front = front_of(name, url)
    with viewer.stream("GET", f"{front.base}/") as response:
        assert response.status_code == 200 and response.headers["x-cache"] == "Miss from cloudfront"
        raw = list(response.iter_raw())
    assert b"".join(raw).decode("utf-8") == korean.STREAMED
    with viewer.stream("GET", f"{front.base}/") as response:
        assert "".join(response.iter_text()) == korean.STREAMED
    with viewer.stream("GET", f"{front.base}/?reply=hangul") as refused:
        assert refused.status_code == 502 and refused.headers["x-cache"] == "Error from cloudfront"
