"""The local CloudFront edge over real HTTP: distributions in front of Function URLs, set up with plain boto3."""

from __future__ import annotations

import hashlib
import json
import re
import time
import uuid
from typing import Any

import httpx
import pytest

from infra.packaging import STREAMING_ENVIRONMENT
from tests.local_cloud import streaming_zip_with, tls_get

CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER = "216adef6-5c7f-47e4-b989-5492eafa07d3"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
ALL_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"]

ECHO = """
import json, time

def handler(event, context):
    headers = {"content-type": "application/json"}
    if event["rawPath"].endswith("/cached"):
        headers["cache-control"] = "max-age=60"
    if event["rawPath"].endswith("/nostore"):
        headers["cache-control"] = "no-store"
    return {"statusCode": 200, "headers": headers,
            "body": json.dumps({"path": event["rawPath"], "query": event["rawQueryString"],
                                "headers": event["headers"], "method": event["requestContext"]["http"]["method"],
                                "authorizer": event["requestContext"].get("authorizer"),
                                "body": event.get("body"), "at": time.time()})}
"""


def distribution_config(
    url: str,
    *,
    cache_policy: str = CACHING_DISABLED,
    origin_request_policy: str | None = ALL_VIEWER_EXCEPT_HOST,
    methods: list[str] | None = None,
    oac_id: str | None = None,
    read_timeout: int = 30,
    attempts: int = 3,
    origin_path: str = "",
    behaviours: list[dict[str, Any]] | None = None,
    enabled: bool = True,
) -> dict[str, Any]:
    domain = url.split("//", 1)[1].split("/", 1)[0]
    methods = methods or ALL_METHODS
    origin: dict[str, Any] = {
        "Id": "function-url",
        "DomainName": domain,
        "OriginPath": origin_path,
        "ConnectionAttempts": attempts,
        "CustomOriginConfig": {
            "HTTPPort": 80,
            "HTTPSPort": 443,
            "OriginProtocolPolicy": "https-only",
            "OriginReadTimeout": read_timeout,
            "OriginSslProtocols": {"Quantity": 1, "Items": ["TLSv1.2"]},
        },
    }
    if oac_id:
        origin["OriginAccessControlId"] = oac_id
    default: dict[str, Any] = {
        "TargetOriginId": "function-url",
        "ViewerProtocolPolicy": "redirect-to-https",
        "CachePolicyId": cache_policy,
        "AllowedMethods": {
            "Quantity": len(methods),
            "Items": methods,
            "CachedMethods": {"Quantity": 2, "Items": ["GET", "HEAD"]},
        },
    }
    if origin_request_policy:
        default["OriginRequestPolicyId"] = origin_request_policy
    config: dict[str, Any] = {
        "CallerReference": uuid.uuid4().hex,
        "Comment": "integration test",
        "Enabled": enabled,
        "Origins": {"Quantity": 1, "Items": [origin]},
        "DefaultCacheBehavior": default,
    }
    if behaviours:
        config["CacheBehaviors"] = {"Quantity": len(behaviours), "Items": behaviours}
    return config


@pytest.fixture
def cloudfront(aws):
    return aws("cloudfront", "us-east-1")


@pytest.fixture
def edge(endpoint: str):
    """httpx to a distribution's ``*.cloudfront.net`` name, sent to the local cloud with that Host."""
    from infra.kit import LocalCloudTransport

    with httpx.Client(transport=LocalCloudTransport(endpoint), timeout=120) as client:
        yield client


def create(cloudfront, config: dict[str, Any]) -> dict[str, Any]:
    return cloudfront.create_distribution(DistributionConfig=config)["Distribution"]


