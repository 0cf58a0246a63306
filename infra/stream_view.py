"""A live view of a streaming response in the notebook: progress, current value, elapsed time, bytes and
time to first byte, updated as each chunk arrives; it ends by printing one summary line that does not
depend on timing (nbval compares it; the widget's own traffic is not compared)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import ipywidgets as widgets
import pandas as pd
from IPython.display import display

from .i18n import t, verdict


@dataclass
class StreamSummary:
    lines: list[str] = field(default_factory=list)
    bytes: int = 0
    first_byte_s: float | None = None
    total_s: float = 0.0
    arrivals_s: list[float] = field(default_factory=list)

    def line(self, *, past_seconds: float | None = None, lang: str | None = None) -> str:
        """The deterministic summary: how many lines, the last one's value, and (optionally) whether the
        stream outlasted ``past_seconds`` (in ``lang``, default the kit's language)."""
        last = self.lines[-1].split()[0] if self.lines else t("stream.nothing", lang)
        text = t("stream.summary", lang, count=len(self.lines), last=last)
        if past_seconds is not None:
            outlasted = verdict(self.total_s > past_seconds, lang)
            text += t("stream.past", lang, seconds=f"{past_seconds:g}", verdict=outlasted)
        return text


class StreamView:
    """The widget: a progress bar towards ``expected`` lines and a few live figures."""

    def __init__(self, title: str, expected: int) -> None:
        self.progress = widgets.IntProgress(
            value=0, min=0, max=max(1, expected), description=title, layout=widgets.Layout(width="60%")
        )
        self.current = widgets.HTML(value=f"<b>{t('stream.waiting')}</b>")
        self.figures = widgets.HTML(value="")
        self.box = widgets.VBox([self.progress, self.current, self.figures])

    def update(self, summary: StreamSummary) -> None:
        self.progress.value = min(len(summary.lines), self.progress.max)
        if summary.lines:
            self.current.value = f"<b>{summary.lines[-1]}</b>"
        ttfb = f"{summary.first_byte_s:.2f} s" if summary.first_byte_s is not None else "–"
        self.figures.value = t(
            "stream.figures",
            elapsed=f"{summary.total_s:.1f} s",
            bytes=summary.bytes,
            lines=len(summary.lines),
            ttfb=ttfb,
        )


def follow(chunks: Iterator[bytes], summary: StreamSummary, started: float, on_update=None) -> StreamSummary:  # type: ignore[no-untyped-def]
    """Consume byte chunks, splitting lines, timing each arrival; call ``on_update`` after each chunk."""
    pending = b""
    for chunk in chunks:
        now = time.monotonic() - started
        if summary.first_byte_s is None and chunk:
            summary.first_byte_s = now
        summary.bytes += len(chunk)
        pending += chunk
        *complete, pending = pending.split(b"\n")
        for line in complete:
            summary.lines.append(line.decode("utf-8", "replace"))
            summary.arrivals_s.append(now)
        summary.total_s = now
        if on_update is not None:
            on_update(summary)
    if pending:
        summary.lines.append(pending.decode("utf-8", "replace"))
        summary.arrivals_s.append(time.monotonic() - started)
    summary.total_s = time.monotonic() - started
    return summary


def watch(http, url: str, *, expected: int, title: str = "stream", past_seconds: float | None = None) -> StreamSummary:  # type: ignore[no-untyped-def]
    """GET ``url`` with ``http`` (an httpx client), show it live, print the summary line, return the figures."""
    view = StreamView(title, expected)
    display(view.box)
    started = time.monotonic()
    with http.stream("GET", url) as response:
        response.raise_for_status()
        summary = follow(response.iter_raw(), StreamSummary(), started, view.update)
    view.update(summary)
    print(summary.line(past_seconds=past_seconds))
    return summary


def timed_lines(http, url: str) -> StreamSummary:  # type: ignore[no-untyped-def]
    """The lines of ``url``'s response and when each arrived, without a widget."""
    started = time.monotonic()
    with http.stream("GET", url) as response:
        response.raise_for_status()
        return follow(response.iter_raw(), StreamSummary(), started)


def arrival_table(arrivals: dict[str, StreamSummary], lang: str | None = None) -> pd.DataFrame:
    """The counter's lines, when the function wrote each (its second field) and when it arrived in each invoke
    mode: ``arrivals`` maps a mode (``RESPONSE_STREAM``, ``BUFFERED``) to the lines timed for it."""
    first = next(iter(arrivals.values()))
    columns: dict[str, list[str]] = {
        t("streaming.line", lang): [line.split()[0] for line in first.lines],
        t("streaming.written", lang): [f"{float(line.split()[1]):5.2f} s" for line in first.lines],
    }
    for mode, summary in arrivals.items():
        columns[t("streaming.arrived", lang, mode=mode)] = [f"{s:5.2f} s" for s in summary.arrivals_s]
    return pd.DataFrame(columns).set_index(t("streaming.line", lang))
