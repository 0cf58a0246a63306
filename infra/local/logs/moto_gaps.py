"""Where moto's CloudWatch Logs backend holds on to more than AWS's state: the kit's one correction.

moto's ``BaseModel.__new__`` appends every model instance it ever creates to its class's
``instances_tracked`` list, for the moto server's dashboard (``/moto-api/data.json``); nothing else of
moto's logs backend reads it, and only moto's reset empties it. Every log event a Lambda invocation writes
is a ``LogEvent`` model, so events the kit's retention (``retention.py``) has dropped from their stream
would still be held there, about 100 bytes and more per event, for as long as the local cloud runs.

Choice: ``LogEvent`` instances are not tracked (the local cloud does not serve moto's dashboard). Log
streams and groups still are.
"""

from __future__ import annotations

from typing import Any

from moto.logs.models import LogEvent

_applied = False


def _untracked_new(cls: type, *args: Any, **kwargs: Any) -> Any:
    return object.__new__(cls)


def apply() -> None:
    """Install the correction (idempotent); drop the events tracked so far."""
    global _applied
    if _applied:
        return
    LogEvent.__new__ = staticmethod(_untracked_new)  # type: ignore[assignment, method-assign]
    LogEvent.instances_tracked = []  # type: ignore[attr-defined]
    _applied = True
