"""Read Lambda's log lines: the REPORT line of an invocation, and the ``LogType=Tail`` log; tabulate them.

The REPORT field names (``Init Duration``, ``Billed Duration`` ...) stay in English in both languages: they are
the log line's own words, which AWS's Korean documentation keeps too.
"""

from __future__ import annotations

import base64
import re

import pandas as pd

from .i18n import t

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


def cold_and_warm_table(invocations: list[tuple[dict[str, object], int]], lang: str | None = None) -> pd.DataFrame:
    """One row per invocation, from its REPORT fields and the handler's count of invocations in its
    environment: cold or warm, and the REPORT line's durations and memory (column names in ``lang``)."""
    rows = []
    for number, (report, count) in enumerate(invocations, start=1):
        cold = bool(report["cold"])
        rows.append(
            {
                t("reports.invocation", lang): number,
                t("reports.start", lang): t("reports.cold" if cold else "reports.warm", lang),
                t("reports.invocations_here", lang): count,
                "Init Duration": f"{report['Init Duration (ms)']:8.2f} ms" if cold else "",
                "Duration": f"{report['Duration (ms)']:8.2f} ms",
                "Billed Duration": f"{report['Billed Duration (ms)']:6d} ms",
                "Max Memory Used": f"{report['Max Memory Used (MB)']:4d} MB",
            }
        )
    return pd.DataFrame(rows).set_index(t("reports.invocation", lang))


def initialization_table(
    results: list[tuple[dict[str, object], dict[str, object]]], lang: str | None = None
) -> pd.DataFrame:
    """One row per invocation of ``handlers/release.py`` (its answer, and its REPORT fields): how its environment
    was initialised, the version that ran, and ``Init Duration`` if INIT ran for it. Sorted by initialisation
    type, so that invocations sent at once read the same whichever finished first."""
    rows = []
    for answer, report in results:
        init = report.get("Init Duration (ms)")
        rows.append(
            {
                "AWS_LAMBDA_INITIALIZATION_TYPE": answer["initialization"],
                t("versions.version", lang): answer["version"],
                "Init Duration": f"{init:8.2f} ms" if isinstance(init, float) else "",
                "Duration": f"{report['Duration (ms)']:8.2f} ms",
            }
        )
    rows.sort(key=lambda row: str(row["AWS_LAMBDA_INITIALIZATION_TYPE"]))
    return pd.DataFrame(rows, index=pd.RangeIndex(1, len(rows) + 1))
