"""Benchmark-like check: memory of the kit's log sink over a long run of warm invocations (no HTTP).

    .venv/bin/python tests/benchmarks/bench_log_retention.py                  # 200,000 invocations, kit's retention
    .venv/bin/python tests/benchmarks/bench_log_retention.py --keep-all       # the same, nothing dropped (as before)

Each invocation writes what a warm one does (START, one line of output, END, REPORT) through
``MotoLogSink`` into moto's in-process CloudWatch Logs backend, spread over ``--functions`` functions with
``--environments`` environments (log streams) each. Prints the process's RSS before and after, and how many
events moto holds at the end. Not a timed test: it prints, it does not assert.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from infra.local.logs.retention import Retention  # noqa: E402
from infra.local.logs.sink import MotoLogSink, new_stream_name  # noqa: E402

ACCOUNT, REGION = "123456789012", "ap-northeast-2"


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def lines(number: int, now_ms: int) -> list[tuple[int, str]]:
    rid = f"6f1d2c3b-{number:012d}"
    return [
        (now_ms, f"START RequestId: {rid} Version: $LATEST"),
        (now_ms, f"[INFO]\t{rid}\thandled GET /hello?name=bench"),
        (now_ms, f"END RequestId: {rid}"),
        (
            now_ms,
            f"REPORT RequestId: {rid}\tDuration: 1.21 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\t"
            "Max Memory Used: 16 MB\t",
        ),
    ]


def held_events() -> int:
    from moto.logs.models import logs_backends

    backend = logs_backends[ACCOUNT][REGION]
    return sum(len(stream.events) for group in backend.groups.values() for stream in group.streams.values())


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invocations", type=int, default=200_000)
    parser.add_argument("--functions", type=int, default=10)
    parser.add_argument("--environments", type=int, default=2)
    parser.add_argument("--keep-all", action="store_true", help="no retention (what the kit did before)")
    args = parser.parse_args()
    huge = 10**12
    retention = Retention(huge, huge, huge) if args.keep_all else Retention()
    sink = MotoLogSink(retention)
    targets = [
        (f"/aws/lambda/bench-{function}", new_stream_name("$LATEST"))
        for function in range(args.functions)
        for _ in range(args.environments)
    ]
    sink.put(ACCOUNT, REGION, targets[0][0], targets[0][1], lines(0, int(time.time() * 1000)))  # imports moto
    gc.collect()
    before = rss_mb()
    started = time.perf_counter()
    for number in range(args.invocations):
        group, stream = targets[number % len(targets)]
        sink.put(ACCOUNT, REGION, group, stream, lines(number, int(time.time() * 1000)))
    elapsed = time.perf_counter() - started
    gc.collect()
    after = rss_mb()
    mode = "nothing dropped" if args.keep_all else f"retention {retention}"
    print(f"{args.invocations} invocations, {len(targets)} log streams in {args.functions} groups ({mode})")
    print(
        f"RSS before {before:.1f} MB, after {after:.1f} MB (+{after - before:.1f} MB); "
        f"events held {held_events()}; {elapsed / args.invocations * 1e6:.1f} us per invocation"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
