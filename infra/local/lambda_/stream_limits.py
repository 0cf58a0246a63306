"""The limits Lambda puts on a streamed response (aws-behaviour.md §6, configuration-response-streaming.html).

Emulates: at most 200 MB per response (20 MB until 2025-07-31); the first 6 MB go out as fast as they are
produced, then at most 2 MB/s (uncapped burst, then a sustained rate). A response that passes the cap ends
early with ``Function.ResponseSizeTooLarge``. MB here is 2^20 bytes (choice: the docs do not say).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable

from .invocation import StreamError

MB = 1024 * 1024
MAX_STREAMED = 200 * MB
UNCAPPED = 6 * MB
RATE = 2 * MB  # bytes per second after the first UNCAPPED bytes


async def within_limits(
    chunks: AsyncIterator[bytes],
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    max_bytes: int = MAX_STREAMED,
) -> AsyncIterator[bytes]:
    """Pass ``chunks`` on, paced to 2 MB/s after the first 6 MB, and cut at ``max_bytes``."""
    sent = 0
    capped_since: float | None = None
    async for chunk in chunks:
        if sent + len(chunk) > max_bytes:
            raise StreamError("Function.ResponseSizeTooLarge", f"the streamed response passed {max_bytes} bytes")
        if sent >= UNCAPPED:
            if capped_since is None:
                capped_since = clock()
            due = capped_since + (sent - UNCAPPED) / RATE
            wait = due - clock()
            if wait > 0:
                await sleep(wait)
        yield chunk
        sent += len(chunk)
