"""infra/pricing.py: published prices, a workload's bill, the seed's worked example, REPORT lines to GB-seconds."""

from __future__ import annotations

from decimal import Decimal

import pytest

from infra import pricing

COLD = (
    "REPORT RequestId: 5f2c9a1e-0000-4000-8000-000000000001\tDuration: 12.34 ms\tBilled Duration: 68 ms\t"
    "Memory Size: 512 MB\tMax Memory Used: 41 MB\tInit Duration: 55.10 ms\t"
)
WARM = (
    "REPORT RequestId: 5f2c9a1e-0000-4000-8000-000000000002\tDuration: 1.01 ms\tBilled Duration: 2 ms\t"
    "Memory Size: 512 MB\tMax Memory Used: 41 MB\t"
)


def test_every_price_says_where_it_comes_from_and_when_it_was_read() -> None:
    prices = [
        p for region in pricing.LAMBDA.values() for arch in region.values() for p in (arch.request, arch.gb_second)
    ]
    prices += [pricing.STREAMED_GB, *pricing.API_GATEWAY_REST.values(), *pricing.CLOUDFRONT_HTTPS.values()]
    for price in prices:
        assert price.source.startswith("https://aws.amazon.com/") and price.read == "2026-12-02"
        assert price.amount > 0


def test_the_regions_and_architectures_the_kit_uses() -> None:
    for region in ("ap-northeast-2", "us-east-1"):
        assert pricing.lambda_prices(region, "x86_64").gb_second.amount == Decimal("0.0000166667")
        assert pricing.lambda_prices(region, "arm64").gb_second.amount == Decimal("0.0000133334")
        assert pricing.lambda_prices(region).request.amount * 1_000_000 == Decimal("0.20")
    with pytest.raises(pricing.PricingError, match="ap-northeast-2/x86_64"):
        pricing.lambda_prices("eu-west-9")


def test_the_seed_example_to_the_cent() -> None:
    seed = pricing.seed_example()
    assert seed.compute_without_free_tier == Decimal("25.02")  # "$25.02"
    assert seed.requests_without_free_tier == Decimal("0.60")  # "요청 1백만 건당 $0.2" x 3M
    assert seed.total_without_free_tier == Decimal("25.62")  # "$25.62 (무료 구간 제외)"
    assert seed.compute_with_free_tier == Decimal("18.34")  # "$18.34 (무료 구간 포함)"
    assert seed.requests_with_free_tier == Decimal("0.40")  # what "$18.34" leaves out
    assert seed.total_with_free_tier == Decimal("18.74")  # AWS's own total
    assert seed.compute_with_free_tier_today == Decimal("18.33")  # the unrounded price: one cent less


def test_aws_example_through_the_workload_function() -> None:
    bill = pricing.monthly_bill(3_000_000, 1000, 512, region="us-east-1", gb_second_price=pricing.EXAMPLE_GB_SECOND)
    assert bill.gb_seconds == 1_500_000
    assert bill.compute_charge == Decimal("18.337") and bill.request_charge == Decimal("0.40")
    assert bill.total == Decimal("18.74")
    full = pricing.monthly_bill(3_000_000, 1000, 512, region="us-east-1", free_tier=False)
    assert full.request_charge == Decimal("0.60") and pricing.cents(full.compute_charge) == Decimal("25.00")


def test_one_ms_billing_rounds_each_invocation_up() -> None:
    bill = pricing.monthly_bill(1000, 1.0001, 1024, free_tier=False)
    assert bill.gb_seconds == 2  # 1,000 x 2 ms at 1 GB
    assert pricing.monthly_bill(1000, 2.0, 1024, free_tier=False).gb_seconds == bill.gb_seconds


def test_arm_is_cheaper_per_gb_second_and_the_free_tier_covers_small_workloads() -> None:
    x86 = pricing.monthly_bill(5_000_000, 200, 1024, free_tier=False)
    arm = pricing.monthly_bill(5_000_000, 200, 1024, architecture="arm64", free_tier=False)
    assert arm.compute_charge < x86.compute_charge and arm.request_charge == x86.request_charge
    assert pricing.monthly_bill(1_000_000, 100, 128).total == Decimal("0.00")


