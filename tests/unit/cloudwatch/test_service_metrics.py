"""The local cloud's CloudFront and API Gateway metrics: one-minute statistic sets kept in moto's CloudWatch
backend, what each request adds, and moto's dimension matching as AWS does it (no network)."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import pytest
from moto.cloudwatch.models import cloudwatch_backends

from infra.local.cloudwatch import moto_gaps
from infra.local.cloudwatch.service_metrics import ApiGatewayMetrics, CloudFrontMetrics, api_name_dimension
from infra.local.cloudwatch.statistic_sets import MinuteStatistics, Sample
from infra.local.http.types import HttpResponse

T0 = 1_780_000_040.0  # 20:27:40 UTC, 40 s into a minute
MINUTE = datetime(2026, 5, 28, 20, 27)  # the start of T0's minute, naive UTC as moto keeps it
DIMS = (("DistributionId", "E1"), ("Region", "Global"))


class Clock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def new_account() -> str:
    return f"{secrets.randbelow(10**12):012d}"


def backend(account: str, region: str = "us-east-1") -> Any:
    return cloudwatch_backends[account][region]


def test_samples_of_one_minute_add_up_in_one_datum_and_a_new_minute_starts_another() -> None:
    clock, account = Clock(), new_account()
    statistics = MinuteStatistics(clock)
    for value in (3.0, 1.0, 8.0):
        statistics.add(account, "us-east-1", "AWS/Test", [Sample("Latency", DIMS, value, "Milliseconds")])
    [datum] = backend(account).metric_data
    assert (datum.sample_count, datum.sum, datum.min, datum.max) == (3, 12.0, 1.0, 8.0)
    assert datum.timestamp == MINUTE and datum.unit == "Milliseconds" and datum.namespace == "AWS/Test"
    assert [(d.name, d.value) for d in datum.dimensions] == list(DIMS)

    clock.now += 45  # the next minute
    statistics.add(account, "us-east-1", "AWS/Test", [Sample("Latency", DIMS, 5.0, "Milliseconds")])
    first, second = backend(account).metric_data
    assert first.sample_count == 3 and (second.sample_count, second.sum) == (1, 5.0)
    assert (second.timestamp - first.timestamp).total_seconds() == 60


def test_each_metric_dimension_set_and_unit_has_its_own_datum() -> None:
    account = new_account()
    statistics = MinuteStatistics(Clock())
    other = (("DistributionId", "E2"), ("Region", "Global"))
    statistics.add(
        account,
        "us-east-1",
        "AWS/Test",
        [Sample("Requests", DIMS, 1, "None"), Sample("Requests", other, 1, "None"), Sample("Bytes", DIMS, 7, "None")],
    )
    statistics.add(account, "us-east-1", "AWS/Test", [Sample("Requests", DIMS, 1, "None")])
    sums = {(d.name, d.dimensions[0].value): d.sum for d in backend(account).metric_data}
    assert sums == {("Requests", "E1"): 2, ("Requests", "E2"): 1, ("Bytes", "E1"): 7}


def test_after_a_moto_reset_the_next_sample_goes_into_the_new_store() -> None:
    account = new_account()
    statistics = MinuteStatistics(Clock())
    statistics.add(account, "us-east-1", "AWS/Test", [Sample("Requests", DIMS, 1, "None")])
    backend(account).reset()
    statistics.add(account, "us-east-1", "AWS/Test", [Sample("Requests", DIMS, 1, "None")])
    [datum] = backend(account).metric_data
    assert datum.sample_count == 1


def test_a_viewer_request_publishes_requests_bytes_and_error_rates() -> None:
    account = new_account()
    metrics = CloudFrontMetrics(MinuteStatistics(Clock()))
    metrics.viewer_request(account, "E1", "GET", 0, HttpResponse(200, [], b"hello"))
    metrics.viewer_request(account, "E1", "POST", 11, HttpResponse(403, [], b"no"))
    metrics.viewer_request(account, "E1", "DELETE", 0, HttpResponse(502, [], b"bad"))
    found = {d.name: d for d in backend(account).metric_data}
    assert found["Requests"].sum == 3 and found["Requests"].unit == "None"
    assert found["BytesDownloaded"].sum == 5  # GET only: POST and DELETE download nothing that counts
    assert found["BytesUploaded"].sum == 11
    assert found["4xxErrorRate"].sum / found["4xxErrorRate"].sample_count == pytest.approx(100 / 3)
    assert found["5xxErrorRate"].sum / found["5xxErrorRate"].sample_count == pytest.approx(100 / 3)
    assert found["TotalErrorRate"].sum / found["TotalErrorRate"].sample_count == pytest.approx(200 / 3)
    assert found["TotalErrorRate"].unit == "Percent"
    assert all(d.namespace == "AWS/CloudFront" for d in found.values())


def test_a_streamed_body_counts_its_bytes_once_it_is_sent() -> None:
    account = new_account()
    metrics = CloudFrontMetrics(MinuteStatistics(Clock()))

    async def chunks() -> AsyncIterator[bytes]:
        for chunk in (b"abc", b"defg"):
            yield chunk

    response = metrics.viewer_request(account, "E1", "GET", 0, HttpResponse(200, [], b"", stream=chunks()))
    assert "BytesDownloaded" not in {d.name for d in backend(account).metric_data}
    assert response.stream is not None

    async def drain(stream: AsyncIterator[bytes]) -> bytes:
        return b"".join([chunk async for chunk in stream])

    assert asyncio.run(drain(response.stream)) == b"abcdefg"
    [downloaded] = [d for d in backend(account).metric_data if d.name == "BytesDownloaded"]
    assert downloaded.sum == 7


def test_an_api_gateway_request_is_published_by_api_name_and_by_stage() -> None:
    account = new_account()
    metrics = ApiGatewayMetrics(MinuteStatistics(Clock()))
    for status in (200, 404, 504):
        metrics.request(
            account_id=account,
            region="ap-northeast-2",
            api_name="counter-api",
            stage="prod",
            status=status,
            latency_ms=12.0,
            integration_ms=None if status == 404 else 10.0,
        )
    found = {
        (d.name, tuple((x.name, x.value) for x in d.dimensions)): d
        for d in backend(account, "ap-northeast-2").metric_data
    }
    by_api, by_stage = (("ApiName", "counter-api"),), (("ApiName", "counter-api"), ("Stage", "prod"))
    for dims in (by_api, by_stage):
        assert found[("Count", dims)].sample_count == 3 and found[("Count", dims)].unit == "Count"
        assert found[("4XXError", dims)].sum == 1 and found[("5XXError", dims)].sum == 1
        assert found[("Latency", dims)].sample_count == 3 and found[("Latency", dims)].unit == "Milliseconds"
        assert found[("IntegrationLatency", dims)].sample_count == 2  # no integration behind the 404
        assert found[("Count", dims)].namespace == "AWS/ApiGateway"


def test_the_api_name_dimension_drops_non_ascii_characters_or_falls_back_to_the_id() -> None:
    assert api_name_dimension("kit-counter-api", "a1b2c3d4e5") == "kit-counter-api"
    assert api_name_dimension("카운터-api", "a1b2c3d4e5") == "-api"
    assert api_name_dimension("카운터", "a1b2c3d4e5") == "a1b2c3d4e5"


# --- moto's dimension matching, corrected --------------------------------------------------------------------


@pytest.fixture
def api_account() -> str:
    """An account with requests to one API: 3 to stage prod and 2 to stage test in MINUTE, 1 to prod the
    minute after."""
    moto_gaps.apply()
    account = new_account()
    clock = Clock()
    metrics = ApiGatewayMetrics(MinuteStatistics(clock))
    for stage, times, at in (("prod", 3, T0), ("test", 2, T0), ("prod", 1, T0 + 60)):
        clock.now = at
        for _ in range(times):
            metrics.request(
                account_id=account,
                region="us-east-1",
                api_name="kit-api",
                stage=stage,
                status=200,
                latency_ms=1.0,
                integration_ms=1.0,
            )
    return account


def statistics_sum(account: str, dimensions: list[dict[str, str]]) -> list[float]:
    found = backend(account).get_metric_statistics(
        "AWS/ApiGateway", "Count", MINUTE.replace(hour=19), MINUTE.replace(hour=21), 60, ["SampleCount"], dimensions
    )
    return [float(s.sample_count) for s in found]


def test_get_metric_statistics_matches_the_exact_dimension_combination(api_account: str) -> None:
    assert statistics_sum(api_account, [{"Name": "ApiName", "Value": "kit-api"}]) == [5.0, 1.0]
    stage = [{"Name": "ApiName", "Value": "kit-api"}, {"Name": "Stage", "Value": "prod"}]
    assert statistics_sum(api_account, stage) == [3.0, 1.0]
    assert statistics_sum(api_account, [{"Name": "Stage", "Value": "prod"}]) == []  # never published alone


def test_list_metrics_lists_each_dimension_combination_once(api_account: str) -> None:
    # two minutes of data: moto listed a two-dimension metric once per minute
    _, metrics = backend(api_account).list_metrics(None, "AWS/ApiGateway", "Count", [])
    combinations = sorted(tuple(sorted((d.name, d.value) for d in m.dimensions)) for m in metrics)
    assert combinations == [
        (("ApiName", "kit-api"),),
        (("ApiName", "kit-api"), ("Stage", "prod")),
        (("ApiName", "kit-api"), ("Stage", "test")),
    ]


def test_get_metric_data_matches_dimensions_in_any_order(api_account: str) -> None:
    def query(dimensions: list[dict[str, str]]) -> list[float]:
        metric = {"Namespace": "AWS/ApiGateway", "MetricName": "Count", "Dimensions": dimensions}
        [result] = backend(api_account).get_metric_data(
            [{"Id": "q", "MetricStat": {"Metric": metric, "Period": 60, "Stat": "SampleCount"}}],
            MINUTE.replace(hour=19),
            MINUTE.replace(hour=21),
        )
        return result["values"]

    stage, name = {"Name": "Stage", "Value": "prod"}, {"Name": "ApiName", "Value": "kit-api"}
    assert query([name, stage]) == [3, 1] and query([stage, name]) == [3, 1]