def test_get_and_post_reach_the_function_with_cloudfronts_headers(deploy, cloudfront, edge):
    fn = deploy(ECHO)
    dist = create(cloudfront, distribution_config(fn.url))
    base = f"https://{dist['DomainName']}"

    got = edge.get(f"{base}/hello?name=edge", headers={"User-Agent": "learner", "X-Custom": "1"})
    assert got.status_code == 200
    seen = got.json()
    assert seen["path"] == "/hello" and seen["query"] == "name=edge"
    assert seen["headers"]["host"] == fn.host  # AllViewerExceptHostHeader: the origin's own name
    assert seen["headers"]["x-custom"] == "1" and seen["headers"]["user-agent"] == "learner"
    assert re.fullmatch(r"1\.1 [0-9a-f]{32}\.cloudfront\.net \(CloudFront\)", seen["headers"]["via"])
    assert seen["headers"]["x-amz-cf-id"] == got.headers["x-amz-cf-id"]
    assert got.headers["x-cache"] == "Miss from cloudfront"
    assert re.fullmatch(r"[A-Za-z0-9_-]{54}==", got.headers["x-amz-cf-id"])
    assert re.fullmatch(r"[A-Z]{3}\d+-[A-Z]\d", got.headers["x-amz-cf-pop"])
    assert got.headers["via"].endswith(".cloudfront.net (CloudFront)")
    assert "x-amzn-requestid" in got.headers  # the URL's own headers pass through

    posted = edge.post(f"{base}/items", json={"n": 1})
    assert posted.status_code == 200
    assert posted.json()["method"] == "POST" and json.loads(posted.json()["body"]) == {"n": 1}


def test_without_an_origin_request_policy_the_origin_gets_no_viewer_headers_or_query(deploy, cloudfront, edge):
    fn = deploy(ECHO)
    dist = create(cloudfront, distribution_config(fn.url, origin_request_policy=None))
    seen = edge.get(f"https://{dist['DomainName']}/x?secret=1", headers={"X-Custom": "1"}).json()
    assert seen["query"] == "" and "x-custom" not in seen["headers"]
    assert seen["headers"]["user-agent"] == "Amazon CloudFront"


def test_allviewer_forwards_the_host_and_the_url_refuses_it(deploy, cloudfront, edge):
    fn = deploy(ECHO)
    wrong = create(cloudfront, distribution_config(fn.url, origin_request_policy=ALL_VIEWER))
    right = create(cloudfront, distribution_config(fn.url, origin_request_policy=ALL_VIEWER_EXCEPT_HOST))

    refused = edge.get(f"https://{wrong['DomainName']}/")
    assert refused.status_code == 403
    assert refused.json() == {"Message": None}
    assert refused.headers["x-cache"] == "Error from cloudfront"
    assert edge.get(f"https://{right['DomainName']}/").status_code == 200


def test_caching_optimized_keeps_responses_and_caching_disabled_does_not(deploy, cloudfront, edge):
    fn = deploy(ECHO)
    cached = create(cloudfront, distribution_config(fn.url, cache_policy=CACHING_OPTIMIZED))
    uncached = create(cloudfront, distribution_config(fn.url, cache_policy=CACHING_DISABLED))

    first = edge.get(f"https://{cached['DomainName']}/cached")
    second = edge.get(f"https://{cached['DomainName']}/cached")
    assert first.headers["x-cache"] == "Miss from cloudfront"
    assert second.headers["x-cache"] == "Hit from cloudfront"
    assert second.json()["at"] == first.json()["at"]  # the function ran once
    assert int(second.headers["age"]) >= 0
    assert edge.head(f"https://{cached['DomainName']}/cached").headers["x-cache"] == "Hit from cloudfront"
    # CachingOptimized ignores the query string: same object.
    assert edge.get(f"https://{cached['DomainName']}/cached?v=2").headers["x-cache"] == "Hit from cloudfront"

    # no-store with MinTTL 1 s: kept for one second only.
    edge.get(f"https://{cached['DomainName']}/nostore")
    time.sleep(1.1)
    assert edge.get(f"https://{cached['DomainName']}/nostore").headers["x-cache"] == "Miss from cloudfront"

    a = edge.get(f"https://{uncached['DomainName']}/cached")
    b = edge.get(f"https://{uncached['DomainName']}/cached")
    assert (a.headers["x-cache"], b.headers["x-cache"]) == ("Miss from cloudfront", "Miss from cloudfront")
    assert a.json()["at"] != b.json()["at"]


