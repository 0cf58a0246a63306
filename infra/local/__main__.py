"""``python -m infra.local serve|start|stop|status|env``: run or control the local cloud.

``env`` prints the ``AWS_*`` exports that point the AWS CLI or plain boto3 at the learner's local cloud with
the learner's own local credentials: ``eval "$(python -m infra.local env)"``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path

from . import control

#: OpenSSL reads its configuration once, when the process starts: ``serve`` re-executes itself with this one.
OPENSSL_CONF = str(Path(__file__).resolve().parent / "tls" / "openssl.cnf")


def _with_kit_openssl_conf() -> None:
    """Run again under the kit's OpenSSL configuration (the TLS 1.3 suite order, ``tls/openssl.cnf``) unless
    this process already has it; the pid stays the same (``exec``)."""
    if os.environ.get("OPENSSL_CONF") == OPENSSL_CONF or os.name != "posix":
        return
    env = {**os.environ, "OPENSSL_CONF": OPENSSL_CONF}
    os.execve(sys.executable, [sys.executable, "-m", "infra.local", *sys.argv[1:]], env)


def _serve(args: argparse.Namespace) -> int:
    _with_kit_openssl_conf()
    from .serve import run_server

    directory = Path(args.state_dir).resolve() if args.state_dir else control.state_dir()
    other = control.running(directory)
    if other is not None:
        print(
            f"A local cloud for {directory} is already running on port {other.port} (pid {other.pid}).\n"
            f"Stop it with: python -m infra.local stop",
            file=sys.stderr,
        )
        return 1
    port = args.port if args.port is not None else int(os.environ.get("KIT_LOCAL_PORT") or 0) or control.free_port()
    if os.name == "posix":
        os.umask(0o077)  # what the local cloud writes (logs, unpacked code) is the learner's alone
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    tls_port = args.tls_port if args.tls_port is not None else int(os.environ.get("KIT_LOCAL_TLS_PORT") or 0)

    def ready(bound: int, tls_bound: int) -> None:
        control.write_state(control.LocalCloudInfo(os.getpid(), bound, directory, tls_bound))
        print(
            f"local cloud listening on http://127.0.0.1:{bound} and https://127.0.0.1:{tls_bound} (state: {directory})",
            flush=True,
        )

    try:
        asyncio.run(
            run_server(
                port,
                directory,
                legacy_permissions=args.legacy_permissions,
                on_ready=ready,
                stop_with=args.stop_with,
                tls_port=tls_port,
            )
        )
    except OSError as exc:
        print(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}. Choose another port with --port.", file=sys.stderr)
        return 1
    finally:
        control.clear_state(directory, os.getpid())
    return 0


def _print_env() -> int:
    import shlex

    from .iam.credentials import load_or_create

    info = control.start()
    credentials = load_or_create(info.state_dir)
    from ..settings import DEFAULT_REGION

    region = os.environ.get("KIT_REGION") or DEFAULT_REGION
    exports = {
        "AWS_ACCESS_KEY_ID": credentials.access_key_id,
        "AWS_SECRET_ACCESS_KEY": credentials.secret_access_key,
        "AWS_ENDPOINT_URL": info.endpoint,
        "AWS_DEFAULT_REGION": region,
        "NO_PROXY": "127.0.0.1,localhost",
    }
    for name, value in exports.items():
        print(f"export {name}={shlex.quote(value)}")
    print("unset AWS_SESSION_TOKEN AWS_PROFILE")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.local", description="The kit's local cloud.")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the local cloud in the foreground")
    serve.add_argument("--port", type=int, default=None, help="loopback port (default: KIT_LOCAL_PORT or a free one)")
    serve.add_argument(
        "--tls-port", type=int, default=None, help="loopback TLS port (default: KIT_LOCAL_TLS_PORT or a free one)"
    )
    serve.add_argument(
        "--state-dir", default=None, help="state directory (default: KIT_STATE_DIR or ~/.lambda-url-kit)"
    )
    serve.add_argument(
        "--legacy-permissions",
        action="store_true",
        default=os.environ.get("KIT_LEGACY_URL_PERMISSIONS") == "1",
        help=(
            "accept NONE URLs with lambda:InvokeFunctionUrl alone, as accounts with Function URLs before October "
            "2025 did until AWS ended that exception on 2026-11-01 (history: AWS requires both permissions now)"
        ),
    )
    serve.add_argument(
        "--stop-with",
        type=int,
        default=None,
        metavar="PID",
        help="stop when process PID ends (on a JupyterHub: the learner's Jupyter server, which the hub may cull)",
    )
    start = sub.add_parser("start", help="start it in the background (or attach) and print its endpoint")
    start.add_argument("--port", type=int, default=None)
    sub.add_parser("stop", help="stop it")
    sub.add_parser("status", help="say whether it runs and where")
    sub.add_parser("env", help="print AWS_* exports for the AWS CLI or boto3 (starts the local cloud if needed)")
    args = parser.parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    if args.command == "start":
        info = control.start(args.port)
        print(info.endpoint)
        return 0
    if args.command == "stop":
        print("stopped" if control.stop() else "no local cloud was running")
        return 0
    if args.command == "env":
        return _print_env()
    info = control.running()
    print(f"running: {info.endpoint} (pid {info.pid})" if info else "not running")
    return 0 if info else 3


if __name__ == "__main__":
    sys.exit(main())
