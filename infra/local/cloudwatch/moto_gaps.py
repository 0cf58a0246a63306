"""Where moto 5.2's CloudWatch matches dimensions differently from AWS, corrected in one place.

"CloudWatch treats each unique combination of dimensions as a separate metric. If a specific combination
of dimensions was not published, you can't retrieve statistics for it" (CloudWatch API reference,
``GetMetricStatistics``, ``Dimensions``; also the user guide's "Dimension combinations"). API Gateway
publishes every request under ``{ApiName}`` and under ``{ApiName, Stage}``, so these matter here:

- ``GetMetricStatistics`` keeps the datapoints whose dimensions are exactly the ones asked for; moto kept
  every datapoint that has them among others, so ``{ApiName}`` counted each request twice;
- ``ListMetrics`` lists a metric once per dimension combination; moto's ``are_dimensions_same`` compared
  every dimension with every other one, so a metric with two dimensions was listed once per datapoint;
- ``GetMetricData`` compares the sorted dimensions; moto's ``Dimension.__lt__`` compared a value with a
  name, so the order a query gave its dimensions in decided whether it matched. Dimensions now sort by
  name, then value.

Not corrected: ``GetMetricData`` with dimensions ignores the namespace (moto), NextToken paging of
``GetMetricData`` (moto returns everything at once), percentiles and metric math beyond moto's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

_applied = False


def _dimension_set(dimensions: list[Any]) -> frozenset[tuple[Any, Any]]:
    return frozenset((d.name, d.value) for d in dimensions)


def _same_dimensions(metric_dimensions: list[Any], dimensions: list[Any]) -> bool:
    return _dimension_set(metric_dimensions) == _dimension_set(dimensions)


def _dimension_lt(self: Any, other: Any) -> bool:
    return (str(self.name), str(self.value)) < (str(other.name), str(other.value))


def apply() -> None:
    """Install the corrections (idempotent)."""
    global _applied
    if _applied:
        return
    from moto.cloudwatch import models

    original = models.CloudWatchBackend.get_metric_statistics

    def get_metric_statistics(
        self: Any,
        namespace: str,
        metric_name: str,
        start_time: datetime,
        end_time: datetime,
        period: int,
        stats: list[str],
        dimensions: list[dict[str, str]],
        unit: str | None = None,
    ) -> list[Any]:
        found = original(self, namespace, metric_name, start_time, end_time, period, stats, dimensions, unit)
        wanted = frozenset((d["Name"], d.get("Value")) for d in dimensions or [])
        kept = []
        for statistics in found:
            statistics.metric_data = [md for md in statistics.metric_data if _dimension_set(md.dimensions) == wanted]
            if statistics.metric_data:
                kept.append(statistics)
        return kept

    models.CloudWatchBackend.get_metric_statistics = get_metric_statistics  # type: ignore[method-assign]
    models.are_dimensions_same = _same_dimensions
    models.Dimension.__lt__ = _dimension_lt  # type: ignore[method-assign]
    _applied = True
