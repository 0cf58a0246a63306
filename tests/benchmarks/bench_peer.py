"""Benchmark: the kit's warm Function URL GET beside serverless-offline's, side by side in one run.

    .venv/bin/python tests/benchmarks/bench_peer.py [--seconds 5] [--rounds 2]

The peer is what a user would try: serverless-offline with its Function URL plugin
(serverless-offline-lambda-function-urls), installed from npm into ``~/.cache/lambda-url-kit/peer`` on
first use (serverless 3, which runs offline without an account). Both serve the same handler,
``handlers/hello.py``, declared with the same runtime (``python3.<this interpreter's minor>``); the peer
serves no Host-routed URLs, no AWS_IAM, no streaming. The kit also serves it as ``python3.12`` (the runtime
the notebooks deploy), where AWS's runtime interface client polls ``/next`` from a new thread for every
invocation, as it does on Lambda: that row shows what this faithfulness costs. The servers are measured in
alternating rounds (kit, peer, kit, peer, ...) at 1 and 8 keep-alive connections, so drift on a shared
machine hits all alike, and the ratio is printed, with the CPU each server's process tree spent per request
(the kit's: the local cloud and its execution environments; the peer's: node and its Python process).
Without ``npm`` or the registry, it says so in one line and measures the kit alone.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks.bench_function_url import get_request, local_kit, run_load  # noqa: E402

PEER_DIR = Path(os.environ.get("KIT_PEER_DIR") or Path.home() / ".cache" / "lambda-url-kit" / "peer")
PEER_PACKAGES = ["serverless@3.40.0", "serverless-offline@13.10.1", "serverless-offline-lambda-function-urls@1.0.3"]
SERVERLESS_YML = """service: kit-peer
frameworkVersion: "3"
provider:
  name: aws
  runtime: python{python}
  region: ap-northeast-2
plugins:
  - serverless-offline
  - serverless-offline-lambda-function-urls
custom:
  serverless-offline:
    urlLambdaFunctionsHttpPort: {url_port}
    httpPort: {http_port}
    lambdaPort: {lambda_port}
functions:
  hello:
    handler: hello.handler
    url: true
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def install_peer() -> str | None:
    """Install the peer once; ``None`` when it is ready, else why it cannot be."""
    if (PEER_DIR / "node_modules" / "serverless-offline-lambda-function-urls").is_dir():
        return None
    if shutil.which("npm") is None:
        return "npm is not installed"
    PEER_DIR.mkdir(parents=True, exist_ok=True)
    (PEER_DIR / "package.json").write_text('{"name": "kit-peer", "private": true}\n')
    done = subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", *PEER_PACKAGES],
        cwd=PEER_DIR,
        capture_output=True,
        text=True,
        timeout=900,
    )
    return None if done.returncode == 0 else f"npm install failed: {done.stderr.strip().splitlines()[-1:]}"


def start_peer() -> tuple[subprocess.Popen[bytes], int]:
    """Start serverless-offline serving ``handlers/hello.py``; return it and its Function URL port."""
    shutil.copy(ROOT / "handlers" / "hello.py", PEER_DIR / "hello.py")
    ports = {"url_port": _free_port(), "http_port": _free_port(), "lambda_port": _free_port()}
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    (PEER_DIR / "serverless.yml").write_text(SERVERLESS_YML.format(python=python, **ports))
    env = {**os.environ, "SLS_TELEMETRY_DISABLED": "1", "SLS_NOTIFICATIONS_MODE": "off", "SLS_DEPRECATION_DISABLE": "*"}
    process = subprocess.Popen(
        [str(PEER_DIR / "node_modules" / ".bin" / "serverless"), "offline", "start"],
        cwd=PEER_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", ports["url_port"]), timeout=1):
                return process, ports["url_port"]
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("serverless-offline did not start within 60 s")


def tree_cpu_seconds(root: int) -> float:
    """CPU time (user + system) spent so far by ``root`` and every live process below it (Linux ``/proc``)."""
    stats: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"))
    below, total, frontier = {root}, 0.0, [root]
    while frontier:
        parent = frontier.pop()
        total += stats.get(parent, (0, 0.0))[1]
        for pid, (ppid, _) in stats.items():
            if ppid == parent and pid not in below:
                below.add(pid)
                frontier.append(pid)
    return total


def deploy_hello(kit, runtime: str) -> str:  # type: ignore[no-untyped-def]
    """``handlers/hello.py`` behind a public URL of the kit, on ``runtime``; its host."""
    from infra import deploy, packaging

    lam, iam = kit.client("lambda"), kit.client("iam")
    role = deploy.ensure_execution_role(iam, kit.name("peer-role"), tags=kit.tags)
    name = kit.name(f"peer-hello-{runtime.replace('.', '')}")
    deploy.ensure_function(
        lam,
        name,
        role_arn=role.arn,
        zip_bytes=packaging.build_zip("hello"),
        handler="hello.handler",
        runtime=runtime,
    )
    url = deploy.ensure_function_url(lam, name).url
    deploy.ensure_public_url_permissions(lam, name)
    return url.split("//")[1].rstrip("/")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    from infra.local import control

    why_not = install_peer()
    peer = None
    kit = local_kit()
    try:
        from infra.local.control import read_state, state_dir

        cloud = read_state(state_dir())
        assert cloud is not None
        port = int(kit.endpoint.rsplit(":", 1)[1])
        same = f"python{sys.version_info.major}.{sys.version_info.minor}"
        sides = {f"kit ({same})": (port, get_request(deploy_hello(kit, same)), cloud.pid)}
        if same != "python3.12":
            sides["kit (python3.12)"] = (port, get_request(deploy_hello(kit, "python3.12")), cloud.pid)
        if why_not is None:
            peer, peer_port = start_peer()
            request = b"GET /dev/hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            sides["serverless-offline"] = (peer_port, request, peer.pid)
        else:
            print(f"peer skipped: {why_not}")
        for port, request, _ in sides.values():  # warm every side, with as many environments as connections
            run_load(port, request, 8, 1)
        print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
        results: dict[tuple[str, int], list[dict[str, float]]] = {}
        for _ in range(args.rounds):
            for connections in (1, 8):
                for name, (port, request, pid) in sides.items():
                    before = tree_cpu_seconds(pid)
                    run = run_load(port, request, connections, args.seconds)
                    run["cpu_us"] = (tree_cpu_seconds(pid) - before) / max(1, run["requests"]) * 1e6
                    results.setdefault((name, connections), []).append(run)
        for (name, connections), runs in results.items():
            rps = [r["rps"] for r in runs]
            p50 = statistics.median(r["p50_ms"] for r in runs)
            cpu = statistics.median(r["cpu_us"] for r in runs)
            errors = sum(r["errors"] for r in runs)
            print(
                f"{name}, {connections} connection(s): {min(rps):,.0f}-{max(rps):,.0f} req/s, "
                f"p50 {p50:.2f} ms, CPU {cpu:,.0f} us/request, errors {errors}"
            )
        if peer is not None:
            for connections in (1, 8):
                peer_rps = statistics.median(r["rps"] for r in results[("serverless-offline", connections)])
                for name in sides:
                    if name.startswith("kit"):
                        kit_rps = statistics.median(r["rps"] for r in results[(name, connections)])
                        print(f"{name} / serverless-offline at {connections} connection(s): {kit_rps / peer_rps:.2f}x")
    finally:
        if peer is not None:
            peer.terminate()
            peer.wait(10)
        control.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
