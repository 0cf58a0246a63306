"""Benchmark: what SigV4 verification adds to a warm request through an AWS_IAM Function URL.

    .venv/bin/python tests/benchmarks/bench_sigv4.py [--seconds 5]

Prints (1) the cost of ``sigv4.verify`` alone, in-process, for a signed GET; (2) warm p50/p99 through the
same function behind a NONE URL and behind an AWS_IAM URL, one keep-alive connection, the AWS_IAM one
replaying one request signed with botocore (a signature stays valid for 5 minutes), and the difference;
(3) what checking the signature adds to every AWS API call: ``api_auth.authenticate`` alone, in-process,
for a botocore-signed ``GetFunction`` (the only work the check adds to that path), and that call's warm
p50 over HTTP for scale.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks.bench_function_url import deploy_api, get_request, local_kit, run_load  # noqa: E402


def signed_headers(url: str, region: str) -> dict[str, str]:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest

    request = AWSRequest(method="GET", url=url, headers={"User-Agent": "bench"})
    SigV4Auth(_credentials(), "lambda", region).add_auth(request)
    return {k: v for k, v in request.headers.items() if k.lower() in ("authorization", "x-amz-date")}


def _credentials():  # type: ignore[no-untyped-def]
    """The benchmark's local cloud's own credentials (botocore ``Credentials``)."""
    from botocore.credentials import Credentials

    from infra.local import control
    from infra.local.iam.credentials import load_or_create

    found = load_or_create(control.state_dir())
    return Credentials(found.access_key_id, found.secret_access_key)


def verify_alone(url: str, host: str, region: str, rounds: int = 20000) -> float:
    from infra.local.iam.sigv4 import Credential, verify

    headers = (("Host", host), ("User-Agent", "bench"), *signed_headers(url, region).items())
    keys = _credentials()
    credential = Credential(keys.access_key, keys.secret_key)
    now = datetime.now(UTC)
    started = time.perf_counter()
    for _ in range(rounds):
        verify(
            "GET",
            "/hello",
            "name=bench",
            headers,
            b"",
            lookup=lambda _: credential,
            service="lambda",
            region=region,
            now=now,
        )
    return (time.perf_counter() - started) / rounds * 1e6


def get_function_request(kit, name: str) -> tuple[bytes, object]:  # type: ignore[no-untyped-def]
    """A botocore-signed ``GetFunction``: the raw bytes to replay, and the same as an ``HttpRequest``."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest

    from infra.local.http.types import HttpRequest

    host = kit.endpoint.removeprefix("http://")
    path = f"/2015-03-31/functions/{name}"
    signed = AWSRequest(method="GET", url=f"{kit.endpoint}{path}", headers={"User-Agent": "bench"})
    SigV4Auth(_credentials(), "lambda", kit.region).add_auth(signed)
    headers = (("Host", host), *((k, v) for k, v in signed.headers.items()))
    raw = f"GET {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
    return raw.encode(), HttpRequest("GET", path, "", headers)


def authenticate_alone(request, rounds: int = 20000) -> float:  # type: ignore[no-untyped-def]
    from infra.local import control
    from infra.local.iam.api_auth import authenticate
    from infra.local.iam.credentials import load_or_create
    from infra.local.iam.identity import set_account_root

    set_account_root(load_or_create(control.state_dir()))
    assert authenticate(request)[0].is_root
    started = time.perf_counter()
    for _ in range(rounds):
        authenticate(request)
    return (time.perf_counter() - started) / rounds * 1e6


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    from infra.local import control

    kit = local_kit()
    try:
        hosts = {}
        for auth in ("NONE", "AWS_IAM"):
            url = deploy_api(kit, f"bench-{auth.lower().replace('_', '-')}", auth)
            hosts[auth] = (url, url.split("//")[1].rstrip("/"))
        port = int(kit.endpoint.rsplit(":", 1)[1])
        iam_url, iam_host = hosts["AWS_IAM"]
        print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
        print(
            f"sigv4.verify alone: {verify_alone(iam_url + 'hello?name=bench', iam_host, kit.region):.1f} us per request"
        )
        signature = "".join(
            f"{k}: {v}\r\n" for k, v in signed_headers(iam_url + "hello?name=bench", kit.region).items()
        )
        requests = {"NONE": get_request(hosts["NONE"][1]), "AWS_IAM": get_request(iam_host, signature)}
        results = {}
        for _ in range(2):  # interleave, twice, so drift hits both alike
            for auth, request in requests.items():
                results.setdefault(auth, []).append(run_load(port, request, 1, args.seconds))
        for auth, runs in results.items():
            assert all(r["errors"] == 0 for r in runs), f"{auth}: some requests were refused"
            p50 = statistics.median(r["p50_ms"] for r in runs)
            p99 = statistics.median(r["p99_ms"] for r in runs)
            print(f"warm GET via a {auth} URL, 1 connection: p50 {p50:.3f} ms, p99 {p99:.3f} ms")
        added = statistics.median(r["p50_ms"] for r in results["AWS_IAM"]) - statistics.median(
            r["p50_ms"] for r in results["NONE"]
        )
        print(f"AWS_IAM adds {added:.3f} ms to the warm p50 (signature check, identity and policy evaluation)")
        raw, parsed = get_function_request(kit, kit.name("bench-none"))
        print(f"api_auth.authenticate alone, a signed GetFunction: {authenticate_alone(parsed):.1f} us per call")
        calls = [run_load(port, raw, 1, args.seconds) for _ in range(2)]
        assert all(r["errors"] == 0 for r in calls), "GetFunction was refused"
        p50 = statistics.median(r["p50_ms"] for r in calls)
        print(f"warm GetFunction over HTTP, signed, 1 connection: p50 {p50:.3f} ms")
    finally:
        control.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
