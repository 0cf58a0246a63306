"""infra/request_metrics.py: the GetMetricData queries it sends, the period and window it picks, the sum it
returns over every page (a recording client stands in for boto3's; the real thing runs in
tests/integration/cloudwatch)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from infra import request_metrics
from infra.local.cloudwatch.service_metrics import api_name_dimension

NOW = datetime(2026, 12, 2, 13, 0, tzinfo=UTC)


class RecordingCloudWatch:
    """Answers ``get_paginator("get_metric_data").paginate(...)`` with ``pages`` and keeps the arguments."""

    def __init__(self, pages: list[list[float]]) -> None:
        self.pages = pages
        self.calls: list[dict[str, Any]] = []

    def get_paginator(self, name: str) -> RecordingCloudWatch:
        assert name == "get_metric_data"
        return self

    def paginate(self, **kwargs: Any) -> list[dict[str, Any]]:
        self.calls.append(kwargs)
        return [{"MetricDataResults": [{"Id": "requests", "Values": values}]} for values in self.pages]


def test_cloudfront_requests_sums_every_page_of_the_distributions_requests_metric() -> None:
    cloudwatch = RecordingCloudWatch([[3.0, 4.0], [5.0]])
    start, end = NOW - timedelta(minutes=10, seconds=30), NOW - timedelta(minutes=2, seconds=10)
    assert request_metrics.cloudfront_requests(cloudwatch, "E2EXAMPLE", start, end, now=NOW) == 12
    [call] = cloudwatch.calls
    [query] = call["MetricDataQueries"]
    assert query["MetricStat"] == {
        "Metric": {
            "Namespace": "AWS/CloudFront",
            "MetricName": "Requests",
            "Dimensions": [{"Name": "DistributionId", "Value": "E2EXAMPLE"}, {"Name": "Region", "Value": "Global"}],
        },
        "Period": 60,
        "Stat": "Sum",
    }
    # widened to whole minutes
    assert (call["StartTime"], call["EndTime"]) == (NOW - timedelta(minutes=11), NOW - timedelta(minutes=2))


def test_api_gateway_requests_reads_count_by_stage_with_the_sample_count_statistic() -> None:
    cloudwatch = RecordingCloudWatch([[2.0, 1.0]])
    start = NOW - timedelta(days=20)  # older than 15 days: 5-minute datapoints are what is left
    assert request_metrics.api_gateway_requests(cloudwatch, "카운터-api", "prod", start, NOW, now=NOW) == 3
    stat = cloudwatch.calls[0]["MetricDataQueries"][0]["MetricStat"]
    assert stat["Metric"]["Namespace"] == "AWS/ApiGateway" and stat["Metric"]["MetricName"] == "Count"
    assert stat["Metric"]["Dimensions"] == [{"Name": "ApiName", "Value": "-api"}, {"Name": "Stage", "Value": "prod"}]
    assert (stat["Stat"], stat["Period"]) == ("SampleCount", 300)


def test_the_reader_strips_api_names_as_the_local_cloud_publishes_them() -> None:
    for name in ("kit-counter-api", "카운터-api", "api 카운터 v2"):
        cloudwatch = RecordingCloudWatch([[]])
        request_metrics.api_gateway_requests(cloudwatch, name, "prod", NOW - timedelta(hours=1), NOW, now=NOW)
        published = api_name_dimension(name, "a1b2c3d4e5")
        assert (
            cloudwatch.calls[0]["MetricDataQueries"][0]["MetricStat"]["Metric"]["Dimensions"][0]["Value"] == published
        )


def test_a_name_without_ascii_or_an_empty_window_is_refused() -> None:
    with pytest.raises(ValueError, match="API id"):
        request_metrics.api_gateway_requests(RecordingCloudWatch([]), "카운터", "prod", NOW - timedelta(hours=1), NOW)
    with pytest.raises(ValueError, match="end after it starts"):
        request_metrics.cloudfront_requests(RecordingCloudWatch([]), "E1", NOW, NOW)


def test_the_period_is_the_finest_cloudwatch_keeps_for_the_start() -> None:
    assert request_metrics.period_for(NOW - timedelta(days=15), NOW) == 60
    assert request_metrics.period_for(NOW - timedelta(days=16), NOW) == 300
    assert request_metrics.period_for(NOW - timedelta(days=63), NOW) == 300
    assert request_metrics.period_for(NOW - timedelta(days=64), NOW) == 3600
    naive = datetime(2026, 12, 2, 12, 0)  # naive: UTC
    assert request_metrics.period_for(naive, NOW) == 60
