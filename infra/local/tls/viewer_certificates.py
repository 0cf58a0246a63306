"""Which certificate, under which security policy, answers a TLS ClientHello's server name (SNI).

As CloudFront's ``sni-only`` does (CloudFront Developer Guide, "How CloudFront serves HTTPS requests" and
"Using alternate domain names and HTTPS"):
- a distribution's alternate domain name (``Aliases``, wildcards as ``*.example.com`` for one label) gets
  the ACM certificate the distribution names, once that certificate is ``ISSUED`` (``acm/issuance.py``),
  under the distribution's ``MinimumProtocolVersion`` (``tls/security_policies.py``);
- ``<id>.cloudfront.net`` gets the default ``*.cloudfront.net`` certificate, under ``TLSv1`` (the API
  reference: with the default certificate CloudFront sets the policy to TLSv1);
- a ClientHello without a server name, or with a name no distribution lists, gets no certificate: the
  handshake fails ("If CloudFront can't immediately determine which domain the request is for, it drops the
  connection", cnames-https-dedicated-ip-or-sni.html; "Without SNI, CloudFront can't tell which certificate
  to present, so it rejects these handshakes", connection-group-viewer-fallback.html). Choice: the alert is
  ``handshake_failure`` (CloudFront's own, with no SNI, is a malformed record: sslyze issue 437);
- ``<id>.lambda-url.<region>.on.aws`` gets a ``*.lambda-url.<region>.on.aws`` certificate, and
  ``<id>.execute-api.<region>.amazonaws.com`` a ``*.execute-api.<region>.amazonaws.com`` one, as AWS's
  endpoints present, under ``FUNCTION_URL_POLICY`` and ``REST_API_POLICY``.

The ``.localhost`` twin of each name (what a browser on this machine opens: ``*.localhost`` resolves to
loopback) gets a twin certificate: the same names with ``.localhost`` after each, same issuer, validity and
key type. Choice: without it every browser link would fail the name check; the AWS names themselves, which
``kit.http()`` and ``curl --connect-to`` send, get the faithful certificate.
Choices: the AWS endpoints' and the default certificates are issued when the local cloud first needs them,
with ACM's validity (``acm/issuance.validity``; a captured Function URL certificate, issued before the
200-day limit, ran 395 days); a distribution's certificate is looked up on each new connection (moto is
the truth).
"""

from __future__ import annotations

import re
import ssl
from typing import Any

from ..acm.issuance import validity
from ..cloudfront.distributions import every_distribution
from ..localhost_names import localhost_twin
from .authority import IssuedCertificate, LocalCertificateAuthority
from .security_policies import DEFAULT_CERTIFICATE_POLICY, policy, server_context

_DISTRIBUTION = re.compile(r"^[a-z0-9]+\.cloudfront\.net$")
_URL = re.compile(r"^[a-z0-9]{1,64}\.lambda-url\.([a-z]{2}(?:-[a-z]+)+-\d)\.on\.aws$")
_API = re.compile(r"^[a-z0-9]{10}\.execute-api\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com$")
#: Function URLs and REST APIs: TLS 1.2 and up (choice: AWS's current endpoints refuse TLS 1.0 and 1.1).
FUNCTION_URL_POLICY = "TLSv1.2_2021"
REST_API_POLICY = "TLSv1.2_2021"


def _twin(names: list[str]) -> list[str]:
    return [localhost_twin(name) for name in names]


def aws_name(name: str) -> tuple[str, bool]:
    """The name a ``.localhost`` twin stands for (``<id>.cloudfront.localhost`` -> ``<id>.cloudfront.net``), and
    whether it was one."""
    if not name.endswith(".localhost"):
        return name, False
    base = name[: -len(".localhost")]
    for suffix in (".cloudfront.net", ".on.aws", ".amazonaws.com"):
        if base.endswith(".cloudfront") and suffix == ".cloudfront.net":
            return base + ".net", True
        if _URL.match(base + suffix) or _API.match(base + suffix):
            return base + suffix, True
    return base, True


