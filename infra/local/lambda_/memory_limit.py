"""``MemorySize`` as a limit: watch an environment's processes and kill the environment past it.

Emulates: Lambda bounds the memory of the whole execution environment to ``MemorySize``; a function
that goes past it is killed (``Runtime.OutOfMemory``, see ``runtime_exit.py``) and its REPORT line
shows ``Max Memory Used`` equal to ``Memory Size``.

Choice: without a cgroup an ordinary user can only look: the summed RSS of the environment's process
tree (``sandbox.py``) is read every ``POLL_SECONDS`` while the environment runs (INIT and invocations;
a frozen environment cannot allocate) and the environment is killed the first time it is over the limit.
So a process can overshoot for up to one interval; the REPORT line then shows ``Memory Size``, as on AWS,
where the cgroup never lets usage exceed it. 20 ms: one look at a two-process tree costs about 46 µs of the
local cloud's time (0.23 % of a core while a function runs, nothing while it is frozen), and a process
allocating 1 GB/s overshoots by about 20 MB.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable

from . import sandbox

POLL_SECONDS = 0.02
MB = 1_048_576


class MemoryWatch:
    """The peak memory of one environment's process tree, and the kill when it passes ``limit_mb``."""

    def __init__(self, root: int, limit_mb: int, on_exceeded: Callable[[], None]) -> None:
        self.root = root
        self.limit_bytes = limit_mb * MB
        self.peak_bytes = 0
        self.exceeded = False
        self.known: set[int] = {root}
        self._on_exceeded = on_exceeded
        self._timer: asyncio.TimerHandle | None = None

    def sample(self, pids: Iterable[int] | None = None) -> int:
        """Measure the tree now (``pids``: its members, when the caller just walked it); remember its members and
        the peak; act if it is over the limit."""
        pids = list(pids) if pids is not None else sandbox.tree(self.root)
        self.known.update(pids)
        used = sandbox.resident_bytes(pids)
        self.peak_bytes = max(self.peak_bytes, used)
        if used > self.limit_bytes and not self.exceeded:
            self.exceeded = True
            self._on_exceeded()
        return used

    def _tick(self) -> None:
        self._timer = None
        self.sample()
        if not self.exceeded:
            self.start()

    def start(self) -> None:
        """Look every ``POLL_SECONDS`` until ``stop``."""
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(POLL_SECONDS, self._tick)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def peak_mb(self, runtime_hwm_mb: int) -> int:
        """``Max Memory Used``: the tree's peak (or the runtime's own ``VmHWM`` if higher), at most the limit."""
        if self.exceeded:
            return self.limit_bytes // MB
        return min(max(round(self.peak_bytes / MB), runtime_hwm_mb, 1), self.limit_bytes // MB)