def test_streamed_bytes_past_six_mb_are_billed_after_the_free_100_gib() -> None:
    small = pricing.monthly_bill(10_000, 100, 128, response_bytes=5 * pricing.MB, streamed=True, free_tier=False)
    assert small.streaming_charge == 0
    big = pricing.monthly_bill(1_000, 100, 128, response_bytes=16 * pricing.MB, streamed=True, free_tier=False)
    assert big.streaming_charge == Decimal(10 * pricing.MB * 1_000) / pricing.GIB * Decimal("0.008")
    buffered = pricing.monthly_bill(1_000, 100, 128, response_bytes=16 * pricing.MB, free_tier=False)
    assert buffered.streaming_charge == 0
    assert pricing.monthly_bill(1_000, 100, 128, response_bytes=16 * pricing.MB, streamed=True).streaming_charge == 0


def test_bad_memory_is_refused_with_the_range() -> None:
    with pytest.raises(pricing.PricingError, match="128 to 10,240 MB"):
        pricing.monthly_bill(1, 1, 64)


def test_request_prices_of_the_talk() -> None:
    assert pricing.api_gateway_rest_cost(1_000_000) == Decimal("3.50")
    assert pricing.cloudfront_https_cost(1_000_000, free_tier=False) == Decimal("1.20")
    assert pricing.cloudfront_https_cost(1_000_000, "united-states", free_tier=False) == Decimal("1.00")
    assert pricing.cloudfront_https_cost(10_000_000) == 0


def test_report_lines_parse_cold_and_warm() -> None:
    cold, warm = pricing.parse_report(COLD), pricing.parse_report(WARM)
    assert cold is not None and warm is not None
    assert (cold.billed_ms, cold.memory_mb, cold.init_ms, cold.duration_ms) == (68, 512, 55.10, 12.34)
    assert warm.init_ms is None and warm.gb_seconds == Decimal("0.001")
    assert pricing.parse_report("START RequestId: x Version: $LATEST") is None
    assert pricing.parse_report("REPORT this is a log line a handler printed") is None


def test_usage_adds_billed_duration_times_memory() -> None:
    usage = pricing.usage_of([COLD, "some output", WARM, WARM])
    assert usage.requests == 3 and usage.cold_starts == 1 and usage.billed_ms == 72
    assert usage.gb_seconds == Decimal(72) / 1000 * Decimal("0.5")
    bill = usage.bill(free_tier=False)
    assert bill.request_charge == 3 * Decimal("0.0000002")
    assert bill.compute_charge == usage.gb_seconds * Decimal("0.0000166667")


def test_the_price_table_shows_every_price_with_its_source_in_both_languages() -> None:
    english = pricing.price_rows("ap-northeast-2", lang="en")
    assert [row["price"] for row in english] == [
        "$0.0000166667 per GB-second (billed per 1 ms)",
        "$0.0000133334 per GB-second (billed per 1 ms)",
        "$0.20 per 1M",
        "$0.008 per GB past each response's first 6 MB",
        "$0: its invocations are Lambda requests",
        "$3.50 per 1M",
        "$0.012 per 10,000",
    ]
    assert {row["read on"] for row in english} == {pricing.READ}
    assert all(row["source"].startswith("https://aws.amazon.com/") for row in english)
    assert pricing.price_rows("us-east-1", lang="en")[-1]["price"] == "$0.01 per 10,000"
    korean = pricing.price_rows("ap-northeast-2", lang="ko")
    assert korean[2] == {
        "항목": "Lambda 요청",
        "요금": "100만 건당 $0.20",
        "매월 무료": "1,000,000",
        "출처": pricing.LAMBDA_PRICING,
        "확인한 날": pricing.READ,
    }


def test_the_seed_example_table_carries_the_seed_figures() -> None:
    rows = pricing.seed_example_rows(lang="en")
    assert [row["USD"] for row in rows] == ["25.02", "0.60", "25.62", "18.34", "0.40", "18.74", "18.33"]
    assert "what $18.34 leaves out" in rows[4]["line"]
    assert [row["USD"] for row in pricing.seed_example_rows(lang="ko")] == [row["USD"] for row in rows]