def alias_matches(alias: str, name: str) -> bool:
    """CloudFront's alias match: exact, or ``*.example.com`` for exactly one more label."""
    alias = alias.lower()
    if alias.startswith("*."):
        head, _, rest = name.partition(".")
        return bool(head) and rest == alias[2:]
    return alias == name


def _acm_bundle(arn: str) -> Any | None:
    from moto.acm.models import acm_backends

    parts = arn.split(":")
    if len(parts) < 6:
        return None
    backend = acm_backends[parts[4]][parts[3]]
    bundle = backend._certificates.get(arn)
    if bundle is None:
        return None
    bundle.check()  # may issue it now that its validation records exist
    return bundle if bundle.status == "ISSUED" else None


class ViewerCertificates:
    """Chooses and caches the ``SSLContext`` for each server name."""

    def __init__(self, authority: LocalCertificateAuthority) -> None:
        self.authority = authority
        self._endpoint_certs: dict[tuple[str, ...], IssuedCertificate] = {}
        self._contexts: dict[tuple[Any, ...], ssl.SSLContext] = {}
        self._twins: dict[tuple[str, str], IssuedCertificate] = {}

    def present(self, server_name: str | None) -> ssl.SSLContext | None:
        """The context (certificate and security policy) that answers ``server_name``; None: the handshake fails."""
        if not server_name:
            return None
        base, twin = aws_name(server_name.lower().rstrip("."))
        if match := _URL.match(base):
            return self._endpoint([f"*.lambda-url.{match.group(1)}.on.aws"], FUNCTION_URL_POLICY, twin)
        if match := _API.match(base):
            return self._endpoint([f"*.execute-api.{match.group(1)}.amazonaws.com"], REST_API_POLICY, twin)
        if _DISTRIBUTION.match(base):
            return self._endpoint(["*.cloudfront.net"], DEFAULT_CERTIFICATE_POLICY, twin)
        return self._distribution_certificate(base, twin)

    def _endpoint(self, names: list[str], policy_name: str, twin: bool) -> ssl.SSLContext:
        key = tuple(_twin(names) if twin else names)
        issued = self._endpoint_certs.get(key)
        if issued is None:
            not_before, not_after = validity()
            issued = self.authority.issue(list(key), not_before=not_before, not_after=not_after)
            self._endpoint_certs[key] = issued
        return self._context(("endpoint", key, policy_name), issued, policy_name)

    def _distribution_certificate(self, name: str, twin: bool) -> ssl.SSLContext | None:
        for dist in every_distribution():
            config = dist.distribution_config
            aliases = config.Aliases.get("Items") or []
            if not any(alias_matches(a, name) for a in aliases):
                continue
            viewer = config.ViewerCertificate
            arn = getattr(viewer, "acm_certificate_arn", "") or ""
            bundle = _acm_bundle(arn) if arn else None
            if bundle is None:
                return None
            policy_name = getattr(viewer, "minimum_protocol_version", None) or "TLSv1"
            issued = self._twin_of(arn, bundle) if twin else IssuedCertificate(bundle.cert, bundle.key, bundle.chain)
            return self._context(("acm", arn, bundle._cert.serial_number, twin, policy_name), issued, policy_name)
        return None

    def _twin_of(self, arn: str, bundle: Any) -> IssuedCertificate:
        key = (arn, str(bundle._cert.serial_number))
        twin = self._twins.get(key)
        if twin is None:
            cert = bundle._cert
            twin = self.authority.issue(
                _twin(list(bundle.sans)),
                not_before=cert.not_valid_before_utc,
                not_after=cert.not_valid_after_utc,
                key_algorithm=getattr(bundle, "kit_key_algorithm", None) or "RSA_2048",
            )
            self._twins[key] = twin
        return twin

    def _context(self, key: tuple[Any, ...], issued: IssuedCertificate, policy_name: str) -> ssl.SSLContext:
        context = self._contexts.get(key)
        if context is None:
            context = server_context(
                policy(policy_name),
                issued.certificate_pem,
                issued.private_key_pem,
                issued.chain_pem,
                scratch=str(self.authority.folder),
            )
            self._contexts[key] = context
        return context
