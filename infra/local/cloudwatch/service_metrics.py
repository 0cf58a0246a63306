"""The request metrics CloudFront and API Gateway publish to CloudWatch, for each request the local cloud serves.

CloudFront (docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/programming-cloudwatch-metrics.html):
namespace ``AWS/CloudFront``, stored in US East (N. Virginia) whatever region the rest runs in, dimensions
``DistributionId`` and ``Region`` (always ``Global``). Default metrics emulated:
- ``Requests``: every viewer request, all HTTP methods (statistic Sum, unit None);
- ``BytesDownloaded``: body bytes sent to viewers for GET, HEAD and OPTIONS; ``BytesUploaded``: body bytes of
  POST and PUT requests (Sum, None);
- ``4xxErrorRate``, ``5xxErrorRate``, ``TotalErrorRate``: the percentage of requests answered 4xx, 5xx, either
  (statistic Average, unit Percent): each request is a sample of 100 or 0.

API Gateway REST APIs (docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-dimensions.html):
namespace ``AWS/ApiGateway`` in the API's region, each metric under both ``{ApiName}`` and ``{ApiName, Stage}``
(the "By Api Name" and "By Stage" panels of metrics_dimensions_view_in_cloud_watch.html):
- ``Count``: every request to a deployed stage ("The SampleCount statistic represents this metric"; each
  sample is 1, so Sum gives the same number; unit Count);
- ``4XXError``, ``5XXError``: 1 for a request answered 4xx / 5xx, else 0 (Sum: the count, Average: the rate);
- ``Latency`` (request in to response out) and ``IntegrationLatency`` (Lambda called to Lambda answered, or
  to the integration timeout), unit Milliseconds.
API Gateway "removes the non-ASCII characters from the ApiName dimension before sending metrics to
CloudWatch. If the APIName doesn't contain any ASCII characters, the API ID is used as the ApiName" (same page).

Choices (no source states them): a request to a disabled or unknown distribution, or to an unknown API or
stage, publishes nothing (nothing it could be counted under serves it); a streamed body's bytes count in the
minute its last byte was sent (or the viewer went away); CloudFront's error-rate samples and BytesDownloaded
use the body alone, not headers; ``Requests`` and the bytes have SampleCount = one per request.
Not emulated: CloudFront's additional metrics (``CacheHitRate``, ``OriginLatency``, per-status rates), the
per-method dimensions of API Gateway's detailed metrics, ``CacheHitCount``/``CacheMissCount``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from ..http.types import HttpResponse
from .statistic_sets import Dimensions, MinuteStatistics, Sample

CLOUDFRONT_NAMESPACE = "AWS/CloudFront"
CLOUDFRONT_REGION = "us-east-1"
API_GATEWAY_NAMESPACE = "AWS/ApiGateway"
_DOWNLOADS = frozenset({"GET", "HEAD", "OPTIONS"})
_UPLOADS = frozenset({"POST", "PUT"})


def api_name_dimension(name: str, api_id: str) -> str:
    """The ``ApiName`` API Gateway publishes for an API: its name without non-ASCII characters, else its id."""
    ascii_only = "".join(c for c in name if c.isascii())
    return ascii_only or api_id


def _errors(status: int) -> tuple[float, float]:
    """(1, 0) for a 4xx answer, (0, 1) for a 5xx one, (0, 0) otherwise."""
    return (1.0 if 400 <= status < 500 else 0.0), (1.0 if status >= 500 else 0.0)


class CloudFrontMetrics:
    """Publishes a distribution's default metrics for each viewer request."""

    def __init__(self, statistics: MinuteStatistics) -> None:
        self._statistics = statistics

    def viewer_request(
        self, account_id: str, distribution_id: str, method: str, uploaded: int, response: HttpResponse
    ) -> HttpResponse:
        """Count one viewer request and its answer; returns ``response`` (a streamed body counted as it goes)."""
        dims: Dimensions = (("DistributionId", distribution_id), ("Region", "Global"))
        four, five = _errors(response.status)
        samples = [
            Sample("Requests", dims, 1.0, "None"),
            Sample("4xxErrorRate", dims, 100 * four, "Percent"),
            Sample("5xxErrorRate", dims, 100 * five, "Percent"),
            Sample("TotalErrorRate", dims, 100 * (four + five), "Percent"),
        ]
        if method in _UPLOADS:
            samples.append(Sample("BytesUploaded", dims, float(uploaded), "None"))
        counts_download = method in _DOWNLOADS
        if counts_download and response.stream is None:
            samples.append(Sample("BytesDownloaded", dims, float(len(response.body)), "None"))
        self._statistics.add(account_id, CLOUDFRONT_REGION, CLOUDFRONT_NAMESPACE, samples)
        if counts_download and response.stream is not None:
            response.stream = self._counted(response.stream, account_id, dims, len(response.body))
        return response

    async def _counted(
        self, stream: AsyncIterator[bytes], account_id: str, dims: Dimensions, already: int
    ) -> AsyncIterator[bytes]:
        sent = already
        try:
            async for chunk in stream:
                sent += len(chunk)
                yield chunk
        finally:
            sample = Sample("BytesDownloaded", dims, float(sent), "None")
            self._statistics.add(account_id, CLOUDFRONT_REGION, CLOUDFRONT_NAMESPACE, [sample])


class ApiGatewayMetrics:
    """Publishes a REST API stage's metrics for each request it answers."""

    def __init__(self, statistics: MinuteStatistics) -> None:
        self._statistics = statistics

    def request(
        self,
        *,
        account_id: str,
        region: str,
        api_name: str,
        stage: str,
        status: int,
        latency_ms: float,
        integration_ms: float | None,
    ) -> None:
        """Count one request to ``stage`` of the API whose ``ApiName`` dimension is ``api_name``."""
        four, five = _errors(status)
        samples = []
        for dims in ((("ApiName", api_name),), (("ApiName", api_name), ("Stage", stage))):
            samples += [
                Sample("Count", dims, 1.0, "Count"),
                Sample("4XXError", dims, four, "Count"),
                Sample("5XXError", dims, five, "Count"),
                Sample("Latency", dims, latency_ms, "Milliseconds"),
            ]
            if integration_ms is not None:
                samples.append(Sample("IntegrationLatency", dims, integration_ms, "Milliseconds"))
        self._statistics.add(account_id, region, API_GATEWAY_NAMESPACE, samples)
