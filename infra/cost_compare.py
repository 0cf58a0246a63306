"""The cost comparisons the cost lesson draws: front doors as traffic grows, and memory against duration.

Front doors: a Function URL alone (Lambda's charges only: a URL has no charge of its own), API Gateway REST in
front of Lambda, and CloudFront in front of the URL, priced by ``pricing.py`` (requests only: data transfer is
not modelled). ``crossings`` finds where two lines cross; with today's prices CloudFront's HTTPS request price
($1.20 per million in South Korea, 10M free a month) stays under API Gateway REST's $3.50 at every volume, so
those lines never cross, and the URL alone is the floor of both.

Memory and duration (docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html: "Lambda allocates CPU power in
proportion to the amount of memory configured ... At 1,769 MB, a function has the equivalent of one vCPU"): a
single-threaded CPU-bound handler that takes ``ms_at_one_vcpu`` at 1,769 MB or more takes ``ms_at_one_vcpu x
1769 / memory`` below it [inferred from that proportionality; real handlers also wait on I/O, which memory does
not speed up]. Below 1,769 MB its GB-seconds stay the same while it gets faster; above, it gets no faster and
costs more. The local cloud does not share CPU by memory, so this is a model to compare with what aws mode
measures, not a local measurement.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from . import pricing

ONE_VCPU_MB = 1769
FRONT_DOORS = ("Function URL", "API Gateway REST + Lambda", "CloudFront + Function URL")


def front_door_costs(
    requests: int,
    *,
    duration_ms: float = 10,
    memory_mb: int = 128,
    region: str = "ap-northeast-2",
    free_tier: bool = True,
) -> dict[str, Decimal]:
    """One month's charges for ``requests`` through each front door (unrounded dollars)."""
    bill = pricing.monthly_bill(requests, duration_ms, memory_mb, region=region, free_tier=free_tier)
    lambda_cost = bill.request_charge + bill.compute_charge
    viewers = pricing.VIEWERS_OF_REGION[region]
    return {
        "Function URL": lambda_cost,
        "API Gateway REST + Lambda": lambda_cost + pricing.api_gateway_rest_cost(requests, region),
        "CloudFront + Function URL": lambda_cost
        + pricing.cloudfront_https_cost(requests, viewers, free_tier=free_tier),
    }


def crossings(first: Callable[[int], Decimal], second: Callable[[int], Decimal], volumes: Sequence[int]) -> list[int]:
    """The first volume, in each interval of ``volumes`` (ascending), where ``first - second`` has changed sign.

    Found by bisection on whole requests inside the interval, so a crossing is exact to one request.
    """
    found: list[int] = []
    for low, high in itertools.pairwise(volumes):
        a, b = first(low) - second(low), first(high) - second(high)
        if a * b >= 0:  # no strict change of sign (lines that only touch or run together do not cross)
            continue
        while high - low > 1:
            middle = (low + high) // 2
            if (first(middle) - second(middle)) * a > 0:
                low = middle
            else:
                high = middle
        found.append(high)
    return found


@dataclass(frozen=True)
class MemoryPoint:
    memory_mb: int
    duration_ms: float
    billed_ms: int
    monthly_cost: Decimal


def memory_sweep(
    ms_at_one_vcpu: float,
    memories: Sequence[int],
    *,
    requests: int = 1_000_000,
    region: str = "ap-northeast-2",
    architecture: str = "x86_64",
) -> list[MemoryPoint]:
    """Duration and monthly cost (no free tier) of one single-threaded CPU-bound handler at each memory size."""
    points = []
    for memory in memories:
        duration = ms_at_one_vcpu * max(1.0, ONE_VCPU_MB / memory)
        bill = pricing.monthly_bill(
            requests, duration, memory, region=region, architecture=architecture, free_tier=False
        )
        points.append(MemoryPoint(memory, duration, math.ceil(duration), bill.request_charge + bill.compute_charge))
    return points


@dataclass(frozen=True)
class MemorySummary:
    spread: float  # (most - least) / least of the monthly cost, up to one vCPU
    faster: float  # how many times faster at one vCPU than at the smallest size
    more: float  # the largest size's cost over the cost at one vCPU


def memory_summary(points: Sequence[MemoryPoint]) -> MemorySummary:
    """What a sweep says: the cost's spread up to 1,769 MB, the speed-up there, and the price past it."""
    upto = [p for p in points if p.memory_mb <= ONE_VCPU_MB]
    at_one = next((p for p in points if p.memory_mb == ONE_VCPU_MB), None)
    if not upto or at_one is None:
        raise ValueError(f"the sweep must include {ONE_VCPU_MB} MB and a size below it")
    costs = [p.monthly_cost for p in upto]
    return MemorySummary(
        spread=float((max(costs) - min(costs)) / min(costs)),
        faster=upto[0].duration_ms / at_one.duration_ms,
        more=float(points[-1].monthly_cost / at_one.monthly_cost),
    )
