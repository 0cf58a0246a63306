"""The first code an execution environment's process runs: put up the sandbox's walls, then start the runtime.

Run as ``python sandbox_init.py --tmp-mb N --keep DIR -- COMMAND...`` (standard library only: it runs
before anything of the function's). In order:

1. ``prctl(PR_SET_CHILD_SUBREAPER)``: every process the function starts that loses its parent (``setsid``
   and double-forked daemons included) is re-parented to this process instead of to the machine's init,
   so the environment's processes stay one tree that the local cloud can freeze, measure and kill.
   The flag survives ``execve`` (prctl(2)). ``PR_SET_PDEATHSIG``: if the local cloud dies, so does this.
2. A private ``/tmp`` (Emulates: each execution environment has its own ``/tmp`` of
   ``EphemeralStorage.Size`` MB, gone with the environment; docs.aws.amazon.com/lambda/latest/dg/
   configuration-ephemeral-storage.html): a tmpfs of that size mounted on ``/tmp`` in a mount namespace
   of its own, so a write past the size fails with ``ENOSPC``. As root, ``unshare(CLONE_NEWNS)``; as an
   ordinary user, with a user namespace too (the user's own uid mapped to itself; Debian allows it by
   default), then every capability is dropped so the function gets none. A folder the function needs
   that lies under the machine's ``/tmp`` (``--keep``: its task root, e.g. a test's state directory; this
   interpreter's prefix) is bind-mounted back at its own path. Where neither works
   (unprivileged user namespaces disabled, not Linux) ``/tmp`` stays the machine's: ``TMPDIR`` already
   points at the environment's private directory (so ``tempfile`` uses it), its size is not
   enforced (Not emulated there), and ``KIT_SANDBOX_TMP`` says which one the function got.
3. The runtime: ``COMMAND`` is ``python -m awslambdaric HANDLER`` (run in this interpreter, which saves a
   second interpreter start) or an exec wrapper given that command (``execv``). A wrapper that cannot be
   run (no execute bit, a missing interpreter) ends the environment with the exit status a shell gives
   such a command, 126 (or 127), and one line saying why: the invocation gets ``Runtime.ExitError``
   "exit status 126". Choice: no recording of what AWS answers for it was found.
"""

from __future__ import annotations

import ctypes
import os
import runpy
import signal
import sys

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
MS_REC = 0x4000
MS_PRIVATE = 1 << 18
MS_NOSUID = 2
MS_NODEV = 4
MS_BIND = 4096
MNT_DETACH = 2
_CAP_VERSION_3 = 0x20080522


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


def _stay_in_the_tree(libc: ctypes.CDLL) -> None:
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _write(path: str, text: str) -> None:
    with open(path, "w") as file:
        file.write(text)


def _enter_user_namespace(libc: ctypes.CDLL) -> bool:
    """A user namespace in which this process keeps its own uid and gid (and, for now, capabilities)."""
    uid, gid = os.getuid(), os.getgid()
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0:
        return False
    try:
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"{uid} {uid} 1")
        _write("/proc/self/gid_map", f"{gid} {gid} 1")
    except OSError:
        return False
    return True


def _drop_capabilities(libc: ctypes.CDLL) -> None:
    header = _CapHeader(_CAP_VERSION_3, 0)
    data = (_CapData * 2)()
    if libc.capset(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capset")


def _under_tmp(paths: list[str]) -> list[str]:
    """The folders among ``paths`` that a tmpfs on ``/tmp`` would hide (none inside another)."""
    found = sorted({os.path.realpath(p) for p in paths if p and os.path.realpath(p).startswith("/tmp/")})
    return [p for i, p in enumerate(found) if not any(p.startswith(q + "/") for q in found[:i])]


def _bind_back(libc: ctypes.CDLL, keep: dict[str, int]) -> bool:
    for path, fd in keep.items():
        os.makedirs(path, exist_ok=True)
        if libc.mount(f"/proc/self/fd/{fd}".encode(), path.encode(), None, MS_BIND | MS_REC, None) != 0:
            return False
        os.close(fd)
    return True


def private_tmp(libc: ctypes.CDLL, size_mb: int, keep: list[str]) -> bool:
    """Mount a tmpfs of ``size_mb`` on ``/tmp`` in a mount namespace of this process's own."""
    root = os.getuid() == 0
    if root:
        if libc.unshare(CLONE_NEWNS) != 0:
            return False
    elif not _enter_user_namespace(libc):
        return False
    # Nothing mounted here may reach the machine's mount table.
    if libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        return False
    # Opened in the new namespace: a bind mount's source must be one of its own mounts.
    kept = {path: os.open(path, os.O_PATH | os.O_DIRECTORY) for path in _under_tmp(keep) if os.path.isdir(path)}
    options = f"size={size_mb}m,mode=1777".encode()
    if libc.mount(b"tmpfs", b"/tmp", b"tmpfs", MS_NOSUID | MS_NODEV, options) != 0:
        return False
    if not _bind_back(libc, kept):
        libc.umount2(b"/tmp", MNT_DETACH)  # back to the machine's /tmp rather than one without the code
        return False
    if not root:
        _drop_capabilities(libc)
    return True


def _parse(argv: list[str]) -> tuple[int, list[str], list[str]]:
    split = argv.index("--")
    pairs = list(zip(argv[:split:2], argv[1:split:2], strict=True))
    size = next(int(value) for name, value in pairs if name == "--tmp-mb")
    return size, [value for name, value in pairs if name == "--keep"], argv[split + 1 :]


def main(argv: list[str]) -> None:
    size_mb, keep, command = _parse(argv)
    keep += [*sys.path, sys.prefix, sys.base_prefix, os.path.dirname(sys.executable)]
    libc = _libc() if sys.platform.startswith("linux") else None
    isolated = False
    if libc is not None:
        _stay_in_the_tree(libc)
        isolated = private_tmp(libc, size_mb, keep)
    if isolated:
        os.environ.pop("TMPDIR", None)  # /tmp itself, as on Lambda (which sets no TMPDIR)
    os.environ["KIT_SANDBOX_TMP"] = "tmpfs" if isolated else "directory"
    if command[1:3] == ["-m", "awslambdaric"] and command[0] == sys.executable:
        sys.argv = ["awslambdaric", *command[3:]]
        sys.path[0] = os.getcwd()  # as ``python -m``: the task root, not this file's folder
        runpy.run_module("awslambdaric", run_name="__main__", alter_sys=True)
        return
    try:
        os.execv(command[0], command)
    except OSError as exc:  # e.g. a wrapper without its execute bit: the exit status a shell gives it
        sys.stderr.write(f"{command[0]}: {exc.strerror}\n")
        sys.stderr.flush()
        os._exit(126 if isinstance(exc, PermissionError) else 127)


if __name__ == "__main__":
    main(sys.argv[1:])
