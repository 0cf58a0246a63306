"""Benchmark: a GET through a Function URL of the local cloud, warm and cold.

Prints warm p50/p99 latency and requests/s at 1 and 8 keep-alive connections, and the cold-start time
(first request after a configuration change: a new execution environment, INIT included).

    .venv/bin/python tests/benchmarks/bench_function_url.py [--seconds 5]
    .venv/bin/python tests/benchmarks/bench_function_url.py --functions 100   # also: 100 functions in rotation

With ``--functions N`` it also deploys N functions and the load clients call them in turn (each request
the next function's URL), after one warm-up round: whether every function keeps its environment warm, and
how many cold starts the pool counted during the load (its signed ``/_kit/health``).

It starts a local cloud of its own (temporary state directory) and stops it at the end. The load comes
from separate client processes speaking raw HTTP/1.1 over keep-alive sockets, so the client's own cost
stays small; on a 2-core machine the clients still share the CPU with the server and the environments.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def get_request(host: str, extra_headers: str = "") -> bytes:
    """The raw GET the load clients send again and again over one keep-alive connection."""
    return f"GET /hello?name=bench HTTP/1.1\r\nHost: {host}\r\nUser-Agent: bench\r\n{extra_headers}\r\n".encode()


def _client(
    port: int,
    requests: list[bytes],
    seconds: float,
    start_at: float,
    queue: mp.Queue,
    turn: int = 0,
    tls: tuple[str, str] | None = None,
) -> None:
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if tls is not None:  # (server name, CA file): the local cloud's TLS port
        import ssl

        sock = ssl.create_default_context(cafile=tls[1]).wrap_socket(sock, server_hostname=tls[0])
    latencies: list[float] = []
    errors = 0
    while time.time() < start_at:
        time.sleep(0.001)
    end = start_at + seconds
    buffer = b""
    while time.time() < end:
        t0 = time.perf_counter()
        sock.sendall(requests[turn % len(requests)])
        turn += 1
        while b"\r\n\r\n" not in buffer:
            buffer += sock.recv(65536)
        head, _, rest = buffer.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(rest) < length:
            rest += sock.recv(65536)
        buffer = rest[length:]
        latencies.append(time.perf_counter() - t0)
        if not head.startswith(b"HTTP/1.1 200"):
            errors += 1
    sock.close()
    queue.put((latencies, errors))


def run_load(
    port: int,
    request: bytes | list[bytes],
    connections: int,
    seconds: float,
    tls: tuple[str, str] | None = None,
) -> dict[str, float]:
    queue: mp.Queue = mp.Queue()
    start_at = time.time() + 0.5
    requests = request if isinstance(request, list) else [request]
    procs = [  # each connection starts at its own place in the rotation, so they rarely call one function at once
        mp.Process(
            target=_client, args=(port, requests, seconds, start_at, queue, n * len(requests) // connections, tls)
        )
        for n in range(connections)
    ]
    for proc in procs:
        proc.start()
    latencies: list[float] = []
    errors = 0
    for _ in procs:
        lat, err = queue.get(timeout=seconds + 60)
        latencies += lat
        errors += err
    for proc in procs:
        proc.join()
    latencies.sort()
    return {
        "connections": connections,
        "requests": len(latencies),
        "errors": errors,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "rps": len(latencies) / seconds,
    }


def local_kit() -> Any:
    """A kit connected to a fresh local cloud of the benchmark's own (stop it with ``control.stop()``)."""
    os.environ["KIT_STATE_DIR"] = tempfile.mkdtemp(prefix="kit-bench-")
    os.environ["KIT_MODE"] = "local"
    import infra

    return infra.connect()


def deploy_api(kit: Any, suffix: str, auth_type: str = "NONE") -> str:
    """Deploy ``handlers/api.py`` as ``<learner>-<suffix>`` behind a URL of ``auth_type``; return the URL."""
    from infra import deploy, packaging

    lam, iam = kit.client("lambda"), kit.client("iam")
    role = deploy.ensure_execution_role(iam, kit.name("bench-role"), tags=kit.tags)
    name = kit.name(suffix)
    deploy.ensure_function(lam, name, role_arn=role.arn, zip_bytes=packaging.build_zip("api"), handler="api.handler")
    url = deploy.ensure_function_url(lam, name, auth_type=auth_type).url
    if auth_type == "NONE":
        deploy.ensure_public_url_permissions(lam, name)
    return url


def rotation(kit: Any, functions: int, seconds: float) -> None:
    """Load over ``functions`` functions in turn; print the figures and the cold starts counted meanwhile."""
    from infra.local import control

    port = int(kit.endpoint.rsplit(":", 1)[1])
    hosts = [deploy_api(kit, f"bench-many-{n}").split("//")[1].rstrip("/") for n in range(functions)]
    requests = [get_request(host) for host in hosts]
    run_load(port, requests, 1, max(1.0, functions * 0.2))  # first round: one cold start each
    before = control.identify(port, control.state_dir()) or {}
    for connections in (1, 8):
        r = run_load(port, requests, connections, seconds)
        print(
            f"{functions} functions in rotation, {connections} connection(s): p50 {r['p50_ms']:.2f} ms, "
            f"p99 {r['p99_ms']:.2f} ms, {r['rps']:.0f} req/s ({r['requests']} requests, {r['errors']} errors)"
        )
    after = control.identify(port, control.state_dir()) or {}
    print(
        f"environments {after.get('environments')} (limit {after.get('max_environments')}, from "
        f"{after.get('max_environments_source')}); cold starts during the load: "
        f"{after.get('cold', 0) - before.get('cold', 0)}; retired: {after.get('retired', 0) - before.get('retired', 0)}"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--cold-samples", type=int, default=10)
    parser.add_argument("--functions", type=int, default=0, help="also load N functions in rotation")
    args = parser.parse_args()
    import httpx

    from infra.kit import LocalCloudTransport
    from infra.local import control

    kit = local_kit()
    try:
        lam = kit.client("lambda")
        url = deploy_api(kit, "bench-api")
        name = kit.name("bench-api")
        host = url.split("//")[1].rstrip("/")
        port = int(kit.endpoint.rsplit(":", 1)[1])

        colds = []
        with httpx.Client(transport=LocalCloudTransport(kit.endpoint)) as http:
            for i in range(args.cold_samples):
                lam.update_function_configuration(FunctionName=name, Environment={"Variables": {"SAMPLE": str(i)}})
                t0 = time.perf_counter()
                response = http.get(url + "hello")
                colds.append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200, response.text
            for _ in range(200):  # warm up
                http.get(url + "hello")
        print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
        print(
            f"cold start (first request after a configuration change, {len(colds)} samples): "
            f"median {statistics.median(colds):.1f} ms, max {max(colds):.1f} ms"
        )
        results = [run_load(port, get_request(host), n, args.seconds) for n in (1, 8)]
        for r in results:
            print(
                f"warm GET via Function URL, {r['connections']} connection(s): p50 {r['p50_ms']:.2f} ms, "
                f"p99 {r['p99_ms']:.2f} ms, {r['rps']:.0f} req/s ({r['requests']} requests, {r['errors']} errors)"
            )
        print(json.dumps({"cold_median_ms": statistics.median(colds), "load": results}))
        if args.functions:
            rotation(kit, args.functions, args.seconds)
    finally:
        control.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
