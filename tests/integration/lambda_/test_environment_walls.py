"""An execution environment's walls, through boto3 against a real local cloud: memory, exit reasons, /tmp,
processes that end with the environment, freezing, logs, and a Runtime API only its own processes reach."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.local_cloud import create_python_function, wait_until_active, zip_source

Deploy = Callable[..., str]


@pytest.fixture
def function(aws, role_arn: str) -> Iterator[Deploy]:
    """``make(source, **config)``: a Python function from ``source``; deleted afterwards."""
    lam = aws("lambda")
    created: list[str] = []

    def make(source: str, **config: Any) -> str:
        name = f"walls-{uuid.uuid4().hex[:10]}"
        create_python_function(lam, name, role_arn, zip_source(source), **{"Timeout": 30, **config})
        created.append(name)
        return name

    yield make
    for name in created:
        with contextlib.suppress(lam.exceptions.ResourceNotFoundException):
            lam.delete_function(FunctionName=name)


def invoke(lam: Any, name: str, event: dict | None = None) -> tuple[dict, Any, str]:
    response = lam.invoke(FunctionName=name, Payload=json.dumps(event or {}).encode(), LogType="Tail")
    return response, json.loads(response["Payload"].read() or b"null"), base64.b64decode(response["LogResult"]).decode()


def report_field(log: str, field: str) -> int:
    report = next(line for line in log.splitlines() if line.startswith("REPORT "))
    return int(report.split(f"{field}: ", 1)[1].split(" ", 1)[0])


def wait_until(predicate: Callable[[], bool], seconds: float = 15.0) -> bool:
    """Poll ``predicate`` (a generous deadline: the machine may be loaded; no timing is asserted)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def process_state(pid: int) -> str | None:
    """The state letter of ``pid`` (``T`` stopped, ``Z`` zombie), or None if it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return None


def gone(pid: int) -> bool:
    return process_state(pid) in (None, "Z", "X")


linux_only = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="the walls need Linux's /proc")

# --- 1. MemorySize ------------------------------------------------------------------------------------

GREEDY = """
import subprocess, sys

def handler(event, context):
    if event.get("child"):
        # the memory is a child's: the environment, not the runtime, is over the limit
        code = "x = [b'x' * (1 << 20) for _ in range(400)]; import time; time.sleep(60)"
        subprocess.run([sys.executable, "-c", code])
    hoard = [b"x" * (1 << 20) for _ in range(event.get("mb", 400))]
    return len(hoard)
"""


@linux_only
@pytest.mark.parametrize("child", [False, True], ids=["runtime", "child-process"])
def test_past_memory_size_the_environment_is_killed_out_of_memory(function, aws, child: bool) -> None:
    name = function(GREEDY, MemorySize=128)
    response, body, log = invoke(aws("lambda"), name, {"child": child})
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.OutOfMemory"
    assert body["errorMessage"].endswith(" Error: Runtime exited with error: signal: killed")
    assert report_field(log, "Max Memory Used") == 128
    assert "Runtime.OutOfMemory" in log.splitlines()


HOLDER = """
import subprocess, sys
children = []

def handler(event, context):
    code = "import sys; x = b'x' * (80 << 20); print('ready', flush=True); sys.stdin.read()"
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stdin=subprocess.PIPE)
    child.stdout.readline()
    children.append(child)
    return child.pid
"""


@linux_only
def test_max_memory_used_counts_every_process_of_the_environment(function, aws) -> None:
    name = function(HOLDER, MemorySize=512)
    response, _, log = invoke(aws("lambda"), name)
    assert "FunctionError" not in response
    assert report_field(log, "Max Memory Used") >= 80 + 10  # the child's 80 MB and the runtime's own


# --- 2. exit reasons ----------------------------------------------------------------------------------

EXITER = """
import os, signal

def handler(event, context):
    if "signal" in event:
        os.kill(os.getpid(), getattr(signal, event["signal"]))
    os._exit(event["status"])
