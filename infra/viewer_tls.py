"""What a viewer's TLS handshake shows: the certificate a server presents for a name, as a browser would get it.

In aws mode the kit connects to the name's address (or to ``via``, e.g. the distribution's own domain before
the name resolves) on port 443, with the name as SNI, and checks the certificate against the system's
roots. In local mode it connects to the local cloud's TLS port with the same SNI and checks it against the
learner's local certificate authority (``infra/local/tls/authority.py``). Either way the check is the
browser's: the chain, the dates, and the name.
"""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.x509.oid import NameOID

from .local import control
from .local.acm.issuance import acm_serial


@dataclass(frozen=True)
class PresentedCertificate:
    server_name: str
    subject: str  # the CN
    names: tuple[str, ...]  # the SANs
    issuer: str  # the issuer's CN
    not_before: str  # ISO 8601, UTC
    not_after: str
    days: float
    serial: int
    tls_version: str
    cipher: str


def _cn(name: x509.Name) -> str:
    found = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(found[0].value) if found else name.rfc4514_string()


def presented_certificate(
    kit: Any, name: str, *, via: str | None = None, timeout: float = 10.0
) -> PresentedCertificate:
    """The certificate presented for SNI ``name``; ``ssl.SSLError`` if the handshake or the check fails."""
    if kit.local:
        host, port = "127.0.0.1", kit.tls_port
        context = control.client_tls_context()
    else:
        host, port = via or name, 443
        context = ssl.create_default_context()
    with (
        socket.create_connection((host, port), timeout=timeout) as raw,
        context.wrap_socket(raw, server_hostname=name) as tls,
    ):
        der = tls.getpeercert(binary_form=True)
        version, cipher = str(tls.version()), tls.cipher()[0]
    assert der is not None
    certificate = x509.load_der_x509_certificate(der)
    sans = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    start, end = certificate.not_valid_before_utc, certificate.not_valid_after_utc
    return PresentedCertificate(
        server_name=name,
        subject=_cn(certificate.subject),
        names=tuple(sans.get_values_for_type(x509.DNSName)),
        issuer=_cn(certificate.issuer),
        not_before=start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        not_after=end.strftime("%Y-%m-%dT%H:%M:%SZ"),
        days=round((end - start).total_seconds() / 86400, 1),
        serial=certificate.serial_number,
        tls_version=version,
        cipher=cipher,
    )


def is_certificate(presented: PresentedCertificate, described: dict[str, Any]) -> bool:
    """Is the presented certificate the one ACM describes (``DescribeCertificate``'s ``Certificate``)?"""
    return acm_serial(presented.serial) == described["Serial"]


def certificate_table(kit: Any, presented: PresentedCertificate) -> Any:
    """The certificate as a two-column table, in the kit's language."""
    import pandas as pd

    rows = [
        (kit.t("tls.server_name"), presented.server_name),
        (kit.t("tls.subject"), f"CN={presented.subject}"),
        *((kit.t("tls.names") if i == 0 else "", name) for i, name in enumerate(presented.names)),
        (kit.t("tls.issuer"), presented.issuer),
        (kit.t("tls.valid_from"), presented.not_before),
        (kit.t("tls.valid_until"), presented.not_after),
        (kit.t("tls.days"), f"{presented.days:g}"),
        (kit.t("tls.version"), f"{presented.tls_version} ({presented.cipher})"),
    ]
    return pd.DataFrame(rows, columns=[kit.t("tls.field"), kit.t("tls.value")]).set_index(kit.t("tls.field"))


def handshake_outcome(kit: Any, name: str, *, via: str | None = None) -> str:
    """One line: the certificate's names, or why the handshake failed (as a browser would report it)."""
    try:
        presented = presented_certificate(kit, name, via=via)
    except (ssl.SSLError, OSError) as error:
        reason = getattr(error, "reason", None) or type(error).__name__
        return kit.t("tls.refused", name=name, reason=reason)
    return kit.t("tls.presented", name=name, names=", ".join(presented.names), version=presented.tls_version)