def test_cache_behaviours_by_path_pattern_and_allowed_methods(deploy, cloudfront, edge):
    fn = deploy(ECHO)
    api = {
        "PathPattern": "/api/*",
        "TargetOriginId": "function-url",
        "ViewerProtocolPolicy": "https-only",
        "CachePolicyId": CACHING_OPTIMIZED,
        "AllowedMethods": {"Quantity": 2, "Items": ["GET", "HEAD"]},
    }
    dist = create(cloudfront, distribution_config(fn.url, origin_path="/v1", behaviours=[api]))
    base = f"https://{dist['DomainName']}"

    assert edge.get(f"{base}/api/items").json()["path"] == "/v1/api/items"
    assert edge.get(f"{base}/api/items").headers["x-cache"] == "Hit from cloudfront"  # /api/* caches
    assert edge.get(f"{base}/API/items").headers["x-cache"] == "Miss from cloudfront"  # case-sensitive
    assert edge.get(f"{base}/API/items").headers["x-cache"] == "Miss from cloudfront"  # default: CachingDisabled

    refused = edge.post(f"{base}/api/items", json={})
    assert refused.status_code == 403
    assert refused.headers["x-cache"] == "Error from cloudfront" and refused.headers["server"] == "CloudFront"
    assert "not configured to allow the HTTP request method" in refused.text
    assert f"Request ID: {refused.headers['x-amz-cf-id']}" in refused.text
    assert edge.post(f"{base}/other", json={}).status_code == 200


def test_disabled_and_unknown_distributions_are_not_served(deploy, cloudfront, edge):
    fn = deploy(ECHO)
    dist = create(cloudfront, distribution_config(fn.url, enabled=False))
    off = edge.get(f"https://{dist['DomainName']}/")
    assert off.status_code == 403 and "Bad request." in off.text
    assert edge.get("https://dnotadistribution.cloudfront.net/").status_code == 403


def test_browsers_reach_a_distribution_as_cloudfront_localhost(deploy, cloudfront, http):
    fn = deploy(ECHO)
    dist = create(cloudfront, distribution_config(fn.url))
    host = dist["DomainName"].replace(".cloudfront.net", ".cloudfront.localhost")
    moved = http.get("/page", headers={"Host": host})  # redirect-to-https: to the TLS port, same name
    assert moved.status_code == 301 and moved.headers["location"].startswith(f"https://{host}:")
    got = tls_get(moved.headers["location"])
    assert got.status_code == 200 and got.json()["path"] == "/page"


# --- the control plane: what moto lost or did not check -----------------------------------------------------


def oac(cloudfront, origin_type: str = "lambda", signing: str = "always") -> str:
    config = {
        "Name": f"oac-{uuid.uuid4().hex[:8]}",
        "SigningProtocol": "sigv4",
        "SigningBehavior": signing,
        "OriginAccessControlOriginType": origin_type,
    }
    return cloudfront.create_origin_access_control(OriginAccessControlConfig=config)["OriginAccessControl"]["Id"]


def test_distribution_keeps_its_origin_access_control_and_checks_etags(deploy, cloudfront):
    fn = deploy(ECHO)
    control = oac(cloudfront)
    created = cloudfront.create_distribution(DistributionConfig=distribution_config(fn.url, oac_id=control))
    dist_id = created["Distribution"]["Id"]
    assert created["Distribution"]["Status"] == "InProgress"

    got = cloudfront.get_distribution(Id=dist_id)
    assert got["Distribution"]["DistributionConfig"]["Origins"]["Items"][0]["OriginAccessControlId"] == control
    assert got["ETag"] == created["ETag"]

    config = cloudfront.get_distribution_config(Id=dist_id)
    with pytest.raises(cloudfront.exceptions.PreconditionFailed):
        cloudfront.update_distribution(Id=dist_id, DistributionConfig=config["DistributionConfig"], IfMatch="stale")
    disabled = {**config["DistributionConfig"], "Enabled": False}
    updated = cloudfront.update_distribution(Id=dist_id, DistributionConfig=disabled, IfMatch=config["ETag"])
    assert updated["ETag"] != config["ETag"] and updated["Distribution"]["Status"] == "InProgress"
    assert updated["Distribution"]["DistributionConfig"]["Origins"]["Items"][0]["OriginAccessControlId"] == control

    with pytest.raises(cloudfront.exceptions.OriginAccessControlInUse):
        cloudfront.delete_origin_access_control(Id=control)
    with pytest.raises(cloudfront.exceptions.DistributionNotDisabled):
        cloudfront.delete_distribution(Id=dist_id, IfMatch=updated["ETag"])  # still InProgress
    waiter = cloudfront.get_waiter("distribution_deployed")
    waiter.wait(Id=dist_id, WaiterConfig={"Delay": 1, "MaxAttempts": 5})
    cloudfront.delete_distribution(Id=dist_id, IfMatch=updated["ETag"])
    cloudfront.delete_origin_access_control(Id=control)