"""


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        ({"signal": "SIGSEGV"}, "Runtime exited with error: signal: segmentation fault"),
        ({"signal": "SIGTERM"}, "Runtime exited with error: signal: terminated"),
        ({"signal": "SIGKILL"}, "Runtime exited with error: signal: killed"),
        ({"status": 3}, "Runtime exited with error: exit status 3"),
        ({"status": 0}, "Runtime exited without providing a reason"),
    ],
)
def test_exit_reasons_are_the_platforms(function, aws, event: dict, reason: str) -> None:
    name = function(EXITER)
    _, body, log = invoke(aws("lambda"), name, event)
    assert body["errorType"] == "Runtime.ExitError"
    assert body["errorMessage"].endswith(f" Error: {reason}")
    assert any(line.endswith(f"Error: {reason}") for line in log.splitlines())


# --- 3. /tmp -------------------------------------------------------------------------------------------

TMP = """
import errno, os, tempfile

def handler(event, context):
    seen = sorted(os.listdir("/tmp"))
    with open(f"/tmp/{event['mark']}", "w") as f:
        f.write("x")
    written, error = 0, None
    if event.get("fill_mb"):
        try:
            with open("/tmp/fill", "wb") as f:
                block = b"x" * (1 << 20)
                for _ in range(event["fill_mb"]):
                    f.write(block)
                    f.flush()
                    written += 1
        except OSError as exc:
            error = errno.errorcode.get(exc.errno)
        os.remove("/tmp/fill")
    return {
        "seen": seen, "written_mb": written, "error": error, "home": os.environ.get("HOME"),
        "tmpdir": tempfile.gettempdir(),
        "aws_config": [os.path.exists(os.environ[k]) for k in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")],
        "proxies": [k for k in os.environ if k.lower().endswith("_proxy")],
        "sandbox": os.environ.get("KIT_SANDBOX_TMP"),
    }
"""


@linux_only
def test_each_environment_has_its_own_tmp_of_ephemeral_storage_size(function, aws) -> None:
    lam = aws("lambda")
    first, second = function(TMP, EphemeralStorage={"Size": 512}), function(TMP)
    mark = f"mark-{uuid.uuid4().hex}"
    _, body, _ = invoke(lam, first, {"fill_mb": 600, "mark": mark})
    if body["sandbox"] != "tmpfs":
        pytest.skip("no mount namespace here: /tmp is the machine's (stated as Not emulated)")
    assert body["error"] == "ENOSPC" and 500 <= body["written_mb"] < 512
    assert mark not in body["seen"]
    assert body["home"] == "/home/sbx_user1051" and body["tmpdir"] == "/tmp"
    assert body["aws_config"] == [False, False] and body["proxies"] == []
    _, other, _ = invoke(lam, second, {"mark": "other"})
    assert mark not in other["seen"]  # another function's environment: its own /tmp
    _, again, _ = invoke(lam, first, {"mark": "again"})
    assert mark in again["seen"]  # the same (warm) environment keeps its /tmp
    assert not Path(f"/tmp/{mark}").exists()
    lam.update_function_configuration(FunctionName=first, MemorySize=256)  # a new revision
    _, fresh, _ = invoke(lam, first, {"mark": "fresh"})
    assert mark not in fresh["seen"]  # gone with the retired environment


# --- 4. every process ends with its environment --------------------------------------------------------

SPAWNER = """
import os, subprocess, time

def handler(event, context):
    if event.get("sleep"):
        time.sleep(event["sleep"])
    # a double-forked setsid sleeper: its parent (sh) exits at once, it is nobody's child but ours
    out = subprocess.run(["sh", "-c", "setsid sleep 1000 >/dev/null 2>&1 & echo $!"], capture_output=True, text=True)
    pid = int(out.stdout)
    print(f"sleeper {pid}", flush=True)
    if event.get("crash"):
        os._exit(1)
    return pid
"""


def _sleeper(log: str) -> int:
    return int(next(line for line in log.splitlines() if line.startswith("sleeper ")).split()[1])


@linux_only
def test_a_setsid_child_ends_with_its_environment_on_timeout_crash_and_retirement(function, aws) -> None:
    lam = aws("lambda")
    name = function(SPAWNER, Timeout=2)
    _, _, log = invoke(lam, name)
    timed_out = _sleeper(log)
    _, body, _ = invoke(lam, name, {"sleep": 5})
    assert body["errorType"] == "Sandbox.Timedout"
    assert wait_until(lambda: gone(timed_out)), "the sleeper outlived a timed-out environment"

    _, body, log = invoke(lam, name, {"crash": True})
    assert body["errorType"] == "Runtime.ExitError"
    assert wait_until(lambda: gone(_sleeper(log))), "the sleeper outlived a crashed environment"

    _, _, log = invoke(lam, name)
    retired = _sleeper(log)
    lam.update_function_configuration(FunctionName=name, Timeout=3)  # retires the old environment
    invoke(lam, name)
    assert wait_until(lambda: gone(retired)), "the sleeper outlived a retired environment"


@linux_only
def test_python_m_infra_local_stop_ends_every_process_of_every_environment(tmp_path: Path) -> None:
    env = {**os.environ, "KIT_STATE_DIR": str(tmp_path)}
    try:
        lam, role_arn = _own_cloud(tmp_path)
        create_python_function(lam, "spawner", role_arn, zip_source(SPAWNER))
        _, _, log = invoke(lam, "spawner")
        sleeper = _sleeper(log)
        assert not gone(sleeper)
    finally:
        stopped = subprocess.run(
            [sys.executable, "-m", "infra.local", "stop"], env=env, capture_output=True, text=True, timeout=60
        )
    assert stopped.stdout.strip() == "stopped"
    assert wait_until(lambda: gone(sleeper)), "the sleeper outlived the local cloud"


# --- 5. frozen between invocations ---------------------------------------------------------------------

TICKER = """
import os, tempfile, threading, time
path = os.path.join(tempfile.gettempdir(), "ticks")

def tick():
    n = 0
    while True:
        n += 1
        with open(path, "w") as f:
            f.write(str(n))
        time.sleep(0.01)

def handler(event, context):
    if not any(t.name == "ticker" for t in threading.enumerate()):
        threading.Thread(target=tick, name="ticker", daemon=True).start()
    time.sleep(0.1)
    for _ in range(200):  # on a loaded machine the thread may not have written yet
        if os.path.exists(path) and open(path).read():
            break
        time.sleep(0.01)
    return {"pid": os.getpid(), "path": path, "ticks": int(open(path).read())}
"""


@linux_only
def test_an_environment_is_frozen_between_invocations(function, aws) -> None:
    lam = aws("lambda")
    name = function(TICKER)
    _, first, _ = invoke(lam, name)
    pid = first["pid"]
    ticks = Path(f"/proc/{pid}/root{first['path']}")  # the file as the environment sees it
    assert wait_until(lambda: process_state(pid) == "T"), "the environment was not frozen"
    before = ticks.read_text()
    time.sleep(0.5)
    assert ticks.read_text() == before  # its thread did not run
    _, second, _ = invoke(lam, name)
    assert second["pid"] == pid and second["ticks"] > int(before)  # thawed: it runs again


# --- 6. logs -------------------------------------------------------------------------------------------

LOUD = """
import sys

def handler(event, context):
    if event.get("line_mb"):
        sys.stdout.write("x" * (event["line_mb"] << 20) + "\\n")
    for i in range(event.get("lines", 0)):
        sys.stdout.write(f"line {i} " + "y" * 1000 + "\\n")
    sys.stdout.flush()
    return "done"
"""


def _events(logs: Any, group: str) -> list[str]:
    messages: list[str] = []
    for stream in logs.describe_log_streams(logGroupName=group)["logStreams"]:
        kwargs: dict[str, Any] = {"logGroupName": group, "logStreamName": stream["logStreamName"]}
        kwargs["startFromHead"] = True
        while True:
            page = logs.get_log_events(**kwargs)
            messages += [event["message"] for event in page["events"]]
            if not page["events"]:
                break
            kwargs["nextToken"] = page["nextForwardToken"]
    return messages


def test_a_30_mb_line_becomes_capped_events_and_a_truncation_marker(function, aws) -> None:
    from infra.local.lambda_.log_lines import INVOCATION_LOG_CAP, MAX_EVENT_BYTES

    name = function(LOUD)
    response, body, log = invoke(aws("lambda"), name, {"line_mb": 30})
    assert body == "done" and "FunctionError" not in response
    assert log.rstrip().splitlines()[-1].startswith("REPORT ")
    messages = _events(aws("logs"), f"/aws/lambda/{name}")
    long = [m for m in messages if m.startswith("x")]
    assert long and all(len(m) <= MAX_EVENT_BYTES for m in long)
    assert sum(map(len, long)) <= INVOCATION_LOG_CAP
    assert any("bytes of this invocation's log output were dropped" in m for m in messages)
    assert messages[-1].startswith("REPORT ")


def test_many_lines_are_one_event_each_until_the_cap(function, aws) -> None:
    from infra.local.lambda_.log_lines import INVOCATION_LOG_CAP

    name = function(LOUD)
    invoke(aws("lambda"), name, {"lines": 17_500})  # about 17.7 MB: more than one invocation keeps
    messages = _events(aws("logs"), f"/aws/lambda/{name}")
    lines = [m for m in messages if m.startswith("line ")]
    assert [int(m.split()[1]) for m in lines] == list(range(len(lines)))  # one event per line, in order
    assert 16_000 < len(lines) < 17_500 and sum(map(len, lines)) <= INVOCATION_LOG_CAP
    assert any("bytes of this invocation's log output were dropped" in m for m in messages)


# --- 8. a Runtime API for its own environment only ------------------------------------------------------

PROBER = """
import os, urllib.request

def handler(event, context):
    if "target" not in event:
        return {"runtime_api": os.environ["AWS_LAMBDA_RUNTIME_API"]}
    url = f"http://{event['target']}/2018-06-01/runtime/invocation/next"
    try:
        urllib.request.urlopen(url, timeout=3).read()
        return "served"
    except (ConnectionError, urllib.error.URLError) as exc:
        reason = getattr(exc, "reason", exc)
        return "timed out" if "timed out" in str(reason) else "refused"
    except TimeoutError:
        return "timed out"
"""


@linux_only
def test_another_environment_cannot_reach_a_runtime_api(function, aws) -> None:
    lam = aws("lambda")
    victim, prober = function(PROBER), function(PROBER)
    _, target, _ = invoke(lam, victim)
    _, outcome, _ = invoke(lam, prober, {"target": target["runtime_api"]})
    assert outcome == "refused"
    response, again, _ = invoke(lam, victim)  # its own runtime still works
    assert "FunctionError" not in response and again == target


# --- 7. an environment that fails to start gives its slot back ------------------------------------------

GOOD = """
def handler(event, context):
    return "ok"
"""


@pytest.fixture
def small_cloud(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A local cloud of its own that holds at most two execution environments; boto3 Lambda client."""
    from infra.local import control

    monkeypatch.setenv("KIT_MAX_ENVIRONMENTS", "2")
    try:
        yield _own_cloud(tmp_path)
    finally:
        control.stop(tmp_path)


def _own_cloud(directory: Path) -> tuple[Any, str]:
    """Start a local cloud of its own in ``directory``: a boto3 Lambda client signed with its credentials, and
    the ARN of a role for functions (stop it with ``control.stop(directory)``)."""
    import boto3

    from infra.local import control
    from infra.local.iam.credentials import load_or_create

    info = control.start(directory=directory)
    keys = load_or_create(directory)
    client = {
        "endpoint_url": info.endpoint,
        "region_name": "ap-northeast-2",
        "aws_access_key_id": keys.access_key_id,
        "aws_secret_access_key": keys.secret_access_key,
    }
    role = boto3.client("iam", **client).create_role(RoleName="walls", AssumeRolePolicyDocument="{}")
    return boto3.client("lambda", **client), role["Role"]["Arn"]


@pytest.mark.parametrize(
    ("files", "error_type"),
    [
        ({}, "Runtime.InvalidEntrypoint"),  # the wrapper is missing: nothing can be spawned
        ({"wrapper": ("#!/bin/sh\nexit 7\n", 0o755)}, "Runtime.ExitError"),  # the runtime exits during INIT
    ],
    ids=["wrapper-missing", "exits-during-init"],
)
def test_environments_that_fail_to_start_give_their_slot_back(small_cloud, files: dict, error_type: str) -> None:
    from tests.local_cloud import zip_files

    lam, role = small_cloud
    code = zip_files({"fn.py": (GOOD, 0o644), **files})
    broken = {"Variables": {"AWS_LAMBDA_EXEC_WRAPPER": "/var/task/wrapper"}}
    lam.create_function(
        FunctionName="broken", Runtime="python3.12", Handler="fn.handler", Role=role, Code={"ZipFile": code},
        Environment=broken,
    )  # fmt: skip
    wait_until_active(lam, "broken")
    for _ in range(5):  # more failures than the cloud has slots
        _, body, _ = invoke(lam, "broken")
        assert body["errorType"] == error_type
    create_python_function(lam, "good", role, zip_source(GOOD))
    _, body, _ = invoke(lam, "good")
    assert body == "ok"


ENVIRONMENT_DUMP = """
import os
import shutil


def handler(event, context):
    keys = ("PATH", "LD_LIBRARY_PATH", "AWS_SESSION_TOKEN", "LAMBDA_TASK_ROOT")
    return {**{key: os.environ.get(key) for key in keys}, "python3": shutil.which("python3")}
"""


def test_path_and_library_path_are_lambdas(function, aws) -> None:
    """configuration-envvars.html: Lambda's PATH and LD_LIBRARY_PATH; the role session's token is there too."""
    _, body, _ = invoke(aws("lambda"), function(ENVIRONMENT_DUMP))
    assert body["PATH"].startswith("/var/lang/bin:")
    assert body["PATH"].endswith(":/usr/local/bin:/usr/bin/:/bin:/opt/bin")
    assert body["python3"] is not None and body["python3"].startswith(str(Path(sys.executable).parent))
    root = body["LAMBDA_TASK_ROOT"]
    assert body["LD_LIBRARY_PATH"].startswith("/var/lang/lib:/lib64:/usr/lib64:")
    assert body["LD_LIBRARY_PATH"].endswith(f":{root}:{root}/lib:/opt/lib")
    assert body["AWS_SESSION_TOKEN"]


def test_a_wrapper_without_its_execute_bit_is_an_exit_error(aws, role_arn) -> None:
    """Choice (nothing recorded): Runtime.ExitError with the shell's exit status, 126, and one line of why."""
    from tests.local_cloud import zip_files

    lam = aws("lambda")
    name = f"walls-{uuid.uuid4().hex[:10]}"
    code = zip_files({"fn.py": (GOOD, 0o644), "wrapper": ('#!/bin/sh\nexec "$@"\n', 0o644)})
    lam.create_function(
        FunctionName=name, Runtime="python3.12", Handler="fn.handler", Role=role_arn, Code={"ZipFile": code},
        Environment={"Variables": {"AWS_LAMBDA_EXEC_WRAPPER": "/var/task/wrapper"}},
    )  # fmt: skip
    try:
        wait_until_active(lam, name)
        response, body, log = invoke(lam, name)
        assert response["StatusCode"] == 200 and response["FunctionError"] == "Unhandled"
        assert body["errorType"] == "Runtime.ExitError"
        assert body["errorMessage"].endswith("Error: Runtime exited with error: exit status 126")
        assert "wrapper: Permission denied" in log and "Traceback" not in log
    finally:
        lam.delete_function(FunctionName=name)
