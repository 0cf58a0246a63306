"""Write execution-environment logs to CloudWatch Logs as Lambda does, into moto's logs backend.

Emulates: the log group ``/aws/lambda/<function>`` created on first write, one log stream per execution
environment named ``YYYY/MM/DD/[<version>]<32 hex>`` (aws-behaviour research: LocalStack snapshot), one log
event per line with the time it was written.

Choice: what it writes is kept as ``retention.py`` says (recent events only), not by age as CloudWatch Logs
keeps them.
"""

from __future__ import annotations

import contextlib
import secrets
import time
from typing import Any, Protocol

from .retention import Retention, added_bytes


class LogSink(Protocol):
    def put(self, account_id: str, region: str, group: str, stream: str, events: list[tuple[int, str]]) -> None: ...


def new_stream_name(version: str, now: float | None = None) -> str:
    day = time.strftime("%Y/%m/%d", time.gmtime(now if now is not None else time.time()))
    return f"{day}/[{version}]{secrets.token_hex(16)}"


class MotoLogSink:
    """Puts log events straight into moto's in-process CloudWatch Logs backend, keeping the recent ones."""

    def __init__(self, retention: Retention | None = None) -> None:
        from . import moto_gaps

        moto_gaps.apply()  # events dropped by the retention are really let go
        self.retention = retention or Retention()

    def put(self, account_id: str, region: str, group: str, stream: str, events: list[tuple[int, str]]) -> None:
        if not events:
            return
        from moto.logs.exceptions import ResourceAlreadyExistsException
        from moto.logs.models import logs_backends

        backend: Any = logs_backends[account_id][region]
        log_group = backend.groups.get(group)
        if log_group is None or stream not in log_group.streams:
            if log_group is None:
                backend.create_log_group(group, tags={})
            with contextlib.suppress(ResourceAlreadyExistsException):
                backend.create_log_stream(group, stream)
            self.retention.trim_group(backend.groups[group], keep=stream)
        # PutLogEvents wants chronological order; a stable sort keeps lines of the same millisecond in order.
        ordered = sorted(events, key=lambda event: event[0])
        backend.put_log_events(group, stream, [{"timestamp": ts, "message": msg} for ts, msg in ordered])
        written = backend.groups[group].streams[stream]
        added_bytes(written, [message for _, message in ordered])
        self.retention.trim_stream(written, newest=len(ordered))
