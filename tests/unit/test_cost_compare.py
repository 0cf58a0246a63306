"""infra/cost_compare.py: front doors as traffic grows, where lines cross, memory against duration and cost."""

from __future__ import annotations

from decimal import Decimal

import pytest

from infra import cost_compare, pricing


def test_front_doors_add_their_request_price_to_lambdas() -> None:
    costs = cost_compare.front_door_costs(50_000_000, free_tier=False)
    url = costs["Function URL"]
    assert costs["API Gateway REST + Lambda"] - url == Decimal("175.00")  # 50M x $3.50/M
    assert costs["CloudFront + Function URL"] - url == Decimal("60.00")  # 50M x $1.20/M
    assert (
        url
        == pricing.monthly_bill(50_000_000, 10, 128, free_tier=False).request_charge
        + pricing.monthly_bill(50_000_000, 10, 128, free_tier=False).compute_charge
    )


def test_the_three_lines_never_cross_at_todays_prices() -> None:
    volumes = [0, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000]

    def line(name: str):  # type: ignore[no-untyped-def]
        return lambda n: cost_compare.front_door_costs(n)[name]

    url, apigw, cloudfront = (line(name) for name in cost_compare.FRONT_DOORS)
    assert cost_compare.crossings(cloudfront, apigw, volumes[1:]) == []
    assert cost_compare.crossings(url, cloudfront, volumes[1:]) == []  # equal up to 10M (free), then apart
    for n in volumes[1:]:
        assert url(n) <= cloudfront(n) < apigw(n)


def test_crossings_finds_the_exact_request_where_two_lines_meet() -> None:
    # A flat $10 a month against $3.50 per million: they meet at 2,857,143 requests (10 / 3.5 million, rounded up).
    def flat(n: int) -> Decimal:
        return Decimal(10)

    def per_request(n: int) -> Decimal:
        return pricing.api_gateway_rest_cost(n)

    assert cost_compare.crossings(flat, per_request, [0, 1_000_000, 10_000_000]) == [2_857_143]
    assert per_request(2_857_142) < 10 <= per_request(2_857_143)


def test_more_memory_costs_the_same_until_one_vcpu_then_more() -> None:
    points = cost_compare.memory_sweep(100, [128, 442, 884, 1769, 3538])
    durations = [p.duration_ms for p in points]
    assert durations[0] > durations[1] > durations[2] > durations[3] == durations[4] == 100
    compute = [p.monthly_cost - Decimal("0.20") for p in points]  # 1M requests: $0.20 of each
    below = compute[:4]
    assert max(below) - min(below) < Decimal("0.05")  # the same GB-seconds, to within 1 ms rounding
    assert compute[4] > Decimal("1.9") * compute[3]  # twice the memory, no faster: twice the compute charge


def test_memory_summary_says_flat_up_to_one_vcpu_then_dearer() -> None:
    points = cost_compare.memory_sweep(200, [128, 256, 512, 1024, 1769, 2048, 3008])
    summary = cost_compare.memory_summary(points)
    assert summary.spread < 0.01  # the same GB-seconds, give or take the 1 ms rounding
    assert summary.faster == pytest.approx(1769 / 128)
    assert summary.more == pytest.approx(float(points[-1].monthly_cost / points[4].monthly_cost))
    assert 1.6 < summary.more < 1.75  # 3008 / 1769, plus the unchanged request charge
    with pytest.raises(ValueError, match="1769 MB"):
        cost_compare.memory_summary(points[:4])
