"""Where the browser tests find Chromium (Debian's, which ``.ci/run`` installs) and how they start it.

The flags are the ones this machine's closed network needs: no background networking, no QUIC, no update
or sync, and no sandbox (the tests may run as root).
"""

from __future__ import annotations

import shutil

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
