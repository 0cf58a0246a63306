"""A progress bar for the long waits of a deployment (CloudFront ``InProgress -> Deployed``, certificates).

The bar moves after each check; at the end one line is printed that does not depend on timing (nbval
compares it; the widget's own traffic is not compared).
"""

from __future__ import annotations

import time

import ipywidgets as widgets
from IPython.display import display

from .i18n import t


class WaitProgress:
    """Pass an instance as ``progress=`` to a wait step: it is called with (attempt, status) after each check."""

    def __init__(self, what: str, *, max_attempts: int, done: str = "Deployed") -> None:
        self.what = what
        self.done = done
        self.started = time.monotonic()
        self.bar = widgets.IntProgress(
            value=0, min=0, max=max_attempts, description=t("progress.waiting"), bar_style="info"
        )
        self.label = widgets.HTML(value=t("progress.checking", what=what))
        self.statuses: list[str] = []
        display(widgets.HBox([self.bar, self.label]))

    def __call__(self, attempt: int, status: str) -> None:
        self.statuses.append(status)
        self.bar.value = min(attempt, self.bar.max)
        elapsed = time.monotonic() - self.started
        self.label.value = t(
            "progress.status", what=self.what, status=status, elapsed=f"{elapsed:.0f}", attempt=attempt
        )
        if status == self.done:
            self.bar.value = self.bar.max
            self.bar.bar_style = "success"
            seen = " -> ".join(dict.fromkeys(self.statuses))
            print(f"{self.what}: {seen}")
