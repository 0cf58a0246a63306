"""How many requests crossed a CloudFront distribution or an API Gateway stage, from CloudWatch's metrics.

The same calls in both modes: plain boto3 CloudWatch clients, for AWS or for the local cloud (which
publishes the same metrics, ``infra/local/cloudwatch/``).

Sources:
- CloudFront: namespace ``AWS/CloudFront``, metric ``Requests`` ("all HTTP methods and for both HTTP and
  HTTPS requests", statistic Sum, unit None), dimensions ``DistributionId`` and ``Region=Global``; "To get
  the CloudFront metrics from the CloudWatch API, you must use the US East (N. Virginia) Region (us-east-1)"
  (docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/programming-cloudwatch-metrics.html).
- API Gateway REST APIs: namespace ``AWS/ApiGateway``, metric ``Count`` ("The SampleCount statistic
  represents this metric", unit Count), dimensions ``ApiName`` and ``ApiName, Stage``, sent "every minute"
  in the API's region; "API Gateway removes the non-ASCII characters from the ApiName dimension ... If the
  APIName doesn't contain any ASCII characters, the API ID is used as the ApiName"
  (docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-dimensions.html).
- Periods: CloudWatch keeps 60-second datapoints for 15 days, 300-second ones for 63 days, 3600-second ones
  for 455 days, and a single ``GetMetricStatistics`` call returns at most 1,440 datapoints
  (docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricStatistics.html).

Caveats: on AWS a minute's datapoint appears about a minute after the minute (later under load), so a count
read right after the requests can be short; ``list-metrics`` may take "up to 15 minutes for the metric to
appear. To see metric statistics sooner, use get-metric-data or get-metric-statistics"
(apigateway/latest/developerguide/metrics_dimensions_view_in_cloud_watch.html). These functions use
``GetMetricData`` and never need ``ListMetrics``. Counts are per whole period: the window is widened to
period boundaries, so requests earlier in the window's first minute (or later in its last) count too.

Choices: the period is the finest CloudWatch still keeps for the window's start (60 s, 300 s or 3600 s);
``GetMetricData`` is paged with boto3's paginator (no 1,440-datapoint limit); a naive ``datetime`` is UTC
(as botocore sends one).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

CLOUDFRONT_NAMESPACE = "AWS/CloudFront"
API_GATEWAY_NAMESPACE = "AWS/ApiGateway"
_RETENTION = ((timedelta(days=15), 60), (timedelta(days=63), 300))


def period_for(start: datetime, now: datetime | None = None) -> int:
    """The finest period (seconds) CloudWatch still keeps datapoints of for a window starting at ``start``."""
    age = _utc(now or datetime.now(UTC)) - _utc(start)
    for kept, period in _RETENTION:
        if age <= kept:
            return period
    return 3600


def cloudfront_requests(
    cloudwatch_us_east_1: Any, distribution_id: str, start: datetime, end: datetime, *, now: datetime | None = None
) -> int:
    """Viewer requests (all methods) distribution ``distribution_id`` answered from ``start`` to ``end``.

    ``cloudwatch_us_east_1`` must be a CloudWatch client for us-east-1, where CloudFront's metrics are kept.
    """
    dimensions = [{"Name": "DistributionId", "Value": distribution_id}, {"Name": "Region", "Value": "Global"}]
    return _total(cloudwatch_us_east_1, CLOUDFRONT_NAMESPACE, "Requests", dimensions, "Sum", start, end, now)


def api_gateway_requests(
    cloudwatch: Any, api_name: str, stage: str, start: datetime, end: datetime, *, now: datetime | None = None
) -> int:
    """Requests to ``stage`` of the REST API named ``api_name`` from ``start`` to ``end``.

    ``cloudwatch`` is a client for the API's region. ``api_name`` is the API's name (its non-ASCII characters
    are dropped, as API Gateway does); an API whose name has no ASCII character is published under its id:
    pass the id.
    """
    name = "".join(c for c in api_name if c.isascii())
    if not name:
        raise ValueError(f"{api_name!r} has no ASCII character: API Gateway publishes it under its API id")
    dimensions = [{"Name": "ApiName", "Value": name}, {"Name": "Stage", "Value": stage}]
    return _total(cloudwatch, API_GATEWAY_NAMESPACE, "Count", dimensions, "SampleCount", start, end, now)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _window(start: datetime, end: datetime, period: int) -> tuple[datetime, datetime]:
    """``start`` and ``end`` widened to whole periods."""
    first = math.floor(_utc(start).timestamp() / period) * period
    last = math.ceil(_utc(end).timestamp() / period) * period
    return datetime.fromtimestamp(first, UTC), datetime.fromtimestamp(last, UTC)


def _total(
    cloudwatch: Any,
    namespace: str,
    metric: str,
    dimensions: list[dict[str, str]],
    stat: str,
    start: datetime,
    end: datetime,
    now: datetime | None,
) -> int:
    if _utc(end) <= _utc(start):
        raise ValueError(f"the window must end after it starts ({start} .. {end})")
    period = period_for(start, now)
    first, last = _window(start, end, period)
    query = {
        "Id": "requests",
        "MetricStat": {
            "Metric": {"Namespace": namespace, "MetricName": metric, "Dimensions": dimensions},
            "Period": period,
            "Stat": stat,
        },
        "ReturnData": True,
    }
    total = 0.0
    pages = cloudwatch.get_paginator("get_metric_data").paginate(
        MetricDataQueries=[query], StartTime=first, EndTime=last
    )
    for page in pages:
        for result in page["MetricDataResults"]:
            total += sum(result["Values"])
    return round(total)
