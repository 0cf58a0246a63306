"""Benchmark: the local CloudFront edge in front of a Function URL.

Prints, for a warm GET of ``/hello`` on one keep-alive connection, p50/p99 latency direct to the URL and
through a distribution with CachingDisabled (every request goes to the function), then the ratio of the
two measured with the requests alternating on one connection (so that both see the same machine load);
then requests/s for cache hits (CachingOptimized) at 1 and 8 connections, and through Origin Access Control.

    .venv/bin/python tests/benchmarks/bench_cloudfront.py [--seconds 5]

It starts a local cloud of its own (temporary state directory) and stops it at the end; the load comes from
the separate raw-HTTP client processes of ``bench_function_url.py``, which share the 2 cores with the server.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks.bench_function_url import deploy_api, get_request, local_kit, run_load  # noqa: E402


def _distribution(kit: Any, suffix: str, url: str, **origin: Any) -> str:
    from infra import cloudfront

    cf = kit.client("cloudfront", "us-east-1")
    dist = cloudfront.ensure_distribution(cf, kit.name(suffix), cloudfront.Origin(url, **origin), tags=kit.tags)
    cloudfront.wait_deployed(cf, dist.id, delay=0.1)
    return dist.domain_name


def _send(sock: socket.socket, request: bytes) -> float:
    """One request and its whole (Content-Length) response on a keep-alive socket; the seconds it took."""
    t0 = time.perf_counter()
    sock.sendall(request)
    buffer = b""
    while b"\r\n\r\n" not in buffer:
        buffer += sock.recv(65536)
    head, _, rest = buffer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), head
    length = next(
        int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
    )
    while len(rest) < length:
        rest += sock.recv(65536)
    return time.perf_counter() - t0


def alternating(port: int, first: bytes, second: bytes, pairs: int) -> tuple[float, float]:
    """p50 (ms) of two requests sent in turn on one connection, so that both see the same machine load."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    a, b = [], []
    for _ in range(pairs):
        a.append(_send(sock, first))
        b.append(_send(sock, second))
    sock.close()
    return statistics.median(a) * 1000, statistics.median(b) * 1000


def _line(label: str, r: dict[str, Any]) -> str:
    return (
        f"{label}, {r['connections']} connection(s): p50 {r['p50_ms']:.2f} ms, p99 {r['p99_ms']:.2f} ms, "
        f"{r['rps']:.0f} req/s ({r['requests']} requests, {r['errors']} errors)"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    import httpx

    from infra import cloudfront
    from infra.kit import LocalCloudTransport
    from infra.local import control

    kit = local_kit()
    try:
        url = deploy_api(kit, "bench-api")
        url_host = url.split("//")[1].rstrip("/")
        uncached = _distribution(kit, "bench-uncached", url, cache_policy=cloudfront.CACHING_DISABLED)
        cached = _distribution(kit, "bench-cached", url, cache_policy=cloudfront.CACHING_OPTIMIZED)
        port = int(kit.endpoint.rsplit(":", 1)[1])
        with httpx.Client(transport=LocalCloudTransport(kit.endpoint)) as http:
            for host in (url_host, uncached, cached):
                for _ in range(200):  # warm the environment, the caches and the snapshots
                    assert http.get(f"https://{host}/hello?name=bench").status_code == 200

        print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
        direct = run_load(port, get_request(url_host), 1, args.seconds)
        edge = run_load(port, get_request(uncached), 1, args.seconds)
        print(_line("direct to the Function URL", direct))
        print(_line("through CloudFront, CachingDisabled", edge))
        pairs = int(args.seconds * 600)
        direct_p50, edge_p50 = alternating(port, get_request(url_host), get_request(uncached), pairs)
        ratio = edge_p50 / direct_p50
        print(
            f"alternating on one connection ({pairs} pairs): direct p50 {direct_p50:.3f} ms, "
            f"through the edge p50 {edge_p50:.3f} ms: {ratio:.2f}x (target <= 1.25x)"
        )
        hits = [run_load(port, get_request(cached), n, args.seconds) for n in (1, 8)]
        for r in hits:
            print(_line("cache hits, CachingOptimized", r))
        print(f"cache hits at 8 connections: {hits[1]['rps']:.0f} req/s (target >= 5,000)")

        lam = kit.client("lambda")
        oac = cloudfront.ensure_origin_access_control(kit.client("cloudfront", "us-east-1"), kit.name("bench-oac"))
        private = deploy_api(kit, "bench-private", auth_type="AWS_IAM")
        locked = _distribution(kit, "bench-oac-cdn", private, oac_id=oac.id)
        dist = cloudfront.find_distribution(kit.client("cloudfront", "us-east-1"), kit.name("bench-oac-cdn"))
        assert dist is not None
        cloudfront.grant_cloudfront(lam, kit.name("bench-private"), dist["ARN"])
        with httpx.Client(transport=LocalCloudTransport(kit.endpoint)) as http:
            for _ in range(200):
                assert http.get(f"https://{locked}/hello").status_code == 200
        signed = run_load(port, get_request(locked), 1, args.seconds)
        print(_line("through CloudFront with OAC (signed, AWS_IAM URL)", signed))
        print(
            json.dumps(
                {"direct": direct, "edge": edge, "ratio_p50": ratio, "hits": hits, "oac": signed},
                default=float,
            )
        )
    finally:
        control.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
