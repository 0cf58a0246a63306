"""An execution environment's processes as one tree: freeze it, thaw it, measure it, kill all of it.

Emulates (docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html): Lambda freezes the
execution environment between invocations (no process in it runs) and thaws it for the next one; every
process of the environment ends with it; ``MemorySize`` bounds the memory of the whole environment, not
of one process.

How: the environment's first process is a child subreaper (``sandbox_init.py``), so every process the
function starts, ``setsid`` and double-forked ones too, stays below it; the tree is read from
``/proc/<pid>/task/<tid>/children`` (or, where the kernel lacks ``CONFIG_PROC_CHILDREN``, from every
``/proc/<pid>/stat``). Choice: a process tree rather than a cgroup, because a cgroup needs root or a
delegated cgroup v2 subtree, which an ordinary user rarely has (this machine: cgroup v1, no delegation),
while the tree works for any user on Linux. The local cloud's own process is a subreaper too
(``become_subreaper``), so the orphans of an environment whose first process died come back to it and are
swept (``sweep_orphans``).

Not emulated: a function that kills its own first process before the local cloud looks can leave a
process the local cloud never saw (a pid namespace would close that); on macOS and Windows there is no
tree: only the runtime's process group is signalled and memory is the runtime's own.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
from collections.abc import Iterable
from pathlib import Path

PR_SET_CHILD_SUBREAPER = 36
PR_GET_CHILD_SUBREAPER = 37
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_HAS_CHILDREN_FILES = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").exists()


_SUPPORTED = Path("/proc/self/stat").exists()


def supported() -> bool:
    """True where the environment's processes can be found as a tree (Linux's /proc)."""
    return _SUPPORTED


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as file:
            return file.read()
    except OSError:
        return b""


def _parents() -> dict[int, list[int]]:
    """Every process's children, from each ``/proc/<pid>/stat`` (the fallback without children files)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            fields = _read(f"/proc/{entry.name}/stat").rpartition(b")")[2].split()
            if len(fields) > 1:
                children.setdefault(int(fields[1]), []).append(int(entry.name))
    return children


def children(pid: int) -> list[int]:
    """The direct children of ``pid``."""
    if not _HAS_CHILDREN_FILES:
        return _parents().get(pid, [])
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tasks:
        found.extend(int(child) for child in _read(f"/proc/{pid}/task/{tid}/children").split())
    return found


def tree(root: int) -> list[int]:
    """``root`` and all its descendants that exist now (``root`` first), or ``[]`` if ``root`` is gone."""
    if not os.path.exists(f"/proc/{root}"):
        return []
    if not _HAS_CHILDREN_FILES:
        table = _parents()
        lookup = table.get
    else:
        lookup = None  # type: ignore[assignment]
    found, queue = [root], [root]
    while queue:
        pid = queue.pop()
        for child in lookup(pid, []) if lookup is not None else children(pid):
            if child not in found:
                found.append(child)
                queue.append(child)
    return found


def _signal(pids: Iterable[int], sig: int) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)


def freeze(root: int) -> set[int]:
    """Stop every process of the tree (``SIGSTOP``); repeat until no new one appears. Return them."""
    stopped: set[int] = set()
    for _ in range(64):
        new = [pid for pid in tree(root) if pid not in stopped]
        if not new:
            break
        _signal(new, signal.SIGSTOP)
        stopped.update(new)
    return stopped


def thaw(root: int, frozen: Iterable[int] = ()) -> None:
    """Let the processes ``freeze`` stopped run again (``SIGCONT``); without them, the tree as it is now.

    A stopped tree cannot fork, and its stopped processes keep their pids, so what ``freeze`` returned is
    the whole tree: thawing needs no second walk of ``/proc`` (a warm invocation pays one freeze and one
    thaw, so the walk it saves is most of their cost).
    """
    _signal(set(frozen) or tree(root), signal.SIGCONT)


def kill_tree(root: int, known: Iterable[int] = ()) -> None:
    """``SIGKILL`` the whole tree: stopped first, so that none can fork while it is being killed."""
    doomed = freeze(root) | set(known)
    _signal(doomed, signal.SIGKILL)
    _signal(doomed, signal.SIGCONT)


def resident_bytes(pids: Iterable[int]) -> int:
    """The summed resident memory of ``pids`` (``/proc/<pid>/statm``; a process gone counts 0).

    Choice: RSS, so pages shared between a parent and its forked child count twice (AWS's cgroup counts
    them once); PSS (``smaps_rollup``) would be exact and costs about 50 times more to read.
    """
    total = 0
    for pid in pids:
        fields = _read(f"/proc/{pid}/statm").split()
        if len(fields) > 1:
            total += int(fields[1]) * _PAGE
    return total


def start_time(pid: int) -> int | None:
    """When ``pid`` started (clock ticks since boot): tells a process from a later one with its pid."""
    fields = _read(f"/proc/{pid}/stat").rpartition(b")")[2].split()
    return int(fields[19]) if len(fields) > 19 else None


def _prctl(option: int, value: int = 0) -> int:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return -1
    if option == PR_GET_CHILD_SUBREAPER:
        out = ctypes.c_int(0)
        return out.value if libc.prctl(option, ctypes.byref(out), 0, 0, 0) == 0 else -1
    return int(libc.prctl(option, value, 0, 0, 0))


def become_subreaper() -> bool:
    """Make this process (the local cloud) inherit orphans of its environments; True if it did."""
    return supported() and _prctl(PR_SET_CHILD_SUBREAPER, 1) == 0


def is_subreaper() -> bool:
    return supported() and _prctl(PR_GET_CHILD_SUBREAPER) == 1


def sweep_orphans(live_roots: set[int]) -> int:
    """Kill this process's children that are no live environment's first process; return how many.

    Only a subreaper inherits such orphans, so this does nothing in a process that is not one. The caller
    must not sweep while an environment is being spawned (its pid is not yet among ``live_roots``).
    """
    if not is_subreaper():
        return 0
    orphans = [pid for pid in children(os.getpid()) if pid not in live_roots]
    for pid in orphans:
        kill_tree(pid)
    for pid in orphans:
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(pid, 0)
    return len(orphans)
