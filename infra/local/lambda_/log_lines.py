"""An execution environment's output cut into CloudWatch Logs events, in linear time and bounded memory.

Emulates: one log event per line of output. An event is at most ``MAX_EVENT_BYTES``: PutLogEvents
documents "Each log event can be no larger than 1 MB", counting the UTF-8 message plus 26 bytes of
overhead (docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html; it said
256 KB before 2025).
Choice (no source states what Lambda does with a longer line): the line is split into events of that
size, in order. Choice: one invocation keeps at most ``INVOCATION_LOG_CAP`` bytes of log events (the
local cloud holds them in memory until the invocation ends); past it the rest of its output is counted,
not kept, and one marker line says how much was dropped. AWS has no such cap (it bills ingestion).
"""

from __future__ import annotations

MAX_EVENT_BYTES = 1_048_576 - 26
INVOCATION_LOG_CAP = 16 * 1_048_576


def dropped_marker(dropped: int) -> str:
    return (
        f"[local cloud] {dropped} bytes of this invocation's log output were dropped: "
        f"it keeps at most {INVOCATION_LOG_CAP // 1_048_576} MiB of log per invocation"
    )


class LineSplitter:
    """Bytes in, complete log messages out; a partial line never holds more than one event's bytes.

    Each byte is copied a bounded number of times (into ``_partial`` at most once), so output of any size
    costs linear time: no buffer is rebuilt per chunk.
    """

    def __init__(self, max_event: int = MAX_EVENT_BYTES) -> None:
        self.max_event = max_event
        self._partial = bytearray()

    @property
    def pending(self) -> int:
        """Bytes of an unfinished line held back."""
        return len(self._partial)

    def feed(self, chunk: bytes) -> list[bytes]:
        """The messages ``chunk`` completes: every full line, and every full event's worth of a long line."""
        messages: list[bytes] = []
        start = 0
        while start < len(chunk):
            newline = chunk.find(b"\n", start)
            end = newline if newline >= 0 else len(chunk)
            room = self.max_event - len(self._partial)
            if end - start >= room:  # this line fills an event: emit exactly one event's worth
                messages.append(bytes(self._partial) + chunk[start : start + room])
                self._partial.clear()
                start += room
                if start == newline:  # the line ended exactly at the event's end
                    start += 1
                continue
            self._partial += chunk[start:end]
            if newline < 0:
                break
            messages.append(bytes(self._partial))
            self._partial.clear()
            start = newline + 1
        return messages

    def flush(self) -> list[bytes]:
        """What is left when the output ends (a last line without a newline)."""
        if not self._partial:
            return []
        rest = bytes(self._partial)
        self._partial.clear()
        return [rest]


def decode(message: bytes) -> str:
    """A message as text; a multi-byte character cut at an event boundary becomes U+FFFD."""
    return message.decode("utf-8", "replace")
