"""What Lambda, API Gateway and CloudFront charge, and what a workload or the REPORT lines it left would cost.

Every price carries its source and the day it was read. Amounts are ``Decimal`` dollars; a bill is rounded to the
cent (half up) only at the end, as AWS's own worked example does (1,100,000 GB-s x $0.00001667 = $18.337 ->
$18.34).

Lambda (aws.amazon.com/lambda/pricing/, read 2026-12-02): requests $0.20 per million; duration per GB-second,
billed per 1 ms, x86 $0.0000166667 and Arm $0.0000133334 in the first tier (6 and 7.5 billion GB-s a month), the same
in US East (N. Virginia) and Asia Pacific (Seoul); the free tier is 1,000,000 requests and 400,000 GB-seconds a
month (both architectures together) and 100 GiB of HTTP response streaming. Response streaming: the first 6 MB of
each response is free, the rest is billed per GB ($0.008 per GB; that row was not in the stored copy of the page
read here: its figure is the one third-party summaries of the page give, so check it before quoting it).
INIT billed since 2025-08-01 ("AWS Lambda standardizes billing for INIT phase", AWS Compute Blog, April 2025):
on-demand invocations of ZIP functions on managed runtimes now bill the INIT phase like the INVOKE phase, so the
REPORT line's ``Billed Duration`` of a cold start includes its ``Init Duration``; the local cloud writes it so.

API Gateway REST ($3.50 per million, the first 333 million a month) and CloudFront HTTPS requests ($0.0100 per
10,000 in the United States, $0.0120 per 10,000 in South Korea and the rest of that price group) are the figures
the seed talk uses (aws-behaviour.md section 9) and the ones aws.amazon.com/api-gateway/pricing/ and
aws.amazon.com/cloudfront/pricing/ list; the stored copy of the CloudFront page read here showed its data transfer
table, not its request rows. CloudFront's always-free tier: 10,000,000 HTTP(S) requests and 1 TB out a month.
A Function URL has no charge of its own: its invocations are billed as Lambda requests and duration.

Not modelled: the cheaper duration tiers past 6 (x86) or 7.5 (Arm) billion GB-s a month, ephemeral storage
past 512 MB, provisioned concurrency, data transfer, Savings Plans, API Gateway's tiers past 333 million.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .i18n import t

READ = "2026-12-02"
LAMBDA_PRICING = "https://aws.amazon.com/lambda/pricing/"
APIGW_PRICING = "https://aws.amazon.com/api-gateway/pricing/"
CLOUDFRONT_PRICING = "https://aws.amazon.com/cloudfront/pricing/"
INIT_BILLING = "https://aws.amazon.com/blogs/compute/aws-lambda-standardizes-billing-for-init-phase/"
MB = 1_000_000  # the streaming allowance is "6 MB" per response
GIB = 1024**3


@dataclass(frozen=True)
class Price:
    amount: Decimal  # dollars per ``unit``
    unit: str
    source: str
    read: str = READ
    note: str = ""


@dataclass(frozen=True)
class LambdaPrices:
    request: Price  # per request
    gb_second: Price


_REQUEST = Price(Decimal("0.0000002"), "request", LAMBDA_PRICING, note="$0.20 per 1M requests")
LAMBDA: dict[str, dict[str, LambdaPrices]] = {
    region: {
        "x86_64": LambdaPrices(_REQUEST, Price(Decimal("0.0000166667"), "GB-second", LAMBDA_PRICING)),
        "arm64": LambdaPrices(_REQUEST, Price(Decimal("0.0000133334"), "GB-second", LAMBDA_PRICING)),
    }
    for region in ("us-east-1", "ap-northeast-2")
}
FREE_REQUESTS = 1_000_000
FREE_GB_SECONDS = Decimal(400_000)
STREAM_FREE_PER_RESPONSE = 6 * MB
STREAM_FREE_BYTES = 100 * GIB
STREAMED_GB = Price(
    Decimal("0.008"),
    "GB streamed past the first 6 MB of a response",
    LAMBDA_PRICING,
    note="not in the stored copy of the page: the figure third-party summaries of it give",
)
API_GATEWAY_REST: dict[str, Price] = {
    region: Price(Decimal("0.0000035"), "request", APIGW_PRICING, note="$3.50 per million, first 333M a month")
    for region in ("us-east-1", "ap-northeast-2")
}
#: Where the viewers are (CloudFront bills by the edge's geographic region, not by the origin's AWS Region).
CLOUDFRONT_HTTPS: dict[str, Price] = {
    "united-states": Price(Decimal("0.000001"), "HTTPS request", CLOUDFRONT_PRICING, note="$0.0100 per 10,000"),
    "south-korea": Price(Decimal("0.0000012"), "HTTPS request", CLOUDFRONT_PRICING, note="$0.0120 per 10,000"),
}
CLOUDFRONT_FREE_REQUESTS = 10_000_000
#: The kit's Regions and where their viewers are, for comparisons in one place.
VIEWERS_OF_REGION = {"us-east-1": "united-states", "ap-northeast-2": "south-korea"}


class PricingError(ValueError):
    pass


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def lambda_prices(region: str, architecture: str = "x86_64") -> LambdaPrices:
    try:
        return LAMBDA[region][architecture]
    except KeyError:
        known = ", ".join(f"{r}/{a}" for r in LAMBDA for a in LAMBDA[r])
        raise PricingError(f"no Lambda price for {region}/{architecture}: the kit knows {known}") from None


@dataclass(frozen=True)
class Bill:
    """One month of one architecture in one Region: each line unrounded, and the total rounded to the cent."""

    requests: int
    gb_seconds: Decimal
    request_charge: Decimal
    compute_charge: Decimal
    streaming_charge: Decimal = Decimal(0)

    @property
    def total(self) -> Decimal:
        return cents(self.request_charge + self.compute_charge + self.streaming_charge)


def gb_seconds(billed_ms: int | Decimal, memory_mb: int) -> Decimal:
    """GB-seconds of one billed duration: MB / 1024 GB, ms / 1000 s (the pricing page's own conversion)."""
    return Decimal(billed_ms) / 1000 * Decimal(memory_mb) / 1024


def lambda_bill(
    requests: int,
    total_gb_seconds: Decimal,
    *,
    region: str = "ap-northeast-2",
    architecture: str = "x86_64",
    free_tier: bool = True,
    streamed_bytes_billable: int = 0,
    gb_second_price: Decimal | None = None,
) -> Bill:
    """The month's Lambda charges for ``requests`` and ``total_gb_seconds`` (already billed durations x memory).

    ``streamed_bytes_billable``: bytes past each response's first 6 MB; the 100 GiB free tier comes off them.
    ``gb_second_price`` replaces the published one (AWS's worked example uses $0.00001667, rounded).
    """
    if requests < 0 or total_gb_seconds < 0 or streamed_bytes_billable < 0:
        raise PricingError("requests, GB-seconds and streamed bytes cannot be negative")
    prices = lambda_prices(region, architecture)
    per_gb_s = gb_second_price if gb_second_price is not None else prices.gb_second.amount
    billable_requests = max(0, requests - FREE_REQUESTS) if free_tier else requests
    billable_gb_s = max(Decimal(0), total_gb_seconds - FREE_GB_SECONDS) if free_tier else total_gb_seconds
    streamed = max(0, streamed_bytes_billable - STREAM_FREE_BYTES) if free_tier else streamed_bytes_billable
    return Bill(
        requests=requests,
        gb_seconds=total_gb_seconds,
        request_charge=billable_requests * prices.request.amount,
        compute_charge=billable_gb_s * per_gb_s,
        streaming_charge=Decimal(streamed) / GIB * STREAMED_GB.amount,
    )


def monthly_bill(
    requests: int,
    duration_ms: float,
    memory_mb: int,
    *,
    region: str = "ap-northeast-2",
    architecture: str = "x86_64",
    free_tier: bool = True,
    response_bytes: int = 0,
    streamed: bool = False,
    gb_second_price: Decimal | None = None,
) -> Bill:
    """A workload's month: ``requests`` invocations of ``duration_ms`` each (billed per started ms) at ``memory_mb``.

    ``response_bytes`` per response counts only when ``streamed`` (RESPONSE_STREAM), past its first 6 MB.
    """
    if not 128 <= memory_mb <= 10_240:
        raise PricingError(f"MemorySize {memory_mb} MB: Lambda allows 128 to 10,240 MB")
    billed_ms = Decimal(duration_ms).to_integral_value(rounding="ROUND_CEILING")
    total = gb_seconds(billed_ms, memory_mb) * requests
    past_free = max(0, response_bytes - STREAM_FREE_PER_RESPONSE) * requests if streamed else 0
    return lambda_bill(
        requests,
        total,
        region=region,
        architecture=architecture,
        free_tier=free_tier,
        streamed_bytes_billable=past_free,
        gb_second_price=gb_second_price,
    )


def api_gateway_rest_cost(requests: int, region: str = "ap-northeast-2") -> Decimal:
    return requests * API_GATEWAY_REST[region].amount


def cloudfront_https_cost(requests: int, viewers: str = "south-korea", *, free_tier: bool = True) -> Decimal:
    billable = max(0, requests - CLOUDFRONT_FREE_REQUESTS) if free_tier else requests
    return billable * CLOUDFRONT_HTTPS[viewers].amount


# --- the seed's worked example ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeedExample:
    """The seed's "512MB, 3M a month, 1 s each" example, line by line, with how each figure comes about."""

    compute_without_free_tier: Decimal  # the seed's $25.02
    requests_without_free_tier: Decimal  # $0.60 (3M x $0.20/M)
    total_without_free_tier: Decimal  # the seed's $25.62
    compute_with_free_tier: Decimal  # the seed's $18.34 (AWS's example: 1.1M GB-s x $0.00001667)
    requests_with_free_tier: Decimal  # $0.40: what the seed's "$18.34" leaves out
    total_with_free_tier: Decimal  # AWS's $18.74
    compute_with_free_tier_today: Decimal  # $18.33 at today's unrounded $0.0000166667


#: The price per GB-second AWS's worked example multiplies by (the published one rounded to 8 decimals).
EXAMPLE_GB_SECOND = Decimal("0.00001667")
#: The seed's $25.02 is 3,000,000 s x 10 x $0.000000834: the old page's price per 100 ms at 512 MB. That table
#: is not in the copy read here; $0.000000834 = 0.05 GB-s x $0.00001668 is [inferred] from the seed's own figure.
SEED_PER_100MS_512MB = Decimal("0.000000834")


def seed_example() -> SeedExample:
    requests, seconds, memory_mb = 3_000_000, 1, 512
    gb_s = gb_seconds(seconds * 1000, memory_mb) * requests  # 1,500,000
    compute_full = cents(requests * seconds * 10 * SEED_PER_100MS_512MB)
    with_free = lambda_bill(requests, gb_s, region="us-east-1", gb_second_price=EXAMPLE_GB_SECOND)
    today = lambda_bill(requests, gb_s, region="us-east-1")
    requests_full = cents(requests * _REQUEST.amount)
    return SeedExample(
        compute_without_free_tier=compute_full,
        requests_without_free_tier=requests_full,
        total_without_free_tier=compute_full + requests_full,
        compute_with_free_tier=cents(with_free.compute_charge),
        requests_with_free_tier=cents(with_free.request_charge),
        total_with_free_tier=with_free.total,
        compute_with_free_tier_today=cents(today.compute_charge),
    )


# --- REPORT lines -----------------------------------------------------------------------------------------

_REPORT = re.compile(
    r"^REPORT RequestId: (?P<id>\S+)\s+Duration: (?P<duration>[\d.]+) ms\s+Billed Duration: (?P<billed>\d+) ms"
    r"\s+Memory Size: (?P<memory>\d+) MB\s+Max Memory Used: (?P<used>\d+) MB(?:\s+Init Duration: (?P<init>[\d.]+) ms)?"
)


@dataclass(frozen=True)
class Report:
    request_id: str
    duration_ms: float
    billed_ms: int
    memory_mb: int
    max_memory_mb: int
    init_ms: float | None

    @property
    def gb_seconds(self) -> Decimal:
        return gb_seconds(self.billed_ms, self.memory_mb)


def parse_report(line: str) -> Report | None:
    """A REPORT log line as Lambda writes it (tab-separated fields), or None for any other line."""
    found = _REPORT.match(line.strip())
    if found is None:
        return None
    init = found["init"]
    return Report(
        request_id=found["id"],
        duration_ms=float(found["duration"]),
        billed_ms=int(found["billed"]),
        memory_mb=int(found["memory"]),
        max_memory_mb=int(found["used"]),
        init_ms=float(init) if init is not None else None,
    )


@dataclass(frozen=True)
class Usage:
    """What REPORT lines add up to: billed requests and GB-seconds (and how many were cold starts)."""

    requests: int
    gb_seconds: Decimal
    cold_starts: int
    billed_ms: int

    def bill(self, **options: Any) -> Bill:
        return lambda_bill(self.requests, self.gb_seconds, **options)


def usage_of(lines: Iterable[str]) -> Usage:
    reports = [report for report in map(parse_report, lines) if report is not None]
    return Usage(
        requests=len(reports),
        gb_seconds=sum((report.gb_seconds for report in reports), Decimal(0)),
        cold_starts=sum(1 for report in reports if report.init_ms is not None),
        billed_ms=sum(report.billed_ms for report in reports),
    )


def report_events(logs: Any, function_name: str, *, start_ms: int | None = None) -> list[dict[str, Any]]:
    """Every REPORT event of ``/aws/lambda/<function_name>`` in CloudWatch Logs (boto3 ``logs`` client), all pages:
    ``filter_log_events``' events (``message``, ``logStreamName``, ``timestamp``)."""
    kwargs: dict[str, Any] = {"logGroupName": f"/aws/lambda/{function_name}", "filterPattern": '"REPORT RequestId"'}
    if start_ms is not None:
        kwargs["startTime"] = start_ms
    events: list[dict[str, Any]] = []
    for page in logs.get_paginator("filter_log_events").paginate(**kwargs):
        events += [event for event in page["events"] if event["message"].startswith("REPORT ")]
    return events


def report_lines(logs: Any, function_name: str, *, start_ms: int | None = None) -> list[str]:
    """Every REPORT line of ``/aws/lambda/<function_name>`` in CloudWatch Logs, all pages."""
    return [event["message"] for event in report_events(logs, function_name, start_ms=start_ms)]


def usage_by_function(logs: Any, prefix: str, *, start_ms: int | None = None) -> dict[str, Usage]:
    """Usage of every function whose name starts with ``prefix`` (a learner's ``<learner>-``), from its log group."""
    groups: list[str] = []
    for page in logs.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=f"/aws/lambda/{prefix}"):
        groups += [group["logGroupName"] for group in page["logGroups"]]
    names = [group.removeprefix("/aws/lambda/") for group in groups]
    return {name: usage_of(report_lines(logs, name, start_ms=start_ms)) for name in names}


