"""How much of a learner's Lambda logs the local cloud keeps in moto's CloudWatch Logs backend.

Emulates nothing: CloudWatch Logs keeps log events by age, never by count. A log group's retention setting
is a number of days (PutRetentionPolicy ``retentionInDays``: 1, 3, 5, 7, 14, ... 3653); without one, "the
events in the log group are always retained and never expire", and expired events are deleted up to 72 hours
late (docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html).

Choice (a laptop holds every event in memory, about 1 KB per invocation): the kit keeps a learner's recent
logs and drops the rest, oldest first, so memory stays flat however long the local cloud runs:

- per log stream (one per execution environment) at most ``max_events_per_stream`` events and
  ``max_bytes_per_stream`` characters of messages (what moto's ``storedBytes`` counts); the newest write
  (one invocation's lines, START to REPORT) is always kept whole, so ``get_log_events`` and
  ``filter_log_events`` still show the latest invocations;
- per log group (one per function) at most ``max_streams_per_group`` streams; past it the stream written to
  least recently is deleted whole (a live environment that writes again gets its stream back).

Trimming runs only after a stream grows ``slack`` past its cap, so its cost is spread over many writes.
Only what the kit writes is trimmed: events a learner puts with PutLogEvents are left alone. ``LogType=Tail``
does not read CloudWatch Logs (the invocation carries its own log), so it is never affected.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: Where the kit keeps its count of a stream's message bytes: on moto's own LogStream object, so it lives
#: and dies with the stream (no second registry of log state).
_BYTES = "_kit_retained_bytes"


@dataclass(frozen=True)
class Retention:
    max_events_per_stream: int = 1_000
    max_bytes_per_stream: int = 256 * 1024
    max_streams_per_group: int = 100
    slack: float = 0.25

    def trim_stream(self, stream: Any, newest: int) -> int:
        """Drop the oldest events of a moto LogStream past the caps, never the ``newest`` ones; return how many."""
        events: list[Any] = stream.events
        size = getattr(stream, _BYTES, None)
        if size is None:
            size = sum(len(event.message) for event in events)
        over_count = len(events) > self.max_events_per_stream * (1 + self.slack)
        over_bytes = size > self.max_bytes_per_stream * (1 + self.slack)
        if not (over_count or over_bytes):
            setattr(stream, _BYTES, size)
            return 0
        limit = len(events) - newest
        cut = min(max(0, len(events) - self.max_events_per_stream), limit)
        dropped = sum(len(event.message) for event in events[:cut])
        while cut < limit and size - dropped > self.max_bytes_per_stream:
            dropped += len(events[cut].message)
            cut += 1
        del events[:cut]
        setattr(stream, _BYTES, size - dropped)
        return cut

    def trim_group(self, group: Any, keep: str) -> list[str]:
        """Delete the least recently written streams of a moto LogGroup past the cap (never ``keep``)."""
        streams: dict[str, Any] = group.streams
        doomed: list[str] = []
        while len(streams) > self.max_streams_per_group:
            candidates = [name for name in streams if name != keep]
            if not candidates:
                break
            oldest = min(candidates, key=lambda name: _last_written(streams[name]))
            group.delete_log_stream(oldest)
            doomed.append(oldest)
        return doomed


def added_bytes(stream: Any, messages: list[str]) -> None:
    """Count ``messages`` just written into a stream's retained bytes (if the count was started)."""
    size = getattr(stream, _BYTES, None)
    if size is not None:
        setattr(stream, _BYTES, size + sum(len(message) for message in messages))


def _last_written(stream: Any) -> float:
    when = stream.last_ingestion_time or stream.creation_time
    return float(when.timestamp())