def test_bad_distribution_configs_are_refused_as_cloudfront_does(deploy, cloudfront):
    fn = deploy(ECHO)
    with pytest.raises(cloudfront.exceptions.NoSuchOriginAccessControl):
        create(cloudfront, distribution_config(fn.url, oac_id="E000000NOSUCH"))
    with pytest.raises(cloudfront.exceptions.IllegalOriginAccessConfiguration, match="OAC origin type differ"):
        create(cloudfront, distribution_config(fn.url, oac_id=oac(cloudfront, "s3")))
    with pytest.raises(cloudfront.exceptions.NoSuchCachePolicy):
        create(cloudfront, distribution_config(fn.url, cache_policy="00000000-0000-0000-0000-000000000000"))
    with pytest.raises(cloudfront.exceptions.InvalidOriginReadTimeout):
        create(cloudfront, distribution_config(fn.url, read_timeout=500))


# --- Origin Access Control ---------------------------------------------------------------------------------


def lock_to_cloudfront(aws, fn, dist_arn: str, *, both: bool = True) -> None:
    """Switch the URL to AWS_IAM and grant only CloudFront, for this distribution."""
    lam = aws("lambda")
    lam.update_function_url_config(FunctionName=fn.name, AuthType="AWS_IAM")
    for sid in ("FunctionURLAllowPublicAccess", "FunctionURLAllowInvokeAction"):
        lam.remove_permission(FunctionName=fn.name, StatementId=sid)
    lam.add_permission(
        FunctionName=fn.name,
        StatementId="AllowCloudFrontServicePrincipal",
        Action="lambda:InvokeFunctionUrl",
        Principal="cloudfront.amazonaws.com",
        SourceArn=dist_arn,
    )
    if both:
        lam.add_permission(
            FunctionName=fn.name,
            StatementId="AllowCloudFrontServicePrincipalInvokeFunction",
            Action="lambda:InvokeFunction",
            Principal="cloudfront.amazonaws.com",
            SourceArn=dist_arn,
        )


def test_origin_access_control_locks_the_url_to_its_distribution(deploy, aws, cloudfront, edge):
    fn = deploy(ECHO)
    control = oac(cloudfront)
    dist = create(cloudfront, distribution_config(fn.url, oac_id=control))
    other = create(cloudfront, distribution_config(fn.url, oac_id=control))
    lock_to_cloudfront(aws, fn, dist["ARN"])
    base = f"https://{dist['DomainName']}"

    through = edge.get(f"{base}/private")
    assert through.status_code == 200
    iam = through.json()["authorizer"]["iam"]
    assert iam["userArn"] == "cloudfront.amazonaws.com"

    assert edge.get(fn.url).status_code == 403  # around CloudFront: unsigned
    refused = edge.get(f"https://{other['DomainName']}/private")  # a distribution the policy does not name
    assert refused.status_code == 403 and "Forbidden. For troubleshooting" in refused.text

    body = json.dumps({"order": 1}).encode()
    unsigned_body = edge.post(f"{base}/orders", content=body, headers={"content-type": "application/json"})
    assert unsigned_body.status_code == 403
    assert "signature we calculated does not match" in unsigned_body.text
    signed_body = edge.post(
        f"{base}/orders",
        content=body,
        headers={"content-type": "application/json", "x-amz-content-sha256": hashlib.sha256(body).hexdigest()},
    )
    assert signed_body.status_code == 200 and json.loads(signed_body.json()["body"]) == {"order": 1}


