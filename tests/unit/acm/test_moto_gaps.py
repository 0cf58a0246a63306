"""infra/local/acm/moto_gaps.py: moto in-process (``mock_aws``), corrected where it differs from AWS."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.local.acm import moto_gaps

REGION = "us-east-1"


@pytest.fixture
def clients(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, Any]]:
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    moto_gaps.apply()
    with mock_aws():
        yield boto3.client("acm", region_name=REGION), boto3.client("elb", region_name=REGION)


def test_in_use_by_keeps_the_load_balancers_moto_knows(clients) -> None:
    """Regression (issue 12): the kit's InUseBy replaced moto's users with CloudFront distributions only."""
    acm, elb = clients
    arn = acm.request_certificate(DomainName="api.example.test", ValidationMethod="DNS")["CertificateArn"]
    assert acm.describe_certificate(CertificateArn=arn)["Certificate"]["InUseBy"] == []
    elb.create_load_balancer(
        LoadBalancerName="web",
        Listeners=[{"Protocol": "HTTPS", "LoadBalancerPort": 443, "InstancePort": 80, "SSLCertificateId": arn}],
        AvailabilityZones=[f"{REGION}a"],
    )
    in_use_by = acm.describe_certificate(CertificateArn=arn)["Certificate"]["InUseBy"]
    assert len(in_use_by) == 1 and "web" in in_use_by[0]
