"""Benchmark: what HTTPS costs in the local cloud, against plain HTTP, side by side in one run.

Prints the time of a new connection (TCP connect, or TCP connect and TLS handshake with SNI, the certificate
checked against the learner's local CA: the listener's ClientHello peek, its SNI probe, its rehearsal and the
handshake), and a warm Function URL GET over keep-alive connections at 1 and 8 connections, over the TLS
port and the plain port, alternating in rounds.

    .venv/bin/python tests/benchmarks/bench_tls.py [--seconds 5] [--rounds 2] [--handshakes 200]

It starts a local cloud of its own (temporary state directory) and stops it at the end.
"""

from __future__ import annotations

import argparse
import os
import socket
import ssl
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench_function_url import deploy_api, get_request, local_kit, run_load


def connect_times(port: int, name: str | None, cafile: str, samples: int) -> list[float]:
    times = []
    context = ssl.create_default_context(cafile=cafile)
    for _ in range(samples):
        t0 = time.perf_counter()
        sock = socket.create_connection(("127.0.0.1", port))
        if name is not None:
            sock = context.wrap_socket(sock, server_hostname=name)
        times.append((time.perf_counter() - t0) * 1000)
        sock.close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--handshakes", type=int, default=200)
    args = parser.parse_args()
    import httpx

    from infra.kit import LocalCloudTransport
    from infra.local import control

    kit = local_kit()
    try:
        url = deploy_api(kit, "bench-tls")
        host = url.split("//")[1].rstrip("/")
        info = control.read_state()
        assert info is not None and info.tls_port
        cafile = str(control.ca_certificate())
        with httpx.Client(transport=LocalCloudTransport(kit.endpoint)) as http:
            for _ in range(100):  # warm up, over TLS (the certificate is issued on its first use)
                assert http.get(url + "hello").status_code == 200
        print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, {ssl.OPENSSL_VERSION}")
        tcp = connect_times(info.port, None, cafile, args.handshakes)
        tls = connect_times(info.tls_port, host, cafile, args.handshakes)
        print(
            f"new connection ({args.handshakes} each): TCP p50 {statistics.median(tcp):.2f} ms; "
            f"TCP + TLS handshake (RSA 2048, SNI {host.split('.')[0][:8]}...) p50 {statistics.median(tls):.2f} ms, "
            f"p99 {sorted(tls)[int(len(tls) * 0.99) - 1]:.2f} ms"
        )
        request = get_request(host)
        for round_ in range(1, args.rounds + 1):
            for connections in (1, 8):
                plain = run_load(info.port, request, connections, args.seconds)
                secure = run_load(info.tls_port, request, connections, args.seconds, tls=(host, cafile))
                print(
                    f"round {round_}, {connections} connection(s): HTTP {plain['rps']:.0f} req/s "
                    f"(p50 {plain['p50_ms']:.2f} ms), HTTPS {secure['rps']:.0f} req/s (p50 {secure['p50_ms']:.2f} ms), "
                    f"ratio {secure['rps'] / plain['rps']:.2f}; errors {plain['errors']}/{secure['errors']}"
                )
    finally:
        control.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