def test_origin_access_control_needs_both_permissions_and_signing(deploy, aws, cloudfront, edge):
    fn = deploy(ECHO)
    dist = create(cloudfront, distribution_config(fn.url, oac_id=oac(cloudfront)))
    lock_to_cloudfront(aws, fn, dist["ARN"], both=False)
    assert edge.get(f"https://{dist['DomainName']}/").status_code == 403  # InvokeFunctionUrl alone

    fn2 = deploy(ECHO)
    never = create(cloudfront, distribution_config(fn2.url, oac_id=oac(cloudfront, signing="never")))
    lock_to_cloudfront(aws, fn2, never["ARN"])
    unsigned = edge.get(f"https://{never['DomainName']}/")
    assert unsigned.status_code == 403 and unsigned.json() == {"Message": "Forbidden"}


# --- timeouts and streaming ---------------------------------------------------------------------------------

SLOW = """
import os, time

def handler(event, context):
    time.sleep(float(os.environ["SLEEP"]))
    return {"statusCode": 200, "body": "late"}
"""


def _invocations(aws, name: str) -> int:
    logs = aws("logs")
    events = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]
    return sum(1 for e in events if e["message"].startswith("START RequestId"))


def test_a_silent_origin_gives_504_after_the_read_timeout_and_get_is_tried_again(deploy, aws, cloudfront, edge):
    fn = deploy(SLOW, env={"SLEEP": "2.5"})
    dist = create(cloudfront, distribution_config(fn.url, read_timeout=1, attempts=2))
    base = f"https://{dist['DomainName']}"

    t0 = time.monotonic()
    got = edge.get(f"{base}/")
    elapsed = time.monotonic() - t0
    assert got.status_code == 504 and got.headers["x-cache"] == "Error from cloudfront"
    assert "504 Gateway Timeout ERROR" in got.text
    assert 2.0 <= elapsed < 2.5  # two attempts of one second each

    t0 = time.monotonic()
    assert edge.post(f"{base}/", content=b"x").status_code == 504
    assert 1.0 <= time.monotonic() - t0 < 1.5  # POST: one attempt
    time.sleep(3)  # let the abandoned invocations finish and log
    assert _invocations(aws, fn.name) == 3


STREAMER = """
import os, time

def handler(event, context):
    def lines():
        for i in range(int(os.environ["LINES"])):
            if i == int(os.environ.get("PAUSE_AT", "-1")):
                time.sleep(float(os.environ["PAUSE"]))
            yield f"{i} {time.time():.3f}\\n"
            time.sleep(float(os.environ["EVERY"]))
    return {"statusCode": 200, "headers": {"content-type": "text/plain"}, "body": lines()}
"""


def test_a_stream_passes_chunk_by_chunk_and_is_cut_when_the_origin_falls_silent(streaming, cloudfront, edge):
    code = streaming_zip_with("streamer", STREAMER)

    def url_of(env: dict[str, str]) -> str:
        return streaming("streamer.handler", "RESPONSE_STREAM", code=code, env={**STREAMING_ENVIRONMENT, **env})[1]

    steady = create(cloudfront, distribution_config(url_of({"LINES": "6", "EVERY": "0.5"}), read_timeout=1))
    stalls_url = url_of({"LINES": "6", "EVERY": "0.2", "PAUSE_AT": "3", "PAUSE": "2"})
    stalls = create(cloudfront, distribution_config(stalls_url, read_timeout=1))

    arrivals = []
    with edge.stream("GET", f"https://{steady['DomainName']}/") as response:
        assert response.status_code == 200
        for line in response.iter_lines():
            if line:
                arrivals.append((time.time(), float(line.split()[1])))
    assert len(arrivals) == 6  # 3 s in all, never silent for 1 s
    assert max(got - sent for got, sent in arrivals) < 0.3  # each line as it was produced

    received = []
    with pytest.raises(httpx.RemoteProtocolError), edge.stream("GET", f"https://{stalls['DomainName']}/") as cut:
        for line in cut.iter_lines():
            received.append(line)
    assert [line.split()[0] for line in received if line] == ["0", "1", "2"]