# --- tables the cost lesson shows ---------------------------------------------------------------------------


def _per(amount: Decimal, count: int) -> str:
    """``$0.20`` for ``0.0000002`` per 1 x ``count`` (at least two decimals, as the pricing pages write them)."""
    value = (amount * count).normalize()
    return f"${value:.2f}" if value.as_tuple().exponent >= -2 else f"${value:f}"


def price_rows(region: str = "ap-northeast-2", lang: str | None = None) -> list[dict[str, str]]:
    """Every price the kit bills with, for ``region``: what, price, free each month, source and the day read."""
    viewers = VIEWERS_OF_REGION[region]
    rows: list[tuple[str, str, str, str]] = []
    for architecture in ("x86_64", "arm64"):
        prices = lambda_prices(region, architecture)
        rows.append(
            (
                t("price.duration", lang, architecture=architecture),
                t("price.per_gb_second", lang, price=_per(prices.gb_second.amount, 1)),
                t("price.free_gb_seconds", lang),
                prices.gb_second.source,
            )
        )
    rows += [
        (
            t("price.requests", lang),
            t("price.per_million", lang, price=_per(_REQUEST.amount, 1_000_000)),
            "1,000,000",
            _REQUEST.source,
        ),
        (
            t("price.streaming", lang),
            t("price.per_streamed_gb", lang, price=_per(STREAMED_GB.amount, 1)),
            "100 GiB",
            STREAMED_GB.source,
        ),
        ("Function URL", t("price.url", lang), "-", LAMBDA_PRICING),
        (
            "API Gateway REST API",
            t("price.per_million", lang, price=_per(API_GATEWAY_REST[region].amount, 1_000_000)),
            "-",
            API_GATEWAY_REST[region].source,
        ),
        (
            t("price.cloudfront", lang, viewers=viewers),
            t("price.per_10000", lang, price=_per(CLOUDFRONT_HTTPS[viewers].amount, 10_000)),
            "10,000,000",
            CLOUDFRONT_HTTPS[viewers].source,
        ),
    ]
    columns = [t(f"price.column.{key}", lang) for key in ("what", "price", "free", "source", "read")]
    return [dict(zip(columns, (*row, READ), strict=True)) for row in rows]


def seed_example_rows(lang: str | None = None) -> list[dict[str, str]]:
    """The seed's "512MB, 3M a month, 1 s each" example, one line a figure, each with how it comes about."""
    seed = seed_example()
    lines = [
        ("seed.compute_full", seed.compute_without_free_tier, "3,000,000 s x 10 x $0.000000834 (100 ms, 512 MB)"),
        ("seed.requests_full", seed.requests_without_free_tier, "3,000,000 x $0.20 / 1M"),
        ("seed.total_full", seed.total_without_free_tier, "25.02 + 0.60"),
        ("seed.compute_free", seed.compute_with_free_tier, "(1,500,000 - 400,000) GB-s x $0.00001667"),
        ("seed.requests_free", seed.requests_with_free_tier, "(3,000,000 - 1,000,000) x $0.20 / 1M"),
        ("seed.total_free", seed.total_with_free_tier, "18.34 + 0.40"),
        ("seed.compute_today", seed.compute_with_free_tier_today, "1,100,000 GB-s x $0.0000166667"),
    ]
    line, how = t("price.column.line", lang), t("price.column.how", lang)
    return [{line: t(key, lang), "USD": f"{amount}", how: formula} for key, amount, formula in lines]
