"""Waiting for a slow AWS change (a distribution to deploy, a certificate to be issued): poll, report, give up."""

from __future__ import annotations

import time
from collections.abc import Callable

#: Called after each check with the attempt number and the status seen.
Progress = Callable[[int, str], None]


def wait_for_status(
    read: Callable[[], str],
    *,
    done: str,
    delay: float,
    max_attempts: int,
    failed: tuple[str, ...] = (),
    progress: Progress | None = None,
    sleep: Callable[[float], None] = time.sleep,
    what: str,
    advice: str,
) -> str:
    """Call ``read`` until it returns ``done``; a status in ``failed`` raises ``RuntimeError`` at once, and
    ``TimeoutError`` (saying ``what`` and ``advice``) is raised after ``max_attempts`` checks."""
    for attempt in range(1, max_attempts + 1):
        status = read()
        if progress is not None:
            progress(attempt, status)
        if status == done:
            return status
        if status in failed:
            raise RuntimeError(f"{what} is {status}: {advice}")
        sleep(delay)
    raise TimeoutError(f"{what} is still not {done} after {max_attempts} checks: {advice}")
