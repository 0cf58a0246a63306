"""What a few real invocations in the local cloud cost, read from their REPORT lines in CloudWatch Logs with boto3."""

from __future__ import annotations

import base64
from decimal import Decimal

from infra import pricing

HANDLER = """
def handler(event, context):
    return sum(range(event.get("n", 1000)))
"""


def test_the_bill_of_real_invocations_from_cloudwatch_logs(deploy, aws) -> None:
    fn = deploy(HANDLER, url=False)
    lam = aws("lambda")
    lam.update_function_configuration(FunctionName=fn.name, MemorySize=256)
    lam.get_waiter("function_updated_v2").wait(FunctionName=fn.name)
    tails: list[str] = []
    for n in (10, 100_000, 1_000, 50_000, 10):
        answer = lam.invoke(FunctionName=fn.name, Payload=f'{{"n": {n}}}'.encode(), LogType="Tail")
        assert answer["StatusCode"] == 200
        tails += base64.b64decode(answer["LogResult"]).decode().splitlines()

    lines = pricing.report_lines(aws("logs"), fn.name)
    usage = pricing.usage_of(lines)
    expected = pricing.usage_of(tails)  # the same invocations, as each Invoke's LogResult reported them
    assert usage == expected
    assert usage.requests == 5 and usage.cold_starts == 1  # one environment, started once
    assert usage.gb_seconds == Decimal(usage.billed_ms) / 1000 * Decimal(256) / 1024
    reports = [pricing.parse_report(line) for line in lines]
    cold = next(r for r in reports if r is not None and r.init_ms is not None)
    assert cold.billed_ms >= cold.duration_ms + cold.init_ms  # INIT is billed since 2025-08-01

    bill = usage.bill(region="ap-northeast-2", free_tier=False)
    assert bill.request_charge == 5 * Decimal("0.0000002")
    assert bill.compute_charge == usage.gb_seconds * Decimal("0.0000166667")
    assert usage.bill().total == 0  # inside the free tier


def test_usage_by_function_reads_every_log_group_of_a_prefix(deploy, aws) -> None:
    first, second = deploy(HANDLER, url=False), deploy(HANDLER, url=False)
    lam = aws("lambda")
    for name, times in ((first.name, 2), (second.name, 3)):
        for _ in range(times):
            lam.invoke(FunctionName=name, Payload=b"{}")
    by_function = pricing.usage_by_function(aws("logs"), "it-")
    assert by_function[first.name].requests == 2 and by_function[second.name].requests == 3
    assert by_function[first.name].cold_starts == 1 and by_function[second.name].cold_starts == 1
