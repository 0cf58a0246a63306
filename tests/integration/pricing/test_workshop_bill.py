"""The bill of what one learner ran, as notebook 09 reads it: REPORT lines, CloudFront's and API Gateway's metrics."""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

import infra
from infra import cloudfront, deploy, pricing, workshop_bill
from tests.local_cloud import deploy_handler

pytestmark = pytest.mark.integration


def test_the_workshop_bill_counts_every_request_of_one_learner_and_nobody_elses(endpoint: str) -> None:
    kits = [infra.Kit(infra.Settings(learner=f"b{uuid.uuid4().hex[:8]}"), endpoint=endpoint) for _ in range(2)]
    start = datetime.now(UTC) - timedelta(minutes=1)
    for kit, (direct, through_cdn, through_api) in zip(kits, ((3, 4, 2), (1, 1, 1)), strict=True):
        lam = kit.client("lambda")
        api = deploy_handler(kit, "api")
        url = deploy.ensure_function_url(lam, api.name).url
        deploy.ensure_public_url_permissions(lam, api.name)
        dist = cloudfront.ensure_distribution(
            kit.client("cloudfront", "us-east-1"),
            kit.name("api-cdn"),
            cloudfront.Origin(url),
            tags=kit.tags,
        )
        rest = deploy.ensure_rest_api(
            kit.client("apigateway"), lam, kit.name("api-rest"), function_arn=api.arn, tags=kit.tags
        )
        http = kit.http()
        for _ in range(direct):
            assert http.get(url + "hello").status_code == 200
        for method in ("GET", "POST", "HEAD", "OPTIONS")[:through_cdn]:
            http.request(method, f"{dist.url}hello")
        for _ in range(through_api):  # Count is every request, whatever its answer (this handler reads the URL's
            http.get(rest.url + "hello")  # 2.0 event, so API Gateway's 1.0 event gets a 502)
    end = datetime.now(UTC) + timedelta(minutes=1)

    kit = kits[0]
    prefix, region = kit.name(""), kit.region
    lambda_lines = workshop_bill.lambda_lines(kit.client("logs"), prefix, region=region)
    cdn_lines = workshop_bill.cloudfront_lines(
        kit.client("cloudfront", "us-east-1"),
        kit.client("cloudwatch", "us-east-1"),
        prefix,
        region=region,
        start=start,
        end=end,
    )
    api_lines = workshop_bill.api_gateway_lines(
        kit.client("apigateway"), kit.client("cloudwatch"), prefix, region=region, start=start, end=end
    )
    assert [(line.name, line.requests) for line in lambda_lines] == [(kit.name("api"), 3 + 4 + 2)]
    assert [(line.name, line.requests) for line in cdn_lines] == [(kit.name("api-cdn"), 4)]
    assert [(line.name, line.requests) for line in api_lines] == [(f"{kit.name('api-rest')}/prod", 2)]

    (function_line,) = lambda_lines
    assert function_line.usd == 9 * pricing.lambda_prices(region).request.amount + function_line.gb_seconds * (
        pricing.lambda_prices(region).gb_second.amount
    )
    assert cdn_lines[0].usd == 4 * pricing.CLOUDFRONT_HTTPS["south-korea"].amount
    assert api_lines[0].usd == 2 * pricing.API_GATEWAY_REST[region].amount
    lines = lambda_lines + cdn_lines + api_lines
    assert workshop_bill.free_tier_total(lines, region=region) == api_lines[0].usd  # REST has no free tier here
    table = workshop_bill.bill_table(lines, lang="en")
    assert list(table["requests"]) == [9, 4, 2]
    assert [Decimal(v) for v in table["USD, no free tier"]] == [
        line.usd.quantize(Decimal("0.000001")) for line in lines
    ]

    for other in kits:
        with contextlib.suppress(Exception):
            other.client("lambda").delete_function(FunctionName=other.name("api"))
