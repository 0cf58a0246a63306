"""Where moto 5.2's ACM differs from AWS in ways a learner can see, corrected in one place.

- DNS validation (ACM User Guide, "DNS validation"; aws-behaviour.md §8, §10): moto issued every requested
  certificate after ``MOTO_ACM_VALIDATION_WAIT`` seconds whatever DNS held, and gave every domain the same
  validation record. Here each domain gets its own record, ``_<32 hex>.<domain>.`` ``CNAME``
  ``_<32 hex>.<10 letters>.acm-validations.aws.``, the same for a domain across the certificates of an account
  (ACM reuses a domain's validation record, so a second certificate for it validates at once); a
  certificate stays ``PENDING_VALIDATION`` until every one of its domains' records exists in a Route 53
  hosted zone (``route53/dns.py``), then it is ``ISSUED`` and each domain's ``ValidationStatus`` is
  ``SUCCESS``: never on a timer.
- The issued certificate itself (``acm/issuance.py``): at the moment it turns ``ISSUED`` it is re-issued by the
  learner's local certificate authority for the requested names, in the requested order (moto keeps them in a
  set), so what ``GetCertificate`` returns is what the local cloud's TLS listener presents; ``Serial`` is
  written as AWS writes it, hex bytes joined by colons (moto writes the decimal number).
- ``InUseBy`` lists the CloudFront distributions that use the certificate after the users moto knows (its load
  balancers: moto's ``set_certificate_in_use_by``), and ``DeleteCertificate`` refuses
  a certificate in use: ``ResourceInUseException``, "Certificate <arn> in account <id> is in use." (as
  SDK users report it).
"""

from __future__ import annotations

import hashlib
import string
import time
from typing import Any

from moto.acm import models as acm_models
from moto.core.exceptions import AWSError

from .. import pace
from ..cloudfront.distributions import every_distribution
from ..route53.dns import cname_value
from . import issuance


class ResourceInUseException(AWSError):
    TYPE = "ResourceInUseException"


def validation_record(account_id: str, domain: str) -> dict[str, str]:
    """The CNAME that proves control of ``domain`` to ACM (a wildcard uses its base domain's)."""
    base = domain[2:] if domain.startswith("*.") else domain
    digest = hashlib.sha256(f"{account_id}/{base.lower()}".encode()).hexdigest()
    letters = "".join(string.ascii_lowercase[int(c, 16) % 26] for c in digest[32:42])
    return {
        "Name": f"_{digest[:32]}.{base.lower()}.",
        "Type": "CNAME",
        "Value": f"_{hashlib.md5(digest.encode(), usedforsecurity=False).hexdigest()}.{letters}.acm-validations.aws.",
    }


def _domains(cert: Any) -> list[str]:
    names = list(dict.fromkeys([cert.common_name, *cert.sans]))
    return [n for n in names if n]


def _account(cert: Any) -> str:
    return str(cert.arn).split(":")[4]


def _validated(cert: Any, domain: str) -> bool:
    record = validation_record(_account(cert), domain)
    value = cname_value(record["Name"])
    return value is not None and value.lower().rstrip(".") == record["Value"].rstrip(".")


def distributions_using(arn: str) -> list[str]:
    """The ARNs of the CloudFront distributions whose viewer certificate is ``arn``."""
    return [
        dist.arn
        for dist in every_distribution()
        if getattr(dist.distribution_config.ViewerCertificate, "acm_certificate_arn", "") == arn
    ]


_original_check = acm_models.CertBundle.check
_original_describe = acm_models.CertBundle.describe


def _check(self: Any) -> None:
    if self.type == "AMAZON_ISSUED" and self.status == "PENDING_VALIDATION":
        if all(_validated(self, d) for d in _domains(self)):
            seen = getattr(self, "kit_validated_at", None)
            if seen is None:
                seen = self.kit_validated_at = time.monotonic()
            if time.monotonic() - seen >= pace.seconds("ACM"):  # at once, unless paced like AWS (pace.py)
                self.status = "ISSUED"
                issuance.issue(self)
        return  # moto's timer never issues it
    _original_check(self)


def _describe(self: Any) -> dict[str, Any]:
    result = _original_describe(self)
    certificate = result["Certificate"]
    certificate["Serial"] = issuance.acm_serial(self._cert.serial_number)  # "07:7e:...", as AWS writes it
    certificate["InUseBy"] = list(dict.fromkeys([*certificate.get("InUseBy", []), *distributions_using(self.arn)]))
    if self.type != "AMAZON_ISSUED":
        return result
    options = []
    for domain in _domains(self):
        done = self.status == "ISSUED" or _validated(self, domain)
        options.append(
            {
                "DomainName": domain,
                "ValidationDomain": domain,
                "ValidationStatus": "SUCCESS" if done else "PENDING_VALIDATION",
                "ValidationMethod": "DNS",
                "ResourceRecord": validation_record(_account(self), domain),
            }
        )
    certificate["DomainValidationOptions"] = options
    if self.status != "ISSUED":
        certificate.pop("IssuedAt", None)
    return result


def _delete(self: Any, arn: str) -> None:
    if arn in self._certificates and distributions_using(arn):
        raise ResourceInUseException(message=f"Certificate {arn} in account {arn.split(':')[4]} is in use.")
    _original_delete(self, arn)


def _request(
    self: Any, domain_name: str, idempotency_token: str, subject_alt_names: list[str], *args: Any, **kwargs: Any
) -> str:
    arn = _original_request(self, domain_name, idempotency_token, subject_alt_names, *args, **kwargs)
    bundle = self._certificates[arn]
    if getattr(bundle, "kit_requested_names", None) is None:
        bundle.kit_requested_names = list(dict.fromkeys([domain_name, *(subject_alt_names or [])]))
    return arn


_original_delete = acm_models.AWSCertificateManagerBackend.delete_certificate
_original_request = acm_models.AWSCertificateManagerBackend.request_certificate
_applied = False


def apply() -> None:
    """Install the corrections (idempotent)."""
    global _applied
    if _applied:
        return
    acm_models.CertBundle.check = _check  # type: ignore[method-assign]
    acm_models.CertBundle.describe = _describe  # type: ignore[method-assign]
    acm_models.AWSCertificateManagerBackend.delete_certificate = _delete  # type: ignore[method-assign]
    acm_models.AWSCertificateManagerBackend.request_certificate = _request  # type: ignore[method-assign]
    _applied = True
