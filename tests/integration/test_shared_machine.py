"""A class on one machine: another Unix user gets nothing from a learner's local cloud.

Runs where it can prove it (Linux, as root, as CI runs): it creates a second Unix user and runs, as that
user, a script that tries what an attacker would: call the AWS API, read the health check, stop the
cloud, take or answer an invocation on an execution environment's Runtime API, read the state folder
(credentials, unpacked code). And a server that user listens with on a port left in a stale state file is
never taken for the learner's cloud: not one byte is sent to it.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from infra.local import control
from infra.local.http import peers

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not (peers.supported() and hasattr(os, "getuid") and os.getuid() == 0 and shutil.which("useradd")),
        reason="needs Linux, root and useradd to create a second Unix user",
    ),
]
INTRUDER = "kitintruder"
# The intruder's interpreter: the system's (the kit's may live under a home the intruder cannot enter).
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable

ATTACK = textwrap.dedent(
    """
    import json, os, socket, sys
    cloud_port, runtime, state_dir, pid = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
    results = {}

    def ask(port, raw):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                sock.sendall(raw)
                return sock.recv(65536).decode("latin-1")
        except OSError as error:
            return type(error).__name__

    signed_with_the_old_constants = (
        "GET /2015-03-31/functions/ HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nX-Amz-Date: 20260101T000000Z\\r\\n"
        "Authorization: AWS4-HMAC-SHA256 Credential=AKIAKITLOCAL00000000/20260101/us-east-1/lambda/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=00\\r\\n\\r\\n"
    ).encode()
    results["aws_api"] = ask(cloud_port, signed_with_the_old_constants)
    results["health"] = ask(cloud_port, b"GET /_kit/health HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n")
    results["shutdown"] = ask(
        cloud_port, b"POST /_kit/shutdown HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 0\\r\\n\\r\\n"
    )
    runtime_host, runtime_port = runtime.rsplit(":", 1)
    results["take_invocation"] = ask(
        int(runtime_port), b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n"
    )
    results["answer_invocation"] = ask(
        int(runtime_port),
        b"POST /2018-06-01/runtime/invocation/x/response HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 2\\r\\n\\r\\n{}",
    )
    for name, path in (("list_state", state_dir), ("read_credentials", os.path.join(state_dir, "credentials.json")),
                       ("list_code", os.path.join(state_dir, "code"))):
        try:
            os.listdir(path) if name.startswith("list") else open(path).read()
            results[name] = "read"
        except OSError as error:
            results[name] = type(error).__name__
    try:
        os.kill(pid, 0)
        results["signal"] = "sent"
    except OSError as error:
        results["signal"] = type(error).__name__
    print(json.dumps(results))
    """
)

LISTEN = textwrap.dedent(
    """
    import socket, sys, time
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.settimeout(float(sys.argv[1]))
    print(sock.getsockname()[1], flush=True)
    received = 0
    try:
        while True:
            conn, _ = sock.accept()
            received += 1
            conn.close()
    except OSError:
        pass
    print(received, flush=True)
    """
)


@pytest.fixture(scope="module")
def intruder() -> pwd.struct_passwd:
    created = False
    try:
        user = pwd.getpwnam(INTRUDER)
    except KeyError:
        subprocess.run(["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", INTRUDER], check=True)
        created = True
        user = pwd.getpwnam(INTRUDER)
    yield user
    if created:
        subprocess.run(["userdel", INTRUDER], check=False)


def _as(user: pwd.struct_passwd):  # type: ignore[no-untyped-def]
    def drop() -> None:
        os.setgroups([])
        os.setgid(user.pw_gid)
        os.setuid(user.pw_uid)

    return drop


RUNTIME_API = """
import os

def handler(event, context):
    return {"runtime": os.environ["AWS_LAMBDA_RUNTIME_API"]}
"""


def test_another_unix_user_gets_nothing(intruder: pwd.struct_passwd, deploy, aws, endpoint: str) -> None:
    function = deploy(RUNTIME_API, url=False)
    runtime = json.loads(aws("lambda").invoke(FunctionName=function.name)["Payload"].read())["runtime"]
    info = control.running()
    assert info is not None
    attack = subprocess.run(
        [PYTHON, "-c", ATTACK, str(info.port), runtime, str(info.state_dir), str(info.pid)],
        preexec_fn=_as(intruder),
        capture_output=True,
        text=True,
        timeout=60,
        cwd="/",
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
    )
    assert attack.returncode == 0, attack.stderr
    results = json.loads(attack.stdout)
    for what in ("aws_api", "health", "shutdown", "take_invocation", "answer_invocation"):
        assert results[what] in ("", "ConnectionResetError", "BrokenPipeError"), (what, results[what])
    assert results["list_state"] == results["read_credentials"] == results["list_code"] == "PermissionError"
    assert results["signal"] == "PermissionError"
    # The learner's cloud and environment carry on.
    assert control.running() == info
    again = json.loads(aws("lambda").invoke(FunctionName=function.name)["Payload"].read())
    assert again == {"runtime": runtime}


def test_a_server_another_user_listens_with_on_a_stale_port_is_never_sent_a_byte(
    intruder: pwd.struct_passwd, tmp_path: Path
) -> None:
    listener = subprocess.Popen(
        [PYTHON, "-c", LISTEN, "5"],
        preexec_fn=_as(intruder),
        stdout=subprocess.PIPE,
        text=True,
        cwd="/",
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
    )
    assert listener.stdout is not None
    port = int(listener.stdout.readline())
    directory = (tmp_path / "learner-after-a-crash").resolve()
    control.write_state(control.LocalCloudInfo(4242, port, directory))  # what an unclean stop leaves behind
    started = time.monotonic()
    assert control.running(directory) is None
    assert control.stop(directory) is False  # not "stopped": nothing of ours ran there
    received = int(listener.stdout.readline())
    listener.wait(10)
    assert received == 0
    assert time.monotonic() - started < 30
