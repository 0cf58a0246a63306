"""CloudFront's viewer security policies (``ViewerCertificate.MinimumProtocolVersion``) as OpenSSL settings.

Source: CloudFront Developer Guide, "Supported protocols and ciphers between viewers and CloudFront"
(secure-connections-supported-viewer-protocols-ciphers.html): each policy names the lowest protocol a
viewer may use and the ciphers CloudFront may choose, which it chooses "in the listed order from among the
ciphers that the viewer supports" (so the server's order wins: ``OP_CIPHER_SERVER_PREFERENCE``). The API
reference (``ViewerCertificate``) adds that with ``CloudFrontDefaultCertificate`` CloudFront "automatically
sets the security policy to TLSv1" whatever ``MinimumProtocolVersion`` says.

What OpenSSL here cannot do, and so is not emulated (said, not hidden):
- SSLv3 (OpenSSL 3 has none): the ``SSLv3`` policy accepts TLSv1 and up;
- the TLS 1.3 suites of a policy: Python's ``ssl`` cannot set them per context, so every policy offers all three,
  in CloudFront's order (``TLS_AES_128_GCM_SHA256`` first: ``tls/openssl.cnf``, which ``python -m infra.local
  serve`` runs under), and ``TLSv1.2_2025`` (which drops ``TLS_CHACHA20_POLY1305_SHA256``) still offers it;
- ciphers the local OpenSSL build lacks (``DES-CBC3-SHA``, ``RC4-MD5``) are skipped.
TLS 1.0 and 1.1 need OpenSSL's security level 0, so the policies that allow them set ``@SECLEVEL=0``.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from functools import cache

_GCM_CHACHA = [
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305",
    "ECDHE-RSA-CHACHA20-POLY1305",
]
_SHA2_CBC = [
    "ECDHE-ECDSA-AES128-SHA256",
    "ECDHE-RSA-AES128-SHA256",
    "ECDHE-ECDSA-AES256-SHA384",
    "ECDHE-RSA-AES256-SHA384",
]
_STATIC_RSA_GCM = ["AES128-GCM-SHA256", "AES256-GCM-SHA384", "AES128-SHA256"]
_SHA1_CBC = ["ECDHE-ECDSA-AES128-SHA", "ECDHE-RSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA", "ECDHE-RSA-AES256-SHA"]
_STATIC_RSA_SHA1 = ["AES128-SHA", "AES256-SHA"]
_LEGACY = ["DES-CBC3-SHA", "RC4-MD5"]


@dataclass(frozen=True)
class SecurityPolicy:
    name: str
    minimum: ssl.TLSVersion
    #: The TLS 1.2-and-below ciphers, in CloudFront's order of preference.
    ciphers: tuple[str, ...]


def _policy(name: str, minimum: ssl.TLSVersion, ciphers: list[str]) -> SecurityPolicy:
    return SecurityPolicy(name, minimum, tuple(ciphers))


_V1, _V11, _V12, _V13 = (
    ssl.TLSVersion(0x0301),  # TLSv1 (the lowest OpenSSL 3 speaks); by value: the names are deprecated
    ssl.TLSVersion(0x0302),
    ssl.TLSVersion.TLSv1_2,
    ssl.TLSVersion.TLSv1_3,
)
POLICIES: dict[str, SecurityPolicy] = {
    p.name: p
    for p in (
        _policy("SSLv3", _V1, _GCM_CHACHA + _SHA2_CBC + _SHA1_CBC + _STATIC_RSA_GCM + _STATIC_RSA_SHA1 + _LEGACY),
        _policy("TLSv1", _V1, _GCM_CHACHA + _SHA2_CBC + _SHA1_CBC + _STATIC_RSA_GCM + _STATIC_RSA_SHA1 + _LEGACY[:1]),
        _policy("TLSv1_2016", _V1, _GCM_CHACHA + _SHA2_CBC + _SHA1_CBC + _STATIC_RSA_GCM + _STATIC_RSA_SHA1),
        _policy("TLSv1.1_2016", _V11, _GCM_CHACHA + _SHA2_CBC + _SHA1_CBC + _STATIC_RSA_GCM + _STATIC_RSA_SHA1),
        _policy("TLSv1.2_2018", _V12, _GCM_CHACHA + _SHA2_CBC + _STATIC_RSA_GCM),
        _policy("TLSv1.2_2019", _V12, _GCM_CHACHA + _SHA2_CBC),
        _policy("TLSv1.2_2021", _V12, _GCM_CHACHA),
        _policy("TLSv1.2_2025", _V12, [c for c in _GCM_CHACHA if "CHACHA20" not in c]),
        _policy("TLSv1.3_2025", _V13, []),
    )
}
#: What a distribution on its ``*.cloudfront.net`` name (the default certificate) always gets.
DEFAULT_CERTIFICATE_POLICY = "TLSv1"


def policy(name: str | None) -> SecurityPolicy:
    """The policy called ``name`` (CloudFront's API default for a custom certificate, ``TLSv1``, if none)."""
    return POLICIES.get(name or "", POLICIES["TLSv1"])


@cache
def _silence_deprecation() -> None:
    import warnings

    warnings.filterwarnings("ignore", message=r"ssl\.TLSVersion\.TLSv1", category=DeprecationWarning)


def server_context(
    security: SecurityPolicy, certificate_pem: bytes, key_pem: bytes, chain_pem: bytes, scratch: str | None = None
) -> ssl.SSLContext:
    """A server-side ``SSLContext`` presenting ``certificate_pem`` (then ``chain_pem``) under ``security``;
    the key passes through a private folder under ``scratch`` (the learner's ``tls`` folder) for an instant."""
    _silence_deprecation()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = security.minimum
    if security.ciphers:
        level = ":@SECLEVEL=0" if security.minimum < ssl.TLSVersion.TLSv1_2 else ""
        context.set_ciphers(":".join(security.ciphers) + level)
    context.options |= ssl.OP_CIPHER_SERVER_PREFERENCE | ssl.OP_NO_COMPRESSION | ssl.OP_NO_RENEGOTIATION
    _load_chain(context, certificate_pem + chain_pem, key_pem, scratch)
    return context


def _load_chain(context: ssl.SSLContext, chain: bytes, key: bytes, scratch: str | None) -> None:
    """``load_cert_chain`` reads files only: hand it a ``0600`` file in a private temporary folder, removed at once."""
    import os
    import tempfile

    with tempfile.TemporaryDirectory(prefix=".kit-tls-", dir=scratch) as folder:
        os.chmod(folder, 0o700)
        path = os.path.join(folder, "chain.pem")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(chain + key)
        context.load_cert_chain(path)
