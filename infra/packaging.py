"""Build deployment packages (zip files) from ``handlers/``, byte-for-byte reproducible.

The same handler source always gives the same zip and so the same ``CodeSha256``: re-running a notebook
does not redeploy code that has not changed.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

HANDLERS = Path(__file__).resolve().parents[1] / "handlers"
_EPOCH = (1980, 1, 1, 0, 0, 0)


def build_zip(*modules: str, handlers_dir: Path = HANDLERS) -> bytes:
    """A zip holding ``handlers/<module>.py`` for each module, at the zip's root."""
    if not modules:
        raise ValueError("name at least one handler module, e.g. build_zip('api')")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for module in sorted(set(modules)):
            source = handlers_dir / f"{module}.py"
            if not source.is_file():
                known = ", ".join(sorted(p.stem for p in handlers_dir.glob("*.py")))
                raise FileNotFoundError(f"no handler {source.name} in {handlers_dir} (there are: {known})")
            info = zipfile.ZipInfo(source.name, date_time=_EPOCH)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, source.read_bytes())
    return buffer.getvalue()


#: The configuration that makes a Python managed runtime start the kit's streaming runtime.
STREAMING_ENVIRONMENT = {"AWS_LAMBDA_EXEC_WRAPPER": "/var/task/stream_bootstrap"}


def build_streaming_zip(*modules: str, handlers_dir: Path = HANDLERS) -> bytes:
    """A zip for a streaming function: its modules, ``streaming_runtime.py`` and the executable
    ``stream_bootstrap`` wrapper (set ``STREAMING_ENVIRONMENT`` on the function to use them)."""
    if not modules:
        raise ValueError("name at least one handler module, e.g. build_streaming_zip('counter')")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        entries = [(f"{m}.py", 0o644) for m in sorted({*modules, "streaming_runtime"})] + [("stream_bootstrap", 0o755)]
        for name, mode in entries:
            source = handlers_dir / name
            if not source.is_file():
                raise FileNotFoundError(f"no {name} in {handlers_dir}")
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.external_attr = mode << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, source.read_bytes())
    return buffer.getvalue()
