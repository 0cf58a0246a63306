"""Deploy steps for CloudFront in front of a Function URL: the distribution, its OAC, and CloudFront's permission.

Like ``steps/lambda_.py``, every step takes its clients as arguments, creates what is missing, updates what
differs, and says which. What the steps configure follows the CloudFront Developer Guide for a Lambda
Function URL origin (aws-behaviour.md §7): the URL's domain as a custom origin reached over HTTPS only,
the managed cache policy CachingDisabled with origin request policy AllViewerExceptHostHeader (never
AllViewer: it forwards ``Host`` and the URL refuses it), every method allowed, and for Origin Access
Control an OAC of type ``lambda`` plus both permissions for ``cloudfront.amazonaws.com`` with the
distribution as ``AWS:SourceArn``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from ..polling import Progress, wait_for_status
from .lambda_ import PUBLIC_URL_STATEMENTS, policy_statement_ids

CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER = "216adef6-5c7f-47e4-b989-5492eafa07d3"
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
POLICY_NAMES = {
    CACHING_OPTIMIZED: "CachingOptimized",
    CACHING_DISABLED: "CachingDisabled",
    ALL_VIEWER: "AllViewer",
    ALL_VIEWER_EXCEPT_HOST_HEADER: "AllViewerExceptHostHeader",
}
ALL_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"]
CLOUDFRONT_STATEMENTS = ("AllowCloudFrontServicePrincipal", "AllowCloudFrontServicePrincipalInvokeFunction")
ORIGIN_ID = "function-url"


@dataclass(frozen=True)
class OriginAccessControl:
    id: str
    name: str
    action: str  # "created" | "unchanged"


@dataclass(frozen=True)
class Distribution:
    id: str
    arn: str
    domain_name: str
    etag: str
    status: str
    action: str  # "created" | "updated" | "unchanged"

    @property
    def url(self) -> str:
        return f"https://{self.domain_name}/"


@dataclass(frozen=True)
class Origin:
    """What a distribution in front of one Function URL is made of (the parts the notebooks change)."""

    url: str
    cache_policy: str = CACHING_DISABLED
    origin_request_policy: str | None = ALL_VIEWER_EXCEPT_HOST_HEADER
    oac_id: str | None = None
    read_timeout: int = 30
    connection_attempts: int = 3

    @property
    def domain(self) -> str:
        """The URL's host name: CloudFront wants the domain, not the URL (``https://`` and ``/`` refused)."""
        return self.url.split("//", 1)[-1].split("/", 1)[0]


def ensure_origin_access_control(cf: Any, name: str) -> OriginAccessControl:
    """An OAC for Lambda URLs named ``name`` that signs every origin request (``always``)."""
    for item in cf.list_origin_access_controls()["OriginAccessControlList"].get("Items") or []:
        if item["Name"] == name:
            return OriginAccessControl(item["Id"], name, "unchanged")
    config = {
        "Name": name,
        "Description": "lambda-url-kit: CloudFront signs requests to the Function URL",
        "SigningProtocol": "sigv4",
        "SigningBehavior": "always",
        "OriginAccessControlOriginType": "lambda",
    }
    created = cf.create_origin_access_control(OriginAccessControlConfig=config)["OriginAccessControl"]
    return OriginAccessControl(created["Id"], name, "created")


@dataclass(frozen=True)
class CustomDomain:
    """The names a distribution answers to besides its own, and the us-east-1 ACM certificate covering them."""

    aliases: tuple[str, ...]
    certificate_arn: str


def distribution_config(
    name: str, origin: Origin, *, domain: CustomDomain | None = None, enabled: bool = True
) -> dict[str, Any]:
    """A whole ``DistributionConfig`` for one Function URL origin; ``name`` goes in ``CallerReference`` and
    ``Comment`` so that the kit finds its distribution again. With ``domain``: its aliases and certificate
    (SNI only, TLS 1.2 at least, as CloudFront recommends)."""
    item: dict[str, Any] = {
        "Id": ORIGIN_ID,
        "DomainName": origin.domain,
        "OriginPath": "",
        "ConnectionAttempts": origin.connection_attempts,
        "ConnectionTimeout": 10,
        "CustomOriginConfig": {
            "HTTPPort": 80,
            "HTTPSPort": 443,
            "OriginProtocolPolicy": "https-only",
            "OriginReadTimeout": origin.read_timeout,
            "OriginKeepaliveTimeout": 5,
            "OriginSslProtocols": {"Quantity": 1, "Items": ["TLSv1.2"]},
        },
    }
    if origin.oac_id:
        item["OriginAccessControlId"] = origin.oac_id
    behaviour: dict[str, Any] = {
        "TargetOriginId": ORIGIN_ID,
        "ViewerProtocolPolicy": "redirect-to-https",
        "CachePolicyId": origin.cache_policy,
        "Compress": True,
        "AllowedMethods": {
            "Quantity": len(ALL_METHODS),
            "Items": list(ALL_METHODS),
            "CachedMethods": {"Quantity": 2, "Items": ["GET", "HEAD"]},
        },
    }
    if origin.origin_request_policy:
        behaviour["OriginRequestPolicyId"] = origin.origin_request_policy
    config: dict[str, Any] = {
        "CallerReference": name,
        "Comment": name,
        "Enabled": enabled,
        "PriceClass": "PriceClass_All",
        "HttpVersion": "http2",
        "Origins": {"Quantity": 1, "Items": [item]},
        "DefaultCacheBehavior": behaviour,
    }
    if domain is not None:
        config["Aliases"] = {"Quantity": len(domain.aliases), "Items": list(domain.aliases)}
        config["ViewerCertificate"] = {
            "ACMCertificateArn": domain.certificate_arn,
            "SSLSupportMethod": "sni-only",
            "MinimumProtocolVersion": "TLSv1.2_2021",
        }
    return config


