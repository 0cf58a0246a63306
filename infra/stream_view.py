"""A live view of a streaming response in the notebook: progress, a chart of lines over time with the limit
the stream must outlast (API Gateway's 29 s, CloudFront's 30 s read timeout) drawn on it, the latest line in
words, elapsed time, bytes and time to first byte, updated as each chunk arrives; it ends by printing one
summary line that does not depend on timing (nbval compares it; the widget's own traffic is not compared).

The chart is an SVG drawn by ``chart_svg`` into an ``ipywidgets.HTML``: no plotting library in the loop, so a
redraw per chunk costs microseconds and works wherever the widget does (JupyterLab, a hub, nbclient)."""

from __future__ import annotations

import html
import math
import re
import time
from collections.abc import Iterator, Sequence
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


#: A line of the kit's counters: the count, the seconds since the function started, the epoch time.
_COUNTER_LINE = re.compile(r"^(\d+) (\d+(?:\.\d+)?)(?: \d+(?:\.\d+)?)?$")


def readable(line: str, arrived_s: float, lang: str | None = None) -> str:
    """A counter's line (``22 21.000 1796165637.238``) in words, with when it arrived; any other line as is."""
    found = _COUNTER_LINE.match(line.strip())
    if found is None:
        return html.escape(line)
    return t("stream.counter_line", lang, count=found[1], written=f"{float(found[2]):.1f}", arrived=f"{arrived_s:.1f}")


def _axis_end(value: float, step: float) -> float:
    return max(step, math.ceil(value / step) * step)


def chart_svg(
    arrivals_s: Sequence[float],
    *,
    expected: int,
    limit_s: float | None = None,
    width: int = 520,
    height: int = 180,
    lang: str | None = None,
) -> str:
    """Lines received (y) against seconds since the request (x) as an SVG, with ``limit_s`` drawn as a dashed
    line: a stream still climbing right of it has outlasted the limit."""
    left, right, top, bottom = 44, 12, 22, 30
    x_end = _axis_end(max([*arrivals_s[-1:], (limit_s or 0) * 1.15, 1.0]), 5.0)
    y_end = float(max(expected, len(arrivals_s), 1))
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(seconds: float) -> float:
        return left + plot_w * seconds / x_end

    def y(count: float) -> float:
        return top + plot_h * (1 - count / y_end)

    points = [(x(0), y(0))]
    for count, seconds in enumerate(arrivals_s, start=1):
        points += [(x(seconds), y(count - 1)), (x(seconds), y(count))]
    path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
    ticks = "".join(
        f'<line x1="{x(s):.1f}" y1="{y(0):.1f}" x2="{x(s):.1f}" y2="{y(0) + 4:.1f}" stroke="#888"/>'
        f'<text x="{x(s):.1f}" y="{height - 14}" font-size="10" text-anchor="middle">{s:g}</text>'
        for s in range(0, int(x_end) + 1, 5 if x_end <= 60 else 10)
    )
    parts = [
        f'<svg class="kit-stream-chart" data-lines="{len(arrivals_s)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif">',
        f'<line x1="{left}" y1="{y(0):.1f}" x2="{width - right}" y2="{y(0):.1f}" stroke="#888"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{y(0):.1f}" stroke="#888"/>',
        ticks,
        f'<text x="{left - 6}" y="{y(y_end) + 4:.1f}" font-size="10" text-anchor="end">{y_end:g}</text>',
        f'<text x="{left - 6}" y="{y(0):.1f}" font-size="10" text-anchor="end">0</text>',
        f'<text x="{width - right}" y="{height - 2}" font-size="10" text-anchor="end">'
        f"{html.escape(t('stream.axis_seconds', lang))}</text>",
        f'<text x="4" y="12" font-size="10">{html.escape(t("stream.axis_lines", lang))}</text>',
    ]
    if limit_s is not None:
        label = html.escape(t("stream.limit", lang, seconds=f"{limit_s:g}"))
        parts.append(
            f'<line class="kit-stream-limit" x1="{x(limit_s):.1f}" y1="{top}" x2="{x(limit_s):.1f}" '
            f'y2="{y(0):.1f}" stroke="#d62728" stroke-dasharray="5,4"/>'
            f'<text x="{x(limit_s) - 4:.1f}" y="{top + 10}" font-size="10" fill="#d62728" '
            f'text-anchor="end">{label}</text>'
        )
    parts.append(f'<polyline points="{path}" fill="none" stroke="#1f77b4" stroke-width="2"/></svg>')
    return "".join(parts)


class StreamView:
    """The widget: a progress bar towards ``expected`` lines, the chart, the latest line and live figures."""

    def __init__(self, title: str, expected: int, limit_s: float | None = None) -> None:
        self.expected, self.limit_s = expected, limit_s
        self.progress = widgets.IntProgress(
            value=0, min=0, max=max(1, expected), description=title, layout=widgets.Layout(width="60%")
        )
        self.chart = widgets.HTML(value=chart_svg([], expected=expected, limit_s=limit_s))
        self.current = widgets.HTML(value=f"<b>{t('stream.waiting')}</b>")
        self.figures = widgets.HTML(value="")
        self.box = widgets.VBox([self.progress, self.chart, self.current, self.figures])

    def update(self, summary: StreamSummary) -> None:
        self.progress.value = min(len(summary.lines), self.progress.max)
        self.chart.value = chart_svg(summary.arrivals_s, expected=self.expected, limit_s=self.limit_s)
        if summary.lines:
            self.current.value = f"<b>{readable(summary.lines[-1], summary.arrivals_s[-1])}</b>"
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
    view = StreamView(title, expected, past_seconds)
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
