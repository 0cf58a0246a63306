"""Requests through a CloudFront distribution and an API Gateway stage of the local cloud, counted by the
CloudWatch metrics those services publish, read back with plain boto3 and with ``infra.request_metrics``."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

import infra
from infra import deploy, request_metrics
from infra.kit import LocalCloudTransport
from tests.integration.cloudfront.test_edge import ALL_METHODS, ECHO, create, distribution_config
from tests.local_cloud import deploy_handler

REGION = "ap-northeast-2"


def statistic_total(
    cloudwatch: Any,
    namespace: str,
    metric: str,
    dimensions: dict[str, str],
    statistic: str,
    start: datetime,
    end: datetime,
    period: int = 60,
) -> float:
    found = cloudwatch.get_metric_statistics(
        Namespace=namespace,
        MetricName=metric,
        Dimensions=[{"Name": k, "Value": v} for k, v in dimensions.items()],
        StartTime=start,
        EndTime=end,
        Period=period,
        Statistics=[statistic],
    )
    return sum(point[statistic] for point in found["Datapoints"])


@pytest.fixture
def window() -> Any:
    """``window()`` -> (start, end): from a minute before the test began to a minute after now."""
    began = datetime.now(UTC) - timedelta(minutes=1)
    return lambda: (began, datetime.now(UTC) + timedelta(minutes=1))


@pytest.fixture
def edge(endpoint: str) -> Any:
    with httpx.Client(transport=LocalCloudTransport(endpoint), timeout=60) as client:
        yield client


def test_requests_of_every_method_through_a_distribution_are_counted_per_distribution(
    deploy, aws, edge, window
) -> None:
    fn = deploy(ECHO)
    cloudfront = aws("cloudfront", "us-east-1")
    first = create(cloudfront, distribution_config(fn.url))
    second = create(cloudfront, distribution_config(fn.url))
    sent = 0
    for _ in range(2):
        for method in ALL_METHODS:
            answer = edge.request(
                method, f"https://{first['DomainName']}/item", content=b"abc" if method in ("PUT", "POST") else None
            )
            assert answer.status_code == 200, (method, answer.text)
            sent += 1
    refused = edge.request("GET", f"https://{first['DomainName']}/", content=b"a body")  # CloudFront's own 403
    assert refused.status_code == 403 and refused.headers["x-cache"] == "Error from cloudfront"
    sent += 1
    for _ in range(3):
        assert edge.get(f"https://{second['DomainName']}/").status_code == 200
    start, end = window()

    cloudwatch = aws("cloudwatch", "us-east-1")
    dims = {"DistributionId": first["Id"], "Region": "Global"}
    assert statistic_total(cloudwatch, "AWS/CloudFront", "Requests", dims, "Sum", start, end) == sent
    assert request_metrics.cloudfront_requests(cloudwatch, first["Id"], start, end) == sent
    assert request_metrics.cloudfront_requests(cloudwatch, second["Id"], start, end) == 3
    # one refused request of ``sent``: over one period that holds them all, the rate is its share
    rate = statistic_total(cloudwatch, "AWS/CloudFront", "4xxErrorRate", dims, "Average", start, end, period=3600)
    assert rate == pytest.approx(100 / sent)
    assert statistic_total(cloudwatch, "AWS/CloudFront", "5xxErrorRate", dims, "Average", start, end, 3600) == 0
    assert statistic_total(cloudwatch, "AWS/CloudFront", "BytesUploaded", dims, "Sum", start, end) == 2 * 2 * 3

    listed = cloudwatch.list_metrics(
        Namespace="AWS/CloudFront", Dimensions=[{"Name": "DistributionId", "Value": first["Id"]}]
    )["Metrics"]
    names = sorted(m["MetricName"] for m in listed)
    assert names == sorted(
        ["Requests", "BytesDownloaded", "BytesUploaded", "4xxErrorRate", "5xxErrorRate", "TotalErrorRate"]
    )
    assert all(sorted(d["Name"] for d in m["Dimensions"]) == ["DistributionId", "Region"] for m in listed)
    # CloudFront's metrics live in us-east-1 only
    elsewhere = aws("cloudwatch", REGION)
    assert statistic_total(elsewhere, "AWS/CloudFront", "Requests", dims, "Sum", start, end) == 0


def _kit(endpoint: str) -> infra.Kit:
    return infra.Kit(infra.Settings(learner=f"cw{int(time.time() * 1000) % 10**8}"), endpoint=endpoint)


def test_requests_to_a_rest_api_stage_are_counted_by_api_name_and_by_stage(endpoint: str, window) -> None:
    kit = _kit(endpoint)
    lam = kit.client("lambda")
    fn = deploy_handler(kit, "slow_counter", name="counter", role="role", timeout=30)
    api_name = kit.name("metrics-api")
    api = deploy.ensure_rest_api(kit.client("apigateway"), lam, api_name, function_arn=fn.arn)
    client = httpx.Client(transport=LocalCloudTransport(endpoint), timeout=30)
    methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]
    for method in methods:
        assert client.request(method, api.url + "count?to=1&interval=0").status_code == 200, method
    not_a_stage = client.get(api.url.replace("/prod/", "/nope/"))
    assert not_a_stage.status_code == 403  # no stage answered: counted nowhere
    start, end = window()

    cloudwatch = kit.client("cloudwatch")  # the kit's own client, in the API's region
    by_api = {"ApiName": api_name}
    by_stage = {"ApiName": api_name, "Stage": "prod"}
    assert statistic_total(cloudwatch, "AWS/ApiGateway", "Count", by_api, "SampleCount", start, end) == len(methods)
    assert statistic_total(cloudwatch, "AWS/ApiGateway", "Count", by_stage, "SampleCount", start, end) == len(methods)
    assert statistic_total(cloudwatch, "AWS/ApiGateway", "Count", by_stage, "Sum", start, end) == len(methods)
    assert statistic_total(cloudwatch, "AWS/ApiGateway", "4XXError", by_stage, "Sum", start, end) == 0
    assert request_metrics.api_gateway_requests(cloudwatch, api_name, "prod", start, end) == len(methods)
    assert request_metrics.api_gateway_requests(cloudwatch, api_name, "nope", start, end) == 0

    stages = cloudwatch.list_metrics(
        Namespace="AWS/ApiGateway", MetricName="Count", Dimensions=[{"Name": "ApiName", "Value": api_name}]
    )["Metrics"]
    combinations = sorted(tuple(sorted(d["Name"] for d in m["Dimensions"])) for m in stages)
    assert combinations == [("ApiName",), ("ApiName", "Stage")]


def test_a_bad_cloudwatch_request_gets_awss_4xx(aws) -> None:
    cloudwatch = aws("cloudwatch", "us-east-1")
    now = datetime.now(UTC)
    with pytest.raises(ClientError) as raised:
        cloudwatch.get_metric_statistics(
            Namespace="AWS/CloudFront",
            MetricName="Requests",
            StartTime=now,
            EndTime=now - timedelta(minutes=5),
            Period=60,
            Statistics=["Sum"],
        )
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert raised.value.response["Error"]["Code"] == "InvalidParameterValue"
