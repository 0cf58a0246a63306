"""A small function's ``FunctionSpec`` for unit tests of the pool and the environments (no moto)."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from infra.local.lambda_.function_spec import FunctionSpec


def one_line_package() -> bytes:
    """A zip holding ``fn.py`` whose handler returns 1."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("fn.py", "def handler(event, context):\n    return 1\n")
    return buffer.getvalue()


def function_spec(name: str = "fn", region: str = "us-east-1", **overrides: Any) -> FunctionSpec:
    """``$LATEST`` of ``name`` on Python 3.12, 128 MB, 3 s, no environment; ``overrides`` replace any field."""
    fields: dict[str, Any] = {
        "account_id": "123456789012",
        "region": region,
        "function_name": name,
        "function_arn": f"arn:aws:lambda:{region}:123456789012:function:{name}",
        "version": "$LATEST",
        "handler": "fn.handler",
        "runtime": "python3.12",
        "memory_size": 128,
        "timeout": 3.0,
        "environment": (),
        "code_sha256": "sha",
        "revision": "r1",
        "reserved_concurrency": None,
    }
    return FunctionSpec(**{**fields, **overrides})