def find_distribution(cf: Any, name: str) -> dict[str, Any] | None:
    """The summary of the distribution whose ``Comment`` is ``name``, or None."""
    for page in cf.get_paginator("list_distributions").paginate():
        for item in page["DistributionList"].get("Items") or []:
            if item.get("Comment") == name:
                return item
    return None


def _as_origin(config: dict[str, Any]) -> Origin:
    item = config["Origins"]["Items"][0]
    behaviour = config["DefaultCacheBehavior"]
    custom = item.get("CustomOriginConfig") or {}
    return Origin(
        url=f"https://{item['DomainName']}/",
        cache_policy=behaviour.get("CachePolicyId", ""),
        origin_request_policy=behaviour.get("OriginRequestPolicyId") or None,
        oac_id=item.get("OriginAccessControlId") or None,
        read_timeout=int(custom.get("OriginReadTimeout", 30)),
        connection_attempts=int(item.get("ConnectionAttempts", 3)),
    )


def _distribution(data: dict[str, Any], etag: str, action: str) -> Distribution:
    return Distribution(data["Id"], data["ARN"], data["DomainName"], etag, data["Status"], action)


def _as_domain(config: dict[str, Any]) -> CustomDomain | None:
    aliases = tuple((config.get("Aliases") or {}).get("Items") or [])
    arn = (config.get("ViewerCertificate") or {}).get("ACMCertificateArn")
    return CustomDomain(aliases, arn) if aliases and arn else None


def ensure_distribution(
    cf: Any, name: str, origin: Origin, *, tags: dict[str, str], domain: CustomDomain | None = None
) -> Distribution:
    """A distribution named ``name`` in front of ``origin.url``, configured as ``origin`` (and ``domain``) say."""
    existing = find_distribution(cf, name)
    if existing is None:
        created = cf.create_distribution_with_tags(
            DistributionConfigWithTags={
                "DistributionConfig": distribution_config(name, origin, domain=domain),
                "Tags": {"Items": [{"Key": k, "Value": v} for k, v in tags.items()]},
            }
        )
        return _distribution(created["Distribution"], created["ETag"], "created")
    current = cf.get_distribution_config(Id=existing["Id"])
    config = current["DistributionConfig"]
    if (
        _as_origin(config) == replace(origin, url=f"https://{origin.domain}/")
        and _as_domain(config) == domain
        and config["Enabled"]
    ):
        got = cf.get_distribution(Id=existing["Id"])
        return _distribution(got["Distribution"], got["ETag"], "unchanged")
    wanted = distribution_config(config["CallerReference"], origin, domain=domain)
    updated = cf.update_distribution(Id=existing["Id"], DistributionConfig=wanted, IfMatch=current["ETag"])
    return _distribution(updated["Distribution"], updated["ETag"], "updated")


def wait_deployed(
    cf: Any,
    distribution_id: str,
    *,
    delay: float,
    max_attempts: int = 60,
    progress: Progress | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """Poll until the distribution is ``Deployed`` (what boto3's ``distribution_deployed`` waiter does, with
    a report after each poll); raise ``TimeoutError`` after ``max_attempts`` polls."""
    return wait_for_status(
        lambda: cf.get_distribution(Id=distribution_id)["Distribution"]["Status"],
        done="Deployed",
        delay=delay,
        max_attempts=max_attempts,
        progress=progress,
        sleep=sleep,
        what=f"distribution {distribution_id}",
        advice="CloudFront usually needs a few minutes: run this cell again to keep waiting",
    )


def grant_cloudfront(lam: Any, function_name: str, distribution_arn: str) -> list[str]:
    """Let this distribution (and only it) call the function's AWS_IAM URL: both actions, as CloudFront's
    guide now says; statements naming another distribution are replaced. Returns the Sids added."""
    present = set(policy_statement_ids(lam, function_name))
    added = []
    for sid, action in zip(CLOUDFRONT_STATEMENTS, ("lambda:InvokeFunctionUrl", "lambda:InvokeFunction"), strict=True):
        if sid in present:
            if _source_arn(lam, function_name, sid) == distribution_arn:
                continue
            lam.remove_permission(FunctionName=function_name, StatementId=sid)
        lam.add_permission(
            FunctionName=function_name,
            StatementId=sid,
            Action=action,
            Principal="cloudfront.amazonaws.com",
            SourceArn=distribution_arn,
        )
        added.append(sid)
    return added


def _source_arn(lam: Any, function_name: str, sid: str) -> str | None:
    policy = json.loads(lam.get_policy(FunctionName=function_name)["Policy"])
    for statement in policy.get("Statement", []):
        if statement.get("Sid") == sid:
            for block in (statement.get("Condition") or {}).values():
                for key, value in block.items():
                    if key.lower() == "aws:sourcearn":
                        return value if isinstance(value, str) else value[0]
    return None


def revoke_public_url_permissions(lam: Any, function_name: str) -> list[str]:
    """Remove the two statements that let anyone call the URL; returns the Sids removed."""
    present = set(policy_statement_ids(lam, function_name))
    removed = [sid for sid in PUBLIC_URL_STATEMENTS if sid in present]
    for sid in removed:
        lam.remove_permission(FunctionName=function_name, StatementId=sid)
    return removed
