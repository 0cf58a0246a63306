"""One Lambda execution environment: an OS process running the function's runtime.

Emulates (docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html): the environment is
built from the deployment package uploaded to Lambda (extracted once per CodeSha256, never the working
tree); its runtime (awslambdaric for the Python managed runtimes) speaks the Runtime API to an endpoint
of its own (``AWS_LAMBDA_RUNTIME_API``); INIT runs once per environment (its time up to the first
``/next`` is the REPORT line's ``Init Duration``, capped at 10 s), then invocations run one at a time with
module globals kept between them; ``Timeout`` kills the environment ("Task timed out after N.NN seconds",
``Sandbox.Timedout``); a runtime that exits mid-invocation fails it with ``Runtime.ExitError`` (one that exited
after its last invocation, before taking the next, fails nothing: ``EnvironmentGone``); stdout and
stderr go to CloudWatch Logs between ``START`` and ``END``/``REPORT`` lines (formats from LocalStack's
snapshots recorded on AWS). The environment variables are the function's plus the reserved ones a Python
managed runtime sets (same snapshots), with ``LAMBDA_TASK_ROOT`` the extracted package, ``PATH`` and
``LD_LIBRARY_PATH`` as Lambda sets them (``lambda_path``, ``lambda_library_path``) and the role session's
``AWS_SESSION_TOKEN``. What the learner
reads names the package's files as Lambda does, ``/var/task/<file>`` (recorded on AWS, issue 12: stack-trace
frames of the function's own code): error payloads (``stackTrace``, ``errorMessage``) and log lines have the
local folder written as ``/var/task/``. Not emulated: the handler's own ``__file__``, ``os.getcwd()`` and
``LAMBDA_TASK_ROOT`` still name the local folder.

Billed Duration includes Init Duration on cold starts: AWS bills the INIT phase of ZIP/managed-runtime
functions since 2025-08-01 ("AWS Lambda standardizes billing for INIT phase", AWS Compute Blog).

Not on AWS, on purpose: ``AWS_ENDPOINT_URL`` points at the local cloud, so SDK calls the handler makes stay
local. The credentials are an STS session of the function's execution role, as on Lambda
(``execution_role.py``), never the learner's.

Walls (``sandbox_init.py``, ``sandbox.py``, ``memory_limit.py``): the environment's processes are one tree
that is frozen between invocations (once idle for ``FREEZE_AFTER_IDLE_S``), killed whole when the environment
ends, and killed past ``MemorySize`` (``Runtime.OutOfMemory``); ``/tmp`` is the environment's own,
``EphemeralStorage.Size`` MB; its Runtime API answers only the environment's own processes (``admits``). ``HOME`` is
``/home/sbx_user1051``, a folder that does not exist, as on Lambda ([observed]: environment dumps of
Lambda's runtimes and lambci/docker-lambda's init script, which sets that ``HOME`` for ``sbx_user1051``;
tools that write to ``HOME`` fail there too); ``AWS_CONFIG_FILE`` and ``AWS_SHARED_CREDENTIALS_FILE`` name
files that do not exist, so an SDK in the function never reads the learner's ``~/.aws``; nothing of the
learner's shell environment (proxies included) reaches the function. ``TMPDIR`` is set only where ``/tmp``
cannot be the environment's own (``sandbox_init.py``).
Exit reasons are the platform's (``runtime_exit.py``); output becomes log events as ``log_lines.py`` says.

Not emulated: the Python version of the ``Runtime`` (the kit's interpreter runs every ``python3.x``),
layers, the SHUTDOWN phase, CPU share proportional to memory; the walls' own limits are in their modules.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from ..http import peers
from ..http.peers import Address, Admit
from ..http.types import HttpRequest, HttpResponse
from ..logs.sink import LogSink, new_stream_name
from . import sandbox
from .function_spec import FunctionSpec
from .invocation import (
    EnvironmentGone,
    InvocationOutcome,
    PendingInvocation,
    RuntimeResult,
    StreamError,
    error_payload,
)
from .log_lines import INVOCATION_LOG_CAP, LineSplitter, decode, dropped_marker
from .memory_limit import MemoryWatch
from .runtime_api import handle_runtime_request
from .runtime_exit import EXIT_ERROR, OUT_OF_MEMORY, exit_reason
from .stream_limits import within_limits

INIT_TIMEOUT_S = 10.0
#: Choice: an environment is frozen once it has waited this long for work. Lambda freezes as soon as the
#: runtime asks for the next event; stopping and starting a process costs two signals and two context
#: switches (about 0.3 ms of the local cloud's time per warm invocation under load, measured with cProfile),
#: so an environment that is called again within this time is never stopped. Its background threads and
#: processes run at most this long after an invocation ends.
FREEZE_AFTER_IDLE_S = 0.05
LOG_TAIL_BYTES = 4096
_CHUNKS_PER_READ = 16  # 1 MiB of runtime output a turn of the event loop, at most
_CHUNKS_AT_END = 64  # what an invocation's end takes from the pipe without waiting: 4 MiB at most

RuntimeHandler = Callable[[HttpRequest], Awaitable[HttpResponse]]


@dataclass
class Listener:
    """A Runtime API endpoint bound for one environment."""

    port: int
    close: Callable[[], Awaitable[None]]


#: Binds a Runtime API endpoint that serves ``handler`` to the connections ``admit`` lets in.
ListenFactory = Callable[[RuntimeHandler, Admit], Awaitable[Listener]]

SANDBOX_INIT = Path(__file__).with_name("sandbox_init.py")
LAMBDA_HOME = "/home/sbx_user1051"
#: The first process of every live environment (what a subreaper local cloud must not sweep).
_LIVE_ROOTS: set[int] = set()
_SPAWNING: list[int] = [0]


def peak_memory_mb(pid: int, fd: int | None = None) -> int:
    """The process's peak resident memory in MB (``VmHWM``), or its current RSS where /proc is absent.

    ``fd`` is an open descriptor of ``/proc/<pid>/status`` to re-read (cheaper than opening it each time).
    """
    try:
        if fd is not None:
            data = os.pread(fd, 8192, 0)
        else:
            own = os.open(f"/proc/{pid}/status", os.O_RDONLY)
            try:
                data = os.read(own, 8192)
            finally:
                os.close(own)
        start = data.find(b"VmHWM:")
        if start >= 0:
            return max(1, round(int(data[start + 6 : data.find(b"kB", start)]) / 1024))
    except (OSError, ValueError):
        pass
    try:
        out = subprocess.run(["ps", "-o", "rss=", "-p", str(pid)], capture_output=True, text=True, timeout=2)
        return max(1, round(int(out.stdout.strip()) / 1024))
    except (OSError, ValueError, subprocess.SubprocessError):
        return 0


def _yield_to_the_local_cloud(pid: int) -> None:
    """Schedule an environment's process as a batch process where the OS allows it.

    Choice: the local cloud's own process answers every request and hands every invocation over; when it
    wakes a runtime (answering ``/next``), a batch process does not preempt it, so the hand-over costs one
    context switch instead of two. AWS runs its front end and the sandboxes on separate machines.
    """
    if hasattr(os, "sched_setscheduler") and hasattr(os, "SCHED_BATCH"):
        with contextlib.suppress(OSError):
            os.sched_setscheduler(pid, os.SCHED_BATCH, os.sched_param(0))


def lambda_path(python: str) -> str:
    """``PATH`` as a Python runtime sets it, with the kit's interpreter where Lambda's is (``/var/lang/bin``).

    configuration-envvars.html ("Unreserved"): ``/usr/local/bin:/usr/bin/:/bin:/opt/bin``, and the runtimes put
    ``/var/lang/bin`` (their interpreter) first (awsdocs/aws-lambda-developer-guide#89).
    """
    return f"/var/lang/bin:{Path(python).parent}:/usr/local/bin:/usr/bin/:/bin:/opt/bin"


def lambda_library_path(task_root: Path) -> str:
    """``LD_LIBRARY_PATH`` as Lambda sets it (configuration-envvars.html), with the local task root for ``/var/task``.

    ``/var/lang/lib:/lib64:/usr/lib64:$LAMBDA_RUNTIME_DIR:$LAMBDA_RUNTIME_DIR/lib:$LAMBDA_TASK_ROOT:
    $LAMBDA_TASK_ROOT/lib:/opt/lib``, so a package's own ``lib/`` shared libraries load as they do on Lambda.
    """
    runtime = Path(sys.prefix)
    return f"/var/lang/lib:/lib64:/usr/lib64:{runtime}:{runtime}/lib:{task_root}:{task_root}/lib:/opt/lib"


class WrapperError(Exception):
    """The function's ``AWS_LAMBDA_EXEC_WRAPPER`` cannot be run."""


class ExecutionEnvironment:
    """An execution environment for one function version and revision."""

    def __init__(
        self,
        spec: FunctionSpec,
        *,
        task_root: Path,
        listen: ListenFactory,
        logs: LogSink,
        extra_env: dict[str, str],
        python: str = sys.executable,
    ) -> None:
        self.spec = spec
        self.task_root = task_root
        self._task_prefix = f"{task_root}/"
        self._listen = listen
        self._logs = logs
        self._extra_env = extra_env
        self._python = python
        self.log_stream = new_stream_name(spec.version)
        self.process: asyncio.subprocess.Process | None = None
        self.busy = False
        self.alive = True
        self.invocations = 0
        #: ``provisioned-concurrency`` for an environment started ahead of requests (``provisioned.py``): its INIT
        #: is part of no invocation, so its first REPORT line has no ``Init Duration``.
        self.initialization_type = "on-demand"
        self.last_used = time.monotonic()
        self._listener: Listener | None = None
        self._ready = asyncio.Event()
        self._exited = asyncio.Event()
        self._queue: asyncio.Queue[PendingInvocation] = asyncio.Queue()
        self._current: PendingInvocation | None = None
        self._init_error: tuple[str, bytes] | None = None
        self._spawned_at = 0.0
        self.init_duration_ms: float | None = None
        self._lines: list[tuple[int, str]] = []  # this invocation's log events, START..REPORT
        self._pending_partial = b""
        self._tasks: list[asyncio.Task[None]] = []
        self._exit_waiters: list[Callable[[str], None]] = []
        self._memory_fd: int | None = None
        self._output_fd: int | None = None  # the read end of the runtime's stdout/stderr pipe
        self._output_closed = asyncio.Event()
        self._stream_created = False
        self._splitter = LineSplitter()
        self._kept_bytes = 0
        self._dropped_bytes = 0
        self._private_tmp = Path(tempfile.mkdtemp(prefix="lambda-env-"))
        self._memory: MemoryWatch | None = None
        self._frozen: set[int] = set()
        self._freeze_timer: asyncio.TimerHandle | None = None
        self._root_start_time: int | None = None

    # --- the Runtime API channel -------------------------------------------------------------
    async def next_invocation(self) -> PendingInvocation:
        if not self._ready.is_set():
            self.init_duration_ms = (time.monotonic() - self._spawned_at) * 1000
            self._ready.set()
        if self._queue.empty() and self._freeze_timer is None:
            loop = asyncio.get_running_loop()
            self._freeze_timer = loop.call_later(FREEZE_AFTER_IDLE_S, self._freeze)
        return await self._queue.get()

    def _freeze(self) -> None:
        """The runtime waits for work: stop every process of the environment (Lambda freezes it)."""
        self._freeze_timer = None
        if self.process is None or not sandbox.supported() or not self.alive:
            return
        self._frozen = sandbox.freeze(self.process.pid)
        if self._memory is not None:
            self._memory.stop()
            self._memory.sample(self._frozen)  # the tree freeze just walked: its last look before the pause

    def _thaw(self) -> None:
        """Let the environment's processes run again, before it gets work (or is killed)."""
        if self._freeze_timer is not None:
            self._freeze_timer.cancel()  # called again before it froze: nothing to stop or start
            self._freeze_timer = None
        if self.process is None or not sandbox.supported():
            return
        if self._frozen:
            sandbox.thaw(self.process.pid, self._frozen)
            self._frozen = set()
        if self._memory is not None and self.alive:
            self._memory.start()

    def admits(self, local: Address, peer: Address) -> bool:
        """Serve a Runtime API connection only if its client socket is open in one of this environment's
        processes (Linux); elsewhere, only from this Unix user.

        Choice: AWS gives each sandbox a Runtime API no other sandbox can reach; here every endpoint is on
        loopback, so the kernel's socket table tells whose connection it is.
        """
        if not peers.supported() or not sandbox.supported():
            return peers.same_user(local, peer)
        found = peers.peer_socket(local, peer)
        if found is None or found.uid != os.getuid():
            return False
        if self.process is not None:
            pids = sandbox.tree(self.process.pid)
        else:  # still being spawned: the connection can only come from a child not yet registered
            pids = [pid for pid in sandbox.children(os.getpid()) if pid not in _LIVE_ROOTS]
        return any(found.inode in peers.socket_inodes(pid) for pid in pids)

    def current(self, request_id: str) -> PendingInvocation | None:
        cur = self._current
        return cur if cur is not None and cur.request_id == request_id else None

    def init_failed(self, error_type: str, payload: bytes) -> None:
        self._init_error = (error_type, payload)

    # --- life cycle --------------------------------------------------------------------------
    def _environment(self, runtime_api: str) -> dict[str, str]:
        spec = self.spec
        env = {
            "PATH": lambda_path(self._python),
            "LD_LIBRARY_PATH": lambda_library_path(self.task_root),
            "LANG": "en_US.UTF-8",
            "TZ": ":UTC",
            "PYTHONUNBUFFERED": "1",
            "PYTHONPATH": str(self.task_root),
            "LAMBDA_TASK_ROOT": str(self.task_root),
            "LAMBDA_RUNTIME_DIR": str(Path(sys.prefix)),
            "_HANDLER": spec.handler,
            "AWS_LAMBDA_RUNTIME_API": runtime_api,
            "AWS_REGION": spec.region,
            "AWS_DEFAULT_REGION": spec.region,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
            "AWS_LAMBDA_FUNCTION_NAME": spec.function_name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_size),
            "AWS_LAMBDA_FUNCTION_VERSION": spec.version,
            "AWS_LAMBDA_INITIALIZATION_TYPE": self.initialization_type,
            "AWS_LAMBDA_LOG_GROUP_NAME": spec.log_group,
            "AWS_LAMBDA_LOG_STREAM_NAME": self.log_stream,
            "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
            "HOME": LAMBDA_HOME,
            "TMPDIR": str(self._private_tmp),
            "AWS_CONFIG_FILE": str(self._private_tmp / ".aws-absent" / "config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(self._private_tmp / ".aws-absent" / "credentials"),
        }
        env.update(self._extra_env)
        env.update(dict(spec.environment))
        return env

    def runtime_command(self) -> list[str]:
        """The runtime's command; with ``AWS_LAMBDA_EXEC_WRAPPER`` set, the wrapper, given that command.

        As on Lambda (runtimes-modify.html#runtime-wrapper) the wrapper runs with the runtime's command as its
        arguments; a wrapper path under ``/var/task`` means the function's own code here.
        """
        command = [self._python, "-m", "awslambdaric", self.spec.handler]
        walls = [self._python, str(SANDBOX_INIT), "--tmp-mb", str(self.spec.ephemeral_storage_mb)]
        walls += ["--keep", str(self.task_root), "--"]
        wrapper = dict(self.spec.environment).get("AWS_LAMBDA_EXEC_WRAPPER")
        if not wrapper:
            return [*walls, *command]
        if wrapper.startswith("/var/task/"):
            local = self.task_root / wrapper.removeprefix("/var/task/")
        else:
            raise WrapperError(
                f"AWS_LAMBDA_EXEC_WRAPPER={wrapper}: only wrappers in the function's code "
                "(/var/task/...) run locally; layers (/opt) are not emulated"
            )
        if not local.is_file():
            raise WrapperError(f"AWS_LAMBDA_EXEC_WRAPPER={wrapper}: no such file in the function's code")
        return [*walls, str(local), *command]

    async def start(self) -> None:
        """Bind this environment's Runtime API and start its runtime process (the INIT phase).

        If either fails, what was taken is given back (the port, the private tmp) before the error goes on.
        """
        try:
            command = self.runtime_command()
            self._listener = await self._listen(lambda request: handle_runtime_request(request, self), self.admits)
            await self._spawn(command)
        except BaseException:
            self.alive = False
            await self.close()
            raise
        self._tasks = [asyncio.create_task(self._watch_exit())]

    async def _spawn(self, command: list[str]) -> None:
        assert self._listener is not None
        self._spawned_at = time.monotonic()
        kwargs: dict[str, object] = {}
        if os.name == "posix":
            kwargs["start_new_session"] = True
        _SPAWNING[0] += 1
        read_end, write_end = os.pipe()
        try:
            self.process = await asyncio.create_subprocess_exec(
                *command,
                cwd=str(self.task_root),
                env=self._environment(f"127.0.0.1:{self._listener.port}"),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=write_end,
                stderr=write_end,
                **kwargs,  # type: ignore[arg-type]
            )
            _LIVE_ROOTS.add(self.process.pid)
            self._root_start_time = sandbox.start_time(self.process.pid)
        except BaseException:
            os.close(read_end)
            raise
        finally:
            os.close(write_end)
            _SPAWNING[0] -= 1
        os.set_blocking(read_end, False)
        self._output_fd = read_end
        asyncio.get_running_loop().add_reader(read_end, self._read_output, _CHUNKS_PER_READ)
        _yield_to_the_local_cloud(self.process.pid)
        with contextlib.suppress(OSError):
            self._memory_fd = os.open(f"/proc/{self.process.pid}/status", os.O_RDONLY)
        if sandbox.supported():
            self._memory = MemoryWatch(self.process.pid, self.spec.memory_size, self._out_of_memory)
            self._memory.start()

    def _out_of_memory(self) -> None:
        """Past ``MemorySize``: the environment is killed, as Lambda's cgroup kills it."""
        self.kill()

    def _read_output(self, chunks: int) -> None:
        """Take what the runtime wrote to its stdout/stderr pipe, up to ``chunks`` reads of 64 KiB, without waiting.

        The event loop calls it when the pipe is readable (at most ``_CHUNKS_PER_READ`` reads a turn, so a flood
        of output cannot hold the loop); an invocation's end calls it to take what is already there.
        """
        fd = self._output_fd
        for _ in range(chunks):
            if fd is None:
                return
            try:
                chunk = os.read(fd, 65536)
            except BlockingIOError:
                return
            except OSError:
                chunk = b""
            if not chunk:
                self._close_output()
                return
            self._take_output(chunk)

    def _close_output(self) -> None:
        """The pipe's last writer is gone (or the environment is closed): log the unfinished last line."""
        fd, self._output_fd = self._output_fd, None
        if fd is None:
            return
        with contextlib.suppress(Exception):
            asyncio.get_running_loop().remove_reader(fd)
        os.close(fd)
        for message in self._splitter.flush():
            self._emit(decode(message))
        self._output_closed.set()

    def _take_output(self, chunk: bytes) -> None:
        for message in self._splitter.feed(chunk):
            self._emit(decode(message))

    def as_var_task(self, text: str) -> str:
        """``text`` with this environment's task root written as Lambda's, ``/var/task`` (tracebacks read so)."""
        prefix = self._task_prefix
        return text.replace(prefix, "/var/task/") if prefix in text else text

    def _payload_as_var_task(self, payload: bytes) -> bytes:
        prefix = self._task_prefix.encode()
        return payload.replace(prefix, b"/var/task/") if prefix in payload else payload

    def _emit(self, message: str) -> None:
        message = self.as_var_task(message)
        event = (int(time.time() * 1000), message)
        if self._current is None:
            self._logs.put(self.spec.account_id, self.spec.region, self.spec.log_group, self.log_stream, [event])
        elif self._kept_bytes + len(message) <= INVOCATION_LOG_CAP:
            self._kept_bytes += len(message)
            self._lines.append(event)
        else:
            self._dropped_bytes += len(message.encode("utf-8", "replace"))

    async def _watch_exit(self) -> None:
        assert self.process is not None
        await self.process.wait()
        self.alive = False
        self._exited.set()
        for settle in list(self._exit_waiters):
            settle("exit")

    def kill(self) -> None:
        """End the environment's processes: every one it started, ``setsid`` and daemons included."""
        self.alive = False
        if self._freeze_timer is not None:
            self._freeze_timer.cancel()
            self._freeze_timer = None
        if self._memory is not None:
            self._memory.stop()
        proc = self.process
        if proc is None:
            return
        if sandbox.supported():
            known = self._memory.known if self._memory is not None else set()
            # Processes seen before, in case the first one is gone and they were re-parented away.
            seen = {pid for pid in known | self._frozen if pid != proc.pid and self._same_process(pid)}
            sandbox.kill_tree(proc.pid, seen)
            return
        if proc.returncode is None:
            try:
                if os.name == "posix":
                    os.killpg(proc.pid, signal.SIGKILL)
                else:
                    proc.kill()
            except ProcessLookupError:
                pass

    def _same_process(self, pid: int) -> bool:
        """Is ``pid`` still a process that started after this environment (not a recycled pid)?"""
        started = sandbox.start_time(pid)
        return started is not None and self._root_start_time is not None and started >= self._root_start_time

    async def close(self) -> None:
        self.kill()
        if self._memory_fd is not None:
            os.close(self._memory_fd)
            self._memory_fd = None
        if self.process is not None:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.process.wait(), 5)
            _LIVE_ROOTS.discard(self.process.pid)
            if _SPAWNING[0] == 0:
                sandbox.sweep_orphans(_LIVE_ROOTS)
        shutil.rmtree(self._private_tmp, ignore_errors=True)
        if self._output_fd is not None:  # a process it started may hold the pipe open a little longer
            self._read_output(_CHUNKS_AT_END)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._output_closed.wait(), 2)
            self._close_output()
        for task in self._tasks:
            try:
                await asyncio.wait_for(task, 2)
            except (TimeoutError, asyncio.CancelledError):
                task.cancel()
        if self._listener is not None:
            await self._listener.close()
            self._listener = None

    # --- one invocation ----------------------------------------------------------------------
    def _exit_reason(self) -> str:
        return exit_reason(self.process.returncode if self.process is not None else None)

    def _exit_error_type(self) -> str:
        return OUT_OF_MEMORY if self._memory is not None and self._memory.exceeded else EXIT_ERROR

    async def _await_first_of(self, future: asyncio.Future[RuntimeResult], timeout: float) -> str:
        """Wait for ``future``, the process's exit, or the timeout; say which came first.

        A timer and an exit callback settle a waiter future directly: no extra task per invocation.
        """
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[str] = loop.create_future()

        def settle(how: str) -> None:
            if not waiter.done():
                waiter.set_result(how)

        future.add_done_callback(lambda _: settle("result"))
        self._exit_waiters.append(settle)
        timer = loop.call_later(timeout, settle, "timeout")
        if self._exited.is_set():
            settle("exit")
        try:
            how = await waiter
        finally:
            timer.cancel()
            self._exit_waiters.remove(settle)
        return "result" if future.done() else how

    async def wait_ready(self) -> str:
        """Wait for INIT to end: "ready" (the runtime asked for its first invocation), "exit" or "timeout"."""
        return await self._wait_ready()

    async def _wait_ready(self) -> str:
        ready = asyncio.ensure_future(self._ready.wait())
        exited = asyncio.ensure_future(self._exited.wait())
        try:
            _done, _ = await asyncio.wait({ready, exited}, timeout=INIT_TIMEOUT_S, return_when=asyncio.FIRST_COMPLETED)
        finally:
            ready.cancel()
            exited.cancel()
        if self._ready.is_set():
            return "ready"
        return "exit" if self._exited.is_set() else "timeout"

    def _settle_output(self) -> None:
        """Let output the runtime wrote before its last Runtime API call reach this invocation's log.

        The runtime writes to its pipe before it posts the result, so the bytes are already in the pipe: one
        read that does not wait takes them (bounded: at most ``_CHUNKS_AT_END`` reads of 64 KiB).
        """
        self._read_output(_CHUNKS_AT_END)

    async def invoke(self, invocation: PendingInvocation) -> InvocationOutcome:
        """Run one invocation in this environment (the caller guarantees one at a time)."""
        spec = self.spec
        self.busy = True
        cold = self.invocations == 0
        self.invocations += 1
        self._lines = []
        self._kept_bytes = self._dropped_bytes = 0
        self._current = invocation
        rid = invocation.request_id
        handed_off = False  # a streamed response ends later: _streaming_outcome cleans up then
        try:
            if cold:
                state = await self._wait_ready()
                if state != "ready":
                    return await self._init_failure(invocation, state)
            start_line = (int(time.time() * 1000), f"START RequestId: {rid} Version: {spec.version}")
            self._lines.append(start_line)
            started = time.monotonic()
            invocation.deadline_ms = int((time.time() + spec.timeout) * 1000)
            self._thaw()
            self._queue.put_nowait(invocation)
            how = await self._await_first_of(invocation.result, spec.timeout)
            duration_ms = (time.monotonic() - started) * 1000
            self._settle_output()
            if how == "result" and invocation.result.result().stream is not None:
                handed_off = True
                return self._streaming_outcome(invocation, invocation.result.result(), started, cold)
            if how == "result":
                result = invocation.result.result()
                status = "success" if result.error_type is None else "error"
                outcome_payload, error_type = result.payload, result.error_type
                if error_type is not None:
                    outcome_payload = self._payload_as_var_task(outcome_payload)
                if result.error_type == "Function.ResponseSizeTooLarge":
                    self._lines.append((int(time.time() * 1000), f"[ERROR] {result.error_type}"))
            elif how == "exit" and not cold and not self._queue.empty():
                self._queue.get_nowait()  # never taken: the runtime had exited after the last invocation
                self._lines.remove(start_line)
                if self._lines:
                    self._flush()  # what it wrote as it ended stays in this environment's stream
                raise EnvironmentGone()
            elif how == "exit":
                status, error_type = "crash", self._exit_error_type()
                outcome_payload = error_payload(error_type, f"RequestId: {rid} Error: {self._exit_reason()}")
            else:
                status, error_type = "timeout", "Sandbox.Timedout"
                outcome_payload = error_payload(
                    error_type, f"RequestId: {rid} Error: Task timed out after {spec.timeout:.2f} seconds"
                )
            memory = self._peak_memory()
            if status == "timeout":
                self.kill()
            now = self._end_lines(rid, duration_ms, memory, cold, timed_out=status == "timeout")
            if status == "crash":
                self._lines.append((now, f"RequestId: {rid} Error: {self._exit_reason()}"))
                self._lines.append((now, error_type))
            return InvocationOutcome(
                status=status,
                request_id=rid,
                payload=outcome_payload,
                executed_version=spec.version,
                error_type=error_type,
                log_text=self._flush(),
                duration_ms=duration_ms,
                init_duration_ms=self.init_duration_ms if cold else None,
            )
        finally:
            if not handed_off:
                self._release()

    def _release(self) -> None:
        """The invocation is over: the environment is free for the next one."""
        self._current = None
        self.busy = False
        self.last_used = time.monotonic()

    def _peak_memory(self) -> int:
        """``Max Memory Used``: the environment's whole process tree (the runtime's own where no tree)."""
        runtime = peak_memory_mb(self.process.pid, self._memory_fd) if self.process is not None else 0
        if self._memory is None:
            return runtime
        if self.alive and not self._memory.exceeded and len(self._memory.known) > 1:
            # A tree of more than the runtime: walk it now. The runtime alone: its own peak (VmHWM, one read
            # of an open file) is the tree's, and the watch's ticks catch any process it starts later.
            self._memory.sample()
        return self._memory.peak_mb(runtime)

    def _end_lines(self, rid: str, duration_ms: float, memory: int, cold: bool, *, timed_out: bool = False) -> int:
        """Log END and REPORT (and, after a timeout, the "Task timed out" line); return their timestamp."""
        now = int(time.time() * 1000)
        if self._dropped_bytes:
            self._lines.append((now, dropped_marker(self._dropped_bytes)))
        self._lines.append((now, f"END RequestId: {rid}"))
        self._lines.append((now, self._report_line(rid, duration_ms, memory, cold)))
        if timed_out:
            stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now / 1000)) + f".{now % 1000:03d}Z"
            self._lines.append((now, f"{stamp} {rid} Task timed out after {self.spec.timeout:.2f} seconds"))
        return now

    def _streaming_outcome(
        self, invocation: PendingInvocation, result: RuntimeResult, started: float, cold: bool
    ) -> InvocationOutcome:
        """A response that is still streaming: its body goes to the caller as it arrives; the environment
        stays busy until it ends, and ``Timeout`` still applies (it cuts the stream short)."""
        spec, rid, body = self.spec, invocation.request_id, result.stream

        async def finish() -> None:
            timed_out = False
            try:
                await asyncio.wait_for(body.finished(), max(0.0, started + spec.timeout - time.monotonic()))
            except TimeoutError:
                timed_out = True
            memory = self._peak_memory()
            if timed_out:
                self.kill()
            duration_ms = (time.monotonic() - started) * 1000
            self._settle_output()
            self._end_lines(rid, duration_ms, memory, cold, timed_out=timed_out)
            log_text = self._flush()
            if not log_later.done():
                log_later.set_result(log_text)
            self._release()

        log_later: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        task = asyncio.get_running_loop().create_task(finish())
        self._tasks.append(task)
        task.add_done_callback(lambda t: self._tasks.remove(t) if t in self._tasks else None)

        async def chunks() -> AsyncIterator[bytes]:
            try:
                async for chunk in within_limits(body):
                    yield chunk
            except ConnectionError:
                raise StreamError("Sandbox.Timedout" if not self.alive else "Runtime.ExitError") from None
            trailers = {name.lower(): value for name, value in body.trailers}
            if "lambda-runtime-function-error-type" in trailers:
                raise StreamError(trailers["lambda-runtime-function-error-type"], "reported in the stream's trailers")

        return InvocationOutcome(
            status="streaming",
            request_id=rid,
            payload=b"",
            executed_version=spec.version,
            init_duration_ms=self.init_duration_ms if cold else None,
            stream=chunks(),
            content_type=result.content_type,
            log_later=log_later,
        )

    def _report_line(self, rid: str, duration_ms: float, memory_mb: int, cold: bool) -> str:
        cold = cold and self.initialization_type == "on-demand"
        init = self.init_duration_ms if cold and self.init_duration_ms is not None else 0.0
        billed = math.ceil(duration_ms + init)
        line = (
            f"REPORT RequestId: {rid}\tDuration: {duration_ms:.2f} ms\tBilled Duration: {billed} ms\t"
            f"Memory Size: {self.spec.memory_size} MB\tMax Memory Used: {memory_mb} MB\t"
        )
        if cold:
            line += f"Init Duration: {init:.2f} ms\t"
        return line

    def _flush(self) -> str:
        lines, self._lines = self._lines, []
        self._logs.put(self.spec.account_id, self.spec.region, self.spec.log_group, self.log_stream, lines)
        return "".join(f"{message}\n" for _, message in lines)

    async def _init_failure(self, invocation: PendingInvocation, state: str) -> InvocationOutcome:
        rid = invocation.request_id
        self._settle_output()
        if self._init_error is not None:
            error_type, payload = self._init_error[0], self._payload_as_var_task(self._init_error[1])
        elif state == "timeout":
            error_type = "Sandbox.Timedout"
            payload = error_payload(
                error_type, f"RequestId: {rid} Error: Task timed out after {INIT_TIMEOUT_S:.2f} seconds"
            )
        else:
            error_type = self._exit_error_type()
            payload = error_payload(error_type, f"RequestId: {rid} Error: {self._exit_reason()}")
        memory = self._peak_memory()
        self.kill()
        if self.init_duration_ms is None:  # INIT never reached /next: it lasted until now
            self.init_duration_ms = (time.monotonic() - self._spawned_at) * 1000
        self._lines.append((int(time.time() * 1000), f"START RequestId: {rid} Version: {self.spec.version}"))
        self._end_lines(rid, 0.0, memory, True)
        return InvocationOutcome(
            status="init_error",
            request_id=rid,
            payload=payload,
            executed_version=self.spec.version,
            error_type=error_type,
            log_text=self._flush(),
            init_duration_ms=self.init_duration_ms,
        )


def log_tail(text: str, limit: int = LOG_TAIL_BYTES) -> str:
    """The last ``limit`` bytes of a log, as ``LogType=Tail`` returns them."""
    data = text.encode("utf-8")
    return data[-limit:].decode("utf-8", "ignore")
