"""Custom domains in the local cloud: ACM validation through Route 53, CloudFront's certificate checks, and
names that resolve (or not) through Route 53, over real HTTP."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from infra.signing import SigV4
from infra.steps.cloudfront import CustomDomain, Origin, distribution_config
from tests.local_cloud import alias, cname, create_python_function, public_url, request, tls_get, zip_source

ECHO = """
import json

def handler(event, context):
    return {"statusCode": 200, "headers": {"content-type": "application/json"},
            "body": json.dumps({"host": event["headers"]["host"], "path": event["rawPath"]})}
"""


@pytest.fixture
def url(aws, role_arn) -> str:
    lam = aws("lambda")
    name = f"cd-{uuid.uuid4().hex[:8]}"
    create_python_function(lam, name, role_arn, zip_source(ECHO))
    return public_url(lam, name)


def test_a_certificate_is_issued_when_its_validation_record_exists_not_before(aws, zone) -> None:
    route53, zone_id, zone_name = zone
    acm = aws("acm", "us-east-1")
    arn, record = request(acm, f"api.{zone_name}")
    assert record["Name"].endswith(f".api.{zone_name}.") and record["Value"].endswith(".acm-validations.aws.")
    other, other_record = request(acm, f"www.{zone_name}")
    assert other_record["Name"] != record["Name"]  # one record per domain, not moto's single one

    described = acm.describe_certificate(CertificateArn=arn)["Certificate"]
    assert described["Status"] == "PENDING_VALIDATION"
    assert described["DomainValidationOptions"][0]["ValidationStatus"] == "PENDING_VALIDATION"

    cname(route53, zone_id, record["Name"], record["Value"])
    described = acm.describe_certificate(CertificateArn=arn)["Certificate"]
    assert described["Status"] == "ISSUED"
    assert described["DomainValidationOptions"][0]["ValidationStatus"] == "SUCCESS"
    acm.get_waiter("certificate_validated").wait(CertificateArn=arn, WaiterConfig={"Delay": 1, "MaxAttempts": 2})
    assert acm.describe_certificate(CertificateArn=other)["Certificate"]["Status"] == "PENDING_VALIDATION"


def test_cloudfront_takes_only_an_issued_us_east_1_certificate_that_covers_every_alias(aws, zone, url) -> None:
    route53, zone_id, zone_name = zone
    cf = aws("cloudfront", "us-east-1")
    domain = f"api.{zone_name}"

    def create(certificate: str | None, aliases: tuple[str, ...] = (domain,)) -> dict[str, Any]:
        config = distribution_config(f"cd-{uuid.uuid4().hex[:8]}", Origin(url))
        config["Aliases"] = {"Quantity": len(aliases), "Items": list(aliases)}
        if certificate:
            config = distribution_config(
                config["CallerReference"], Origin(url), domain=CustomDomain(aliases, certificate)
            )
        return cf.create_distribution(DistributionConfig=config)["Distribution"]

    with pytest.raises(cf.exceptions.InvalidViewerCertificate, match="you must attach a trusted certificate"):
        create(None)

    seoul, seoul_record = request(aws("acm", "ap-northeast-2"), domain)
    virginia, record = request(aws("acm", "us-east-1"), domain)
    with pytest.raises(cf.exceptions.InvalidViewerCertificate, match="isn't in us-east-1 region, isn't valid"):
        create(virginia)  # still pending

    cname(route53, zone_id, record["Name"], record["Value"])
    assert seoul_record == record  # the same record validates the domain in every region of the account
    assert aws("acm", "ap-northeast-2").describe_certificate(CertificateArn=seoul)["Certificate"]["Status"] == "ISSUED"
    with pytest.raises(cf.exceptions.InvalidViewerCertificate, match="isn't in us-east-1 region"):
        create(seoul)  # issued, but from Seoul
    with pytest.raises(cf.exceptions.InvalidViewerCertificate, match="doesn't cover the alternate domain name"):
        create(virginia, (domain, f"www.{zone_name}"))

    dist = create(virginia)
    assert dist["DistributionConfig"]["Aliases"]["Items"] == [domain]
    with pytest.raises(cf.exceptions.CNAMEAlreadyExists):
        create(virginia)
    acm = aws("acm", "us-east-1")
    assert acm.describe_certificate(CertificateArn=virginia)["Certificate"]["InUseBy"] == [dist["ARN"]]
    with pytest.raises(acm.exceptions.ResourceInUseException, match="is in use"):
        acm.delete_certificate(CertificateArn=virginia)


def test_a_custom_domain_resolves_through_route53_to_its_distribution(
    aws, zone, url, endpoint, local_credentials
) -> None:
    from infra.kit import LocalCloudTransport

    route53, zone_id, zone_name = zone
    cf = aws("cloudfront", "us-east-1")
    domain, stray = f"api.{zone_name}", f"stray.{zone_name}"
    arn, record = request(aws("acm", "us-east-1"), domain)
    cname(route53, zone_id, record["Name"], record["Value"])
    config = distribution_config(f"cd-{uuid.uuid4().hex[:8]}", Origin(url), domain=CustomDomain((domain,), arn))
    dist = cf.create_distribution(DistributionConfig=config)["Distribution"]

    with httpx.Client(transport=LocalCloudTransport(endpoint)) as http:
        with pytest.raises(httpx.ConnectError, match=r"\[Errno -2\] Name or service not known"):
            http.get(f"https://{domain}/hello")  # no record yet: the name does not resolve
        alias(route53, zone_id, domain, dist["DomainName"])
        got = http.get(f"https://{domain}/hello")
        assert got.status_code == 200 and got.headers["x-cache"] == "Miss from cloudfront"
        assert got.json() == {"host": url.split("/")[2], "path": "/hello"}

        # A name that points at the distribution without being one of its aliases: over HTTPS no certificate
        # covers it (the handshake fails); over HTTP, CloudFront's 403.
        cname(route53, zone_id, stray, dist["DomainName"])
        with pytest.raises(httpx.ConnectError, match="HANDSHAKE_FAILURE"):
            http.get(f"https://{stray}/")
        refused = http.get(f"http://{stray}/")
        assert refused.status_code == 403 and "Bad request." in refused.text

    # Browsers on this machine use <name>.localhost; a name with no record gets a 502 that says so.
    with httpx.Client(base_url=endpoint) as raw:
        moved = raw.get("/hello", headers={"Host": f"{domain}.localhost"})  # redirect-to-https, as notebook 07's
        assert moved.status_code == 301 and moved.headers["location"].startswith(f"https://{domain}.localhost:")
        assert tls_get(moved.headers["location"]).json()["path"] == "/hello"
        missing = raw.get("/", headers={"Host": f"nothing.{zone_name}.localhost"})
        assert missing.status_code == 502 and "does not resolve" in missing.json()["message"]
        assert raw.get("/_kit/resolve", params={"name": domain}).status_code == 403  # the AWS API side: signed only
        auth = SigV4(local_credentials, "us-east-1", service="kit")
        resolved = raw.get("/_kit/resolve", params={"name": domain}, auth=auth).json()
        assert resolved == {"name": domain, "resolves": True, "target": dist["DomainName"], "via": ["A alias"]}
