"""Benchmark: what one learner costs a shared machine, running the notebooks in order as in class.

    .venv/bin/python tests/benchmarks/bench_learner.py [--notebooks 00 01 ...]

Runs each notebook in local mode on a fresh local cloud of its own (as ``infra.notebooks refresh`` does) and
samples, every 0.2 s, the proportional set size (PSS: shared pages counted once across processes, so thirty
learners' figures add up) of the learner's processes: the notebook's kernel, the local cloud and its execution
environments. It prints per notebook the wall time, the peak PSS and the CPU seconds spent, then what a class of
thirty needs: the sum of peaks (memory), and cores in the worst case (everyone running the notebooks back to back
at the same moment: CPU seconds over wall seconds) and on average over a 90-minute class.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

TICK = os.sysconf("SC_CLK_TCK")


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def tree_of(roots: list[int]) -> list[int]:
    tree, found, todo = _children(), [], list(roots)
    while todo:
        pid = todo.pop()
        if pid not in found:
            found.append(pid)
            todo.extend(tree.get(pid, []))
    return found


def pss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds(pid: int) -> float:
    """CPU of ``pid`` and of the children it has reaped (the local cloud reaps its environments)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(f) for f in fields[11:15]) / TICK


def cloud_cpu(pid: int | None) -> float:
    """CPU of the local cloud, its live execution environments and the ones it has reaped."""
    return sum(cpu_seconds(p) for p in tree_of([pid])) if pid else 0.0


class Sampler(threading.Thread):
    """Peak PSS of this process's children (the kernels) and the local cloud, with their trees."""

    def __init__(self, state_dir: Path) -> None:
        super().__init__(daemon=True)
        self.state_dir = state_dir
        self.peak_mb = 0.0
        self.cloud_pid: int | None = None
        self.kernel_cpu: dict[int, float] = {}
        self.running = True

    def run(self) -> None:
        while self.running:
            state = self.state_dir / "local-cloud.json"
            if self.cloud_pid is None and state.exists():
                with contextlib.suppress(ValueError, KeyError, OSError):
                    self.cloud_pid = int(json.loads(state.read_text())["pid"])
            kernels = _children().get(os.getpid(), [])
            for pid in kernels:
                self.kernel_cpu[pid] = max(self.kernel_cpu.get(pid, 0.0), cpu_seconds(pid))
            roots = kernels + ([self.cloud_pid] if self.cloud_pid else [])
            self.peak_mb = max(self.peak_mb, sum(pss_mb(pid) for pid in tree_of(roots)))
            time.sleep(0.2)


def run(names: list[str] | None) -> int:
    import nbformat
    from nbclient import NotebookClient

    from infra.local import control
    from infra.notebooks import NOTEBOOKS, notebook_paths

    state = Path(tempfile.mkdtemp(prefix="kit-bench-learner-"))
    os.environ.update({"KIT_STATE_DIR": str(state), "KIT_MODE": "local"})
    os.environ.pop("KIT_LEARNER", None)
    sampler = Sampler(state)
    sampler.start()
    rows = []
    total_wall = 0.0
    try:
        for path in notebook_paths(names):
            sampler.peak_mb = 0.0
            cloud_before = cloud_cpu(sampler.cloud_pid)
            kernels_before = sum(sampler.kernel_cpu.values())
            started = time.monotonic()
            notebook = nbformat.read(path, as_version=4)
            NotebookClient(
                notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
            ).execute()
            wall = time.monotonic() - started
            total_wall += wall
            time.sleep(0.3)  # one more sample after the kernel is gone
            cloud = cloud_cpu(sampler.cloud_pid) - cloud_before
            kernels = sum(sampler.kernel_cpu.values()) - kernels_before
            rows.append((path.stem, wall, sampler.peak_mb, kernels + cloud))
            print(
                f"{path.stem:28} {wall:6.1f} s wall, peak {sampler.peak_mb:6.0f} MB PSS, "
                f"CPU {kernels + cloud:5.1f} s (kernel {kernels:4.1f}, local cloud {cloud:4.1f})",
                flush=True,
            )
        steady = sum(pss_mb(pid) for pid in tree_of([sampler.cloud_pid])) if sampler.cloud_pid else 0.0
    finally:
        sampler.running = False
        control.stop(state)
    cpu = sum(r[3] for r in rows)
    peak = max(r[2] for r in rows)
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(
        f"one learner, {len(rows)} notebooks: {total_wall:.0f} s wall, {cpu:.0f} CPU s "
        f"({cpu / total_wall:.2f} cores while running), peak {peak:.0f} MB PSS, local cloud at the end {steady:.0f} MB"
    )
    print(
        f"thirty learners: {30 * peak / 1024:.1f} GB at the peak ({30 * steady / 1024:.1f} GB of local clouds idling "
        f"between notebooks); {30 * cpu / total_wall:.1f} cores if all ran the notebooks back to back at the same "
        f"moment (the worst case), {30 * cpu / 5400:.2f} cores on average over a 90-minute class"
    )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notebooks", nargs="*", default=None, help="notebook prefixes (default: all)")
    return run(parser.parse_args().notebooks)


if __name__ == "__main__":
    sys.exit(main())
