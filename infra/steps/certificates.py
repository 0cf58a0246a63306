"""Deploy steps for an ACM certificate that CloudFront can use: requested in us-east-1, validated by DNS.

CloudFront takes certificates only from ACM in US East (N. Virginia), us-east-1, whatever region the rest of
the workshop runs in (ACM User Guide, "Supported Regions"; aws-behaviour.md §8). DNS validation: ACM names
one CNAME per domain; once it exists in the domain's hosted zone, ACM issues the certificate (minutes on
AWS) and renews it for as long as the record stays.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..polling import Progress, wait_for_status

CLOUDFRONT_REGION = "us-east-1"


@dataclass(frozen=True)
class Certificate:
    arn: str
    domains: tuple[str, ...]
    status: str
    action: str  # "requested" | "found"


@dataclass(frozen=True)
class ValidationRecord:
    domain: str
    name: str
    type: str
    value: str


def _tags_of(acm: Any, arn: str) -> dict[str, str]:
    return {t["Key"]: t.get("Value", "") for t in acm.list_tags_for_certificate(CertificateArn=arn).get("Tags", [])}


def find_certificate(acm: Any, domains: list[str], *, tags: dict[str, str]) -> dict[str, Any] | None:
    """A certificate of this learner (by tags) for exactly these domains that is issued or on its way."""
    wanted = sorted(d.lower() for d in domains)
    for page in acm.get_paginator("list_certificates").paginate(CertificateStatuses=["PENDING_VALIDATION", "ISSUED"]):
        for summary in page["CertificateSummaryList"]:
            arn = summary["CertificateArn"]
            described = acm.describe_certificate(CertificateArn=arn)["Certificate"]
            names = sorted(
                {described["DomainName"].lower(), *(n.lower() for n in described["SubjectAlternativeNames"])}
            )
            if names == wanted and all(_tags_of(acm, arn).get(k) == v for k, v in tags.items()):
                return described
    return None


def request_certificate(acm: Any, domains: list[str], *, tags: dict[str, str]) -> Certificate:
    """Request (or find) a DNS-validated certificate for ``domains``; the first is its ``DomainName``."""
    found = find_certificate(acm, domains, tags=tags)
    if found is not None:
        return Certificate(found["CertificateArn"], tuple(domains), found["Status"], "found")
    extra = {"Tags": [{"Key": k, "Value": v} for k, v in tags.items()]} if tags else {}
    arn = acm.request_certificate(
        DomainName=domains[0], SubjectAlternativeNames=list(domains), ValidationMethod="DNS", **extra
    )["CertificateArn"]
    status = acm.describe_certificate(CertificateArn=arn)["Certificate"]["Status"]
    return Certificate(arn, tuple(domains), status, "requested")


def validation_records(
    acm: Any, arn: str, *, attempts: int = 10, sleep: Callable[[float], None] = time.sleep
) -> list[ValidationRecord]:
    """The CNAMEs ACM wants for ``arn`` (right after the request, AWS can take a few seconds to name them)."""
    for _ in range(attempts):
        options = acm.describe_certificate(CertificateArn=arn)["Certificate"].get("DomainValidationOptions", [])
        if options and all("ResourceRecord" in o for o in options):
            unique: dict[str, ValidationRecord] = {}
            for o in options:
                record = o["ResourceRecord"]
                unique.setdefault(
                    record["Name"], ValidationRecord(o["DomainName"], record["Name"], record["Type"], record["Value"])
                )
            return list(unique.values())
        sleep(2)
    raise TimeoutError(f"ACM has not named the validation records of {arn} yet: run this cell again in a minute")


def wait_issued(
    acm: Any,
    arn: str,
    *,
    delay: float,
    max_attempts: int = 60,
    progress: Progress | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """Poll until the certificate is ``ISSUED`` (boto3's ``certificate_validated`` waiter, with a report after
    each poll); a certificate that failed or whose validation timed out raises ``RuntimeError`` at once."""
    return wait_for_status(
        lambda: acm.describe_certificate(CertificateArn=arn)["Certificate"]["Status"],
        done="ISSUED",
        failed=("FAILED", "VALIDATION_TIMED_OUT", "REVOKED", "EXPIRED", "INACTIVE"),
        delay=delay,
        max_attempts=max_attempts,
        progress=progress,
        sleep=sleep,
        what=f"certificate {arn}",
        advice="is its validation CNAME in the domain's hosted zone? Run this cell again to keep waiting "
        "(a failed certificate must be requested again)",
    )
