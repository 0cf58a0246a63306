"""The certificate ACM issues, made real: signed by the learner's local authority when it becomes ``ISSUED``.

moto makes every requested certificate at once, self-signed, valid 365 days from the request, its names in no
fixed order. On AWS (ACM User Guide, "ACM certificate characteristics" / acm-concepts, and captured
DescribeCertificate answers):
- the certificate is made when it is issued: ``NotBefore`` is 00:00:00 UTC of the day of issue and
  ``NotAfter`` 23:59:59 UTC of its last day, ``VALIDITY_DAYS`` days in all ("Each is valid for 198 days",
  since 18 February 2026, ahead of the CA/Browser Forum's 200-day limit from 15 March 2026; 395 before);
- its subject is ``CN=<DomainName>`` alone, and its SANs are the ``DomainName`` first, then the
  ``SubjectAlternativeNames`` as requested;
- Key Usage "Digital Signature, Key Encipherment" and the server-authentication EKU only (ClientAuth
  dropped from 11 June 2025); ``KeyAlgorithm`` ``RSA_2048`` unless asked otherwise;
- ``GetCertificate`` returns what CloudFront presents, with its chain; DescribeCertificate's ``Issuer``
  says ``Amazon``.
Here, at the moment a certificate turns ``ISSUED`` (``acm/moto_gaps.py``), it is re-issued so by the local
authority (``tls/authority.py``); moto's record then describes it (``NotBefore``, ``NotAfter``, ``Serial``,
``SubjectAlternativeNames``), ``GetCertificate`` returns it with the authority as its chain, and the local
cloud's TLS listener presents it. The X.509 issuer is the local authority, where AWS's is
``Amazon RSA 2048 M01``-``M04``: what a learner's client is told to trust.

Without an authority (moto used alone, as moto's own test suites use it) moto's certificate stays.
"""

from __future__ import annotations

import datetime
from typing import Any

from ..tls.authority import LocalCertificateAuthority

#: ACM public certificates' lifetime, in days (acm-concepts, since 18 February 2026).
VALIDITY_DAYS = 198
_authority: LocalCertificateAuthority | None = None


def use_authority(authority: LocalCertificateAuthority | None) -> None:
    """Issue from ``authority`` from now on (the local cloud sets it at start)."""
    global _authority
    _authority = authority


def acm_serial(serial: int) -> str:
    """A serial number as DescribeCertificate writes it: hex bytes joined by colons (``07:7e:...``)."""
    raw = serial.to_bytes(max(1, (serial.bit_length() + 7) // 8), "big")
    return ":".join(f"{byte:02x}" for byte in raw)


def requested_names(bundle: Any) -> list[str]:
    """``DomainName`` first, then the SANs in the order they were requested (moto keeps them in a set)."""
    names = getattr(bundle, "kit_requested_names", None) or [bundle.common_name, *bundle.sans]
    return [n for n in dict.fromkeys(names) if n]


def validity(now: datetime.datetime | None = None) -> tuple[datetime.datetime, datetime.datetime]:
    """``(NotBefore, NotAfter)`` of a certificate issued at ``now``: midnight UTC of that day, and one second
    before midnight ``VALIDITY_DAYS`` days later."""
    day = (now or datetime.datetime.now(datetime.UTC)).replace(hour=0, minute=0, second=0, microsecond=0)
    return day, day + datetime.timedelta(days=VALIDITY_DAYS, seconds=-1)


def issue(bundle: Any, *, now: datetime.datetime | None = None) -> None:
    """Replace moto's certificate of ``bundle`` by one the local authority signs, issued ``now``."""
    if _authority is None or bundle.type != "AMAZON_ISSUED":
        return
    not_before, not_after = validity(now)
    issued = _authority.issue(
        requested_names(bundle),
        not_before=not_before,
        not_after=not_after,
        key_algorithm=getattr(bundle, "kit_key_algorithm", None) or "RSA_2048",
    )
    bundle.cert = issued.certificate_pem
    bundle.key = issued.private_key_pem
    bundle.chain = issued.chain_pem
    bundle._key = bundle.validate_pk()
    bundle._cert = bundle.validate_certificate()
    bundle.sans = requested_names(bundle)
    bundle.issuer_common_name = "Amazon"  # DescribeCertificate's Issuer, as AWS says it
