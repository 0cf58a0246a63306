"""Read Lambda's log lines: the REPORT line of an invocation, and the ``LogType=Tail`` log."""

from __future__ import annotations

import base64
import re

_FIELD = re.compile(r"([A-Za-z ]+): ([\d.]+) (ms|MB)")


def tail_text(log_result: str) -> str:
    """Decode the ``LogResult`` of an ``Invoke`` call made with ``LogType="Tail"``."""
    return base64.b64decode(log_result).decode("utf-8", "replace")


def parse_report(line: str) -> dict[str, object]:
    """``REPORT RequestId: ...\\tDuration: 1.23 ms\\t...`` as a dict; ``cold`` says whether INIT ran."""
    if not line.startswith("REPORT RequestId:"):
        raise ValueError(f"not a REPORT line: {line[:60]!r}")
    fields: dict[str, object] = {"RequestId": line.split("\t", 1)[0].split(": ", 1)[1]}
    for name, value, unit in _FIELD.findall(line):
        key = f"{name.strip()} ({unit})"
        fields[key] = float(value) if "." in value else int(value)
    fields["cold"] = "Init Duration (ms)" in fields
    return fields


def report_from_tail(log_result: str) -> dict[str, object]:
    """The REPORT fields of the invocation whose ``LogResult`` this is."""
    for line in reversed(tail_text(log_result).splitlines()):
        if line.startswith("REPORT "):
            return parse_report(line)
    raise ValueError("the log tail holds no REPORT line")
