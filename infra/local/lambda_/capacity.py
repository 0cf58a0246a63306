"""How many execution environments this machine can hold, and how many invocations may run at once.

Emulates: an account's concurrency, 1,000 concurrent executions per Region by default (AWS What's New
2017-11-30 "Set concurrency limits on individual AWS Lambda functions"; the SDKs' ``AccountLimit``
documentation; docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html); an invocation past it is
throttled with ``ConcurrentInvocationLimitExceeded``. Lambda keeps a function's environments for reuse after
an invocation and reclaims idle ones on its own schedule (lambda-runtime-environment.html, the environment
lifecycle); it has no account-wide cap on idle environments.

Choice (a laptop is not a region): memory, not AWS, bounds how many environments exist at once. The limit is
the memory the machine has available (``MemAvailable`` in ``/proc/meminfo``, else physical memory from
``os.sysconf``) times ``MEMORY_SHARE``, divided by what an idle environment costs here
(``IDLE_ENVIRONMENT_BYTES``), and never more than the open-file limit allows (``FDS_PER_ENVIRONMENT``,
half the soft ``RLIMIT_NOFILE`` kept for connections). It is computed once, when the local cloud starts;
``KIT_MAX_ENVIRONMENTS`` overrides it.

Measured (2026-12, Linux x86-64, Python 3.11, awslambdaric 4.2.2; one process per environment): an idle
environment of a small Python function is one ``sandbox_init.py`` process of 16 MB RSS (8 MB PSS, 7.6 MB
private dirty), and takes about 4 file descriptors in the local cloud's own process. ``IDLE_ENVIRONMENT_BYTES``
counts the RSS (shared pages in full: a safe side) and ``MEMORY_SHARE`` keeps half the available memory for
the handlers' own allocations, the learner's notebook and everything else.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: AWS's default account concurrency per Region (lambda-concurrency.html).
ACCOUNT_CONCURRENCY = 1000
#: Measured RSS of an idle environment here (see the module docstring).
IDLE_ENVIRONMENT_BYTES = 16 * 1024 * 1024
#: Choice: the share of available memory idle environments may fill.
MEMORY_SHARE = 0.5
#: Choice: file descriptors reserved per environment in the local cloud's process (about 4 measured).
FDS_PER_ENVIRONMENT = 8


@dataclass(frozen=True)
class EnvironmentLimit:
    """How many environments may exist at once, and where that number came from."""

    limit: int
    source: str  # "memory", "file descriptors" or "KIT_MAX_ENVIRONMENTS"
    available_bytes: int | None = None


def available_memory_bytes(meminfo: Path = Path("/proc/meminfo")) -> int | None:
    """``MemAvailable`` (Linux), else physical memory (``os.sysconf``), else None."""
    try:
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_PHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (OSError, ValueError, AttributeError):
        return None


def file_descriptor_limit() -> int | None:
    try:
        import resource
    except ImportError:
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return None if soft == resource.RLIM_INFINITY else int(soft)


def derived_limit(available_bytes: int | None, open_files: int | None) -> EnvironmentLimit:
    """The memory-derived limit (at least 1), lowered to what the open-file limit allows."""
    by_memory = ACCOUNT_CONCURRENCY if available_bytes is None else available_bytes * MEMORY_SHARE
    limit = max(1, int(by_memory // IDLE_ENVIRONMENT_BYTES)) if available_bytes is not None else int(by_memory)
    source = "memory"
    if open_files is not None:
        by_files = max(1, open_files // 2 // FDS_PER_ENVIRONMENT)
        if by_files < limit:
            limit, source = by_files, "file descriptors"
    return EnvironmentLimit(limit, source, available_bytes)


def environment_limit(environ: dict[str, str] | None = None) -> EnvironmentLimit:
    """``KIT_MAX_ENVIRONMENTS`` when set, else what this machine's memory and open-file limit allow."""
    value = (environ if environ is not None else os.environ).get("KIT_MAX_ENVIRONMENTS")
    if value:
        return EnvironmentLimit(max(1, int(value)), "KIT_MAX_ENVIRONMENTS")
    return derived_limit(available_memory_bytes(), file_descriptor_limit())
