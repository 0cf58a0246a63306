"""Benchmark: how late each streamed line arrives, for 1 and 50 concurrent counters through a Function URL.

    .venv/bin/python tests/benchmarks/bench_streaming.py            # 35 lines, 1 s apart (the talk's counter)
    .venv/bin/python tests/benchmarks/bench_streaming.py --to 5     # a quicker run

Each line of ``handlers/counter.py`` carries the wall-clock time the handler wrote it; the client notes when
it arrived. Prints, per concurrency: chunk lag (emit -> client) p50/p99, the first line's lag (first byte after
the handler's first yield) p50/p99, time to first byte from the request, and whether any line was lost,
duplicated or out of order. Before each measured round, one short round warms as many environments as
there are streams (cold starts are measured by bench_function_url.py).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks.bench_function_url import local_kit  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


async def one_stream(client, path: str, host: str, to: int) -> dict:  # type: ignore[no-untyped-def]
    sent = time.time()
    lags, counts, first_byte = [], [], None
    pending = b""
    async with client.stream("GET", path, headers={"Host": host}) as response:
        async for chunk in response.aiter_raw():
            now = time.time()
            if first_byte is None:
                first_byte = now - sent
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                count, _, emitted = line.decode().split()
                counts.append(int(count))
                lags.append(now - float(emitted))
    return {"lags": lags, "counts": counts, "first_byte": first_byte, "ok": counts == list(range(1, to + 1))}


async def run(port: int, host: str, streams: int, to: int, interval: float) -> dict:
    import httpx

    limits = httpx.Limits(max_connections=streams + 5)
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", timeout=to * interval + 60, limits=limits
    ) as client:
        path = f"/?to={to}&interval={interval}"
        results = await asyncio.gather(*(one_stream(client, path, host, to) for _ in range(streams)))
    lags = [lag for r in results for lag in r["lags"]]
    first_lines = [r["lags"][0] for r in results if r["lags"]]
    return {
        "streams": streams,
        "lines": len(lags),
        "lag_p50_ms": statistics.median(lags) * 1000,
        "lag_p99_ms": percentile(lags, 0.99) * 1000,
        "first_line_lag_p50_ms": statistics.median(first_lines) * 1000,
        "first_line_lag_p99_ms": percentile(first_lines, 0.99) * 1000,
        "ttfb_p50_ms": statistics.median(r["first_byte"] for r in results) * 1000,
        "all_in_order": all(r["ok"] for r in results),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--to", type=int, default=35)
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--streams", type=int, nargs="*", default=[1, 50])
    args = parser.parse_args()
    from infra import deploy, packaging
    from infra.local import control

    kit = local_kit()
    try:
        lam, iam = kit.client("lambda"), kit.client("iam")
        role = deploy.ensure_execution_role(iam, kit.name("bench-role"), tags=kit.tags)
        name = kit.name("bench-counter")
        deploy.ensure_function(
            lam,
            name,
            role_arn=role.arn,
            zip_bytes=packaging.build_streaming_zip("counter"),
            handler="counter.handler",
            timeout=120,
            environment=packaging.STREAMING_ENVIRONMENT,
        )
        url = deploy.ensure_function_url(lam, name, invoke_mode="RESPONSE_STREAM").url
        deploy.ensure_public_url_permissions(lam, name)
        host = url.split("//")[1].rstrip("/")
        port = int(kit.endpoint.rsplit(":", 1)[1])
        print(f"counter: {args.to} lines, {args.interval} s apart, through a RESPONSE_STREAM Function URL")
        for streams in args.streams:
            asyncio.run(run(port, host, streams, 1, 0))  # warm: as many environments as streams
            r = asyncio.run(run(port, host, streams, args.to, args.interval))
            print(
                f"{r['streams']:3d} concurrent stream(s), {r['lines']} lines: chunk lag p50 {r['lag_p50_ms']:.1f} ms, "
                f"p99 {r['lag_p99_ms']:.1f} ms; first line lag p50 {r['first_line_lag_p50_ms']:.1f} ms, "
                f"p99 {r['first_line_lag_p99_ms']:.1f} ms; time to first byte p50 {r['ttfb_p50_ms']:.1f} ms; "
                f"every line once and in order: {r['all_in_order']}"
            )
    finally:
        control.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
