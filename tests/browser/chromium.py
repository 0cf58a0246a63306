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


def trust_local_ca() -> str:
    """The flag that makes one Chromium profile trust the learner's local CA (``--ignore-certificate-errors-spki-list``
    with the SHA-256 of the CA's public key; Chromium honours it only with a ``--user-data-dir``, which Playwright
    always passes), as the README tells a learner to start Chromium for a session."""
    import base64
    import hashlib

    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    from infra.local import control

    ca = x509.load_pem_x509_certificate(control.ca_certificate().read_bytes())
    der = ca.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return f"--ignore-certificate-errors-spki-list={base64.b64encode(hashlib.sha256(der).digest()).decode()}"
