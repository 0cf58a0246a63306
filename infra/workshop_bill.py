"""The bill of what one learner ran in the workshop: Lambda from its REPORT lines, the front doors from metrics.

- Lambda: every log group ``/aws/lambda/<learner>-*`` in CloudWatch Logs, its REPORT lines summed
  (``pricing.usage_by_function``: billed duration x memory, one request each).
- CloudFront: the ``Requests`` metric of each of the learner's distributions (their ``Comment`` is the kit's
  name, ``<learner>-...``), read in us-east-1 where CloudFront keeps its metrics.
- API Gateway: the ``Count`` metric of each of the learner's REST APIs, per stage, in the kit's Region.

Each line is priced without the free tier (what it would cost an account that has used its free tier up) by
``pricing.py``; ``free_tier_total`` is what the same usage costs with the monthly free tiers deducted. Works the
same in aws mode: it only calls boto3. On AWS, metrics appear a minute or more after the requests
(``request_metrics.py``), and REPORT lines a few seconds after the invocation.

Not billed here: response streaming past 6 MB per response (no response of the workshop comes near it), data
transfer, CloudWatch Logs ingestion, the hosted zone's $0.50 a month.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import pandas as pd

from . import pricing, request_metrics
from .i18n import t


@dataclass(frozen=True)
class Line:
    service: str  # "Lambda", "CloudFront", "API Gateway"
    name: str
    requests: int
    gb_seconds: Decimal  # Lambda only
    usd: Decimal  # without the free tier, unrounded


def lambda_lines(logs: Any, prefix: str, *, region: str, start_ms: int | None = None) -> list[Line]:
    """One line a function of ``prefix``, from its REPORT lines (x86_64 prices)."""
    lines = []
    for name, usage in sorted(pricing.usage_by_function(logs, prefix, start_ms=start_ms).items()):
        bill = usage.bill(region=region, free_tier=False)
        lines.append(Line("Lambda", name, usage.requests, usage.gb_seconds, bill.request_charge + bill.compute_charge))
    return lines


def cloudfront_lines(
    cf: Any, cloudwatch_us_east_1: Any, prefix: str, *, region: str, start: datetime, end: datetime
) -> list[Line]:
    """One line a distribution whose ``Comment`` starts with ``prefix``, from its ``Requests`` metric."""
    price = pricing.CLOUDFRONT_HTTPS[pricing.VIEWERS_OF_REGION[region]].amount
    lines = []
    for page in cf.get_paginator("list_distributions").paginate():
        for item in page["DistributionList"].get("Items") or []:
            name = item.get("Comment") or ""
            if name.startswith(prefix):
                count = request_metrics.cloudfront_requests(cloudwatch_us_east_1, item["Id"], start, end)
                lines.append(Line("CloudFront", name, count, Decimal(0), count * price))
    return sorted(lines, key=lambda line: line.name)


def api_gateway_lines(
    apigw: Any, cloudwatch: Any, prefix: str, *, region: str, start: datetime, end: datetime
) -> list[Line]:
    """One line a stage of each REST API whose name starts with ``prefix``, from its ``Count`` metric."""
    price = pricing.API_GATEWAY_REST[region].amount
    lines = []
    for page in apigw.get_paginator("get_rest_apis").paginate():
        for api in page["items"]:
            if not api["name"].startswith(prefix):
                continue
            for stage in apigw.get_stages(restApiId=api["id"])["item"]:
                count = request_metrics.api_gateway_requests(cloudwatch, api["name"], stage["stageName"], start, end)
                lines.append(
                    Line("API Gateway", f"{api['name']}/{stage['stageName']}", count, Decimal(0), count * price)
                )
    return sorted(lines, key=lambda line: line.name)


def free_tier_total(lines: Iterable[Line], *, region: str) -> Decimal:
    """What the same usage costs in a month with the free tiers deducted (Lambda's 1M requests and 400,000
    GB-s, CloudFront's 10M requests; API Gateway REST has no free tier past an account's first year)."""
    lines = list(lines)
    lambda_requests = sum(line.requests for line in lines if line.service == "Lambda")
    gb_seconds = sum((line.gb_seconds for line in lines if line.service == "Lambda"), Decimal(0))
    cloudfront = sum(line.requests for line in lines if line.service == "CloudFront")
    api_gateway = sum(line.requests for line in lines if line.service == "API Gateway")
    bill = pricing.lambda_bill(lambda_requests, gb_seconds, region=region)
    viewers = pricing.VIEWERS_OF_REGION[region]
    return (
        bill.request_charge
        + bill.compute_charge
        + pricing.cloudfront_https_cost(cloudfront, viewers)
        + pricing.api_gateway_rest_cost(api_gateway, region)
    )


def bill_table(lines: Iterable[Line], lang: str | None = None) -> pd.DataFrame:
    """The lines as a table: service, name, requests, GB-seconds, USD without the free tier (to a millionth)."""
    rows = [
        {
            t("bill.service", lang): line.service,
            t("bill.name", lang): line.name,
            t("bill.requests", lang): line.requests,
            "GB-s": f"{line.gb_seconds:.3f}" if line.service == "Lambda" else "",
            t("bill.usd", lang): f"{line.usd:.6f}",
        }
        for line in lines
    ]
    return pd.DataFrame(rows)
