"""Why a runtime's process ended, in the words Lambda uses.

Emulates: Lambda's platform is written in Go and prints a runtime's end as Go's ``os.ProcessState``
does: ``exit status N``, or ``signal: `` and the name Go's ``syscall`` package gives the signal
(``killed``, ``segmentation fault``, ``terminated``: Go's ``zerrors_linux_*.go`` signal table), after
"Runtime exited with error: "; a runtime that exits with status 0 without answering gets "Runtime exited
without providing a reason" (both as ``Runtime.ExitError``; Lambda's "Understanding the Lambda execution
environment lifecycle" shows the latter's log lines; re:Post knowledge-center/lambda-runtime-error shows
"Runtime exited with error: exit status 129"). A runtime killed for exceeding ``MemorySize`` is
``Runtime.OutOfMemory`` with "Runtime exited with error: signal: killed" (the error type is in the
Lambda Runtime Interface Emulator's ``ErrorRuntimeOutOfMemory``; its message is the SIGKILL's).
"""

from __future__ import annotations

import signal

#: Go's names for Linux signals (``syscall.Signal.String``).
GO_SIGNAL_NAMES: dict[int, str] = {
    signal.SIGHUP: "hangup",
    signal.SIGINT: "interrupt",
    signal.SIGQUIT: "quit",
    signal.SIGILL: "illegal instruction",
    signal.SIGTRAP: "trace/breakpoint trap",
    signal.SIGABRT: "aborted",
    signal.SIGBUS: "bus error",
    signal.SIGFPE: "floating point exception",
    signal.SIGKILL: "killed",
    signal.SIGUSR1: "user defined signal 1",
    signal.SIGSEGV: "segmentation fault",
    signal.SIGUSR2: "user defined signal 2",
    signal.SIGPIPE: "broken pipe",
    signal.SIGALRM: "alarm clock",
    signal.SIGTERM: "terminated",
    signal.SIGCHLD: "child exited",
    signal.SIGCONT: "continued",
    signal.SIGSTOP: "stopped (signal)",
    signal.SIGTSTP: "stopped",
    signal.SIGTTIN: "stopped (tty input)",
    signal.SIGTTOU: "stopped (tty output)",
    signal.SIGURG: "urgent I/O condition",
    signal.SIGXCPU: "CPU time limit exceeded",
    signal.SIGXFSZ: "file size limit exceeded",
    signal.SIGVTALRM: "virtual timer expired",
    signal.SIGPROF: "profiling timer expired",
    signal.SIGWINCH: "window changed",
    signal.SIGIO: "I/O possible",
    signal.SIGSYS: "bad system call",
}
if hasattr(signal, "SIGPWR"):
    GO_SIGNAL_NAMES[signal.SIGPWR] = "power failure"
if hasattr(signal, "SIGSTKFLT"):
    GO_SIGNAL_NAMES[signal.SIGSTKFLT] = "stack fault"

OUT_OF_MEMORY = "Runtime.OutOfMemory"
EXIT_ERROR = "Runtime.ExitError"


def signal_name(number: int) -> str:
    """Go's name for a signal; Go writes an unknown one as ``signal N``."""
    return GO_SIGNAL_NAMES.get(number, f"signal {number}")


def exit_reason(returncode: int | None) -> str:
    """The platform's sentence for a runtime process that ended with ``returncode`` (Popen's convention)."""
    if returncode is None or returncode == 0:
        return "Runtime exited without providing a reason"
    if returncode < 0:
        return f"Runtime exited with error: signal: {signal_name(-returncode)}"
    return f"Runtime exited with error: exit status {returncode}"
