"""Benchmark: how late each streamed line arrives, for 1 and 50 (or 200) concurrent counters through a URL.

    .venv/bin/python tests/benchmarks/bench_streaming.py                 # 35 lines, 1 s apart (the talk's counter)
    .venv/bin/python tests/benchmarks/bench_streaming.py --with-200      # 1, 50 and 200 concurrent streams
    .venv/bin/python tests/benchmarks/bench_streaming.py --to 5          # a quicker run

Each line of ``handlers/counter.py`` carries the wall-clock time the handler wrote it; the client notes when
it arrived. Prints, per concurrency: chunk lag (emit -> client) p50/p99, the first line's lag (first byte after
the handler's first yield) p50/p99, time to first byte from the request, and whether any line was lost,
duplicated or out of order. Before each measured round, a warm-up holds as many environments at once as
there are streams: that many concurrent counters of two lines ``hold`` seconds apart, so each keeps its
environment busy until all have started; the local cloud's ``/_kit/health`` (signed) must then count that
many environments, else the warm-up runs again (cold starts are measured by bench_function_url.py).
Each stream is a raw HTTP/1.1 connection (asyncio streams, chunked coding undone by hand), so the client's
own cost stays small next to the local cloud's on a 2-core machine; all streams of a round start at once.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks.bench_function_url import local_kit  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


async def _body_chunks(reader: asyncio.StreamReader, head: bytes) -> AsyncIterator[bytes]:
    """The response body as it arrives: chunked transfer coding undone, else raw bytes until EOF."""
    if b"transfer-encoding: chunked" not in head.lower():
        while data := await reader.read(65536):
            yield data
        return
    while size := int((await reader.readline()).split(b";")[0], 16):
        yield (await reader.readexactly(size + 2))[:-2]


async def one_stream(port: int, path: str, host: str, to: int) -> dict:
    """One counter over a raw HTTP/1.1 connection: each line's lag, and the time to the first body byte."""
    sent = time.time()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: bench\r\nConnection: close\r\n\r\n".encode())
    lags: list[float] = []
    counts: list[int] = []
    first_byte = None
    pending = b""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
        async for chunk in _body_chunks(reader, head):
            now = time.time()
            if first_byte is None:
                first_byte = now - sent
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                count, _, emitted = line.decode().split()
                counts.append(int(count))
                lags.append(now - float(emitted))
    finally:
        writer.close()
    return {"lags": lags, "counts": counts, "first_byte": first_byte, "ok": counts == list(range(1, to + 1))}


async def run(port: int, host: str, streams: int, to: int, interval: float) -> dict:
    path = f"/?to={to}&interval={interval}"
    results = await asyncio.gather(*(one_stream(port, path, host, to) for _ in range(streams)))
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
        "ttfb_p99_ms": percentile([r["first_byte"] for r in results], 0.99) * 1000,
        "all_in_order": all(r["ok"] for r in results),
    }


def environments(port: int) -> int:
    """How many execution environments the local cloud holds (its signed ``/_kit/health``)."""
    from infra.local import control

    health = control.identify(port, control.state_dir()) or {}
    return int(health.get("environments", 0))


def warm(port: int, host: str, streams: int, attempts: int = 3) -> int:
    """Hold ``streams`` environments at once (concurrent two-line counters); return how many exist after."""
    hold = min(10.0, 2.0 + 0.03 * streams)  # long enough for the last of them to start (max interval: 10 s)
    held = environments(port)
    for _ in range(attempts):
        if held >= streams:
            break
        asyncio.run(run(port, host, streams, 2, hold))
        held = environments(port)
    return held


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--to", type=int, default=35)
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--streams", type=int, nargs="*", default=[1, 50])
    parser.add_argument("--with-200", action="store_true", help="also 200 concurrent streams")
    args = parser.parse_args()
    if args.with_200 and 200 not in args.streams:
        args.streams.append(200)
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
            held = warm(port, host, streams)
            r = asyncio.run(run(port, host, streams, args.to, args.interval))
            print(
                f"{r['streams']:3d} concurrent stream(s) ({held} warm environments), {r['lines']} lines: "
                f"chunk lag p50 {r['lag_p50_ms']:.1f} ms, p99 {r['lag_p99_ms']:.1f} ms; first line lag p50 "
                f"{r['first_line_lag_p50_ms']:.1f} ms, p99 {r['first_line_lag_p99_ms']:.1f} ms; time to first "
                f"byte p50 {r['ttfb_p50_ms']:.1f} ms, p99 {r['ttfb_p99_ms']:.1f} ms; every line once and in "
                f"order: {r['all_in_order']}"
            )
    finally:
        control.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
