"""Deploy steps for Route 53: the hosted zone, ACM's validation records, and the alias to a distribution.

An alias ``A`` (and ``AAAA``) record to a CloudFront distribution names CloudFront's fixed hosted zone
``Z2FDTNDATAQYW2`` and the distribution's domain name (Route 53 Developer Guide, "Routing traffic to an
Amazon CloudFront distribution"; aws-behaviour.md §8). Every record of a learner lies under
``<learner>.<zone>``: that is how cleanup finds them, and how thirty learners share one zone.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

CLOUDFRONT_ZONE_ID = "Z2FDTNDATAQYW2"


@dataclass(frozen=True)
class HostedZone:
    id: str
    name: str  # without the trailing dot
    action: str  # "created" | "found"


def _fqdn(name: str) -> str:
    return name.lower().rstrip(".") + "."


def find_hosted_zone(route53: Any, name: str) -> HostedZone | None:
    """The public hosted zone called ``name``, or None."""
    zones = route53.list_hosted_zones_by_name(DNSName=_fqdn(name))["HostedZones"]
    for zone in zones:
        if zone["Name"].lower() == _fqdn(name) and not zone.get("Config", {}).get("PrivateZone"):
            return HostedZone(zone["Id"].split("/")[-1], name.lower().rstrip("."), "found")
    return None


def ensure_hosted_zone(route53: Any, name: str, *, tags: dict[str, str]) -> HostedZone:
    """The hosted zone ``name``, created if it does not exist (local mode: the made-up ``.test`` zone)."""
    found = find_hosted_zone(route53, name)
    if found is not None:
        return found
    created = route53.create_hosted_zone(
        Name=_fqdn(name), CallerReference=str(uuid.uuid4()), HostedZoneConfig={"Comment": "lambda-url-kit workshop"}
    )["HostedZone"]
    zone_id = created["Id"].split("/")[-1]
    route53.change_tags_for_resource(
        ResourceType="hostedzone", ResourceId=zone_id, AddTags=[{"Key": k, "Value": v} for k, v in tags.items()]
    )
    return HostedZone(zone_id, name.lower().rstrip("."), "created")


def upsert_cname(route53: Any, zone_id: str, name: str, value: str, *, ttl: int = 300) -> None:
    """Create or replace the ``CNAME`` record ``name`` (ACM's validation records are these)."""
    change = {
        "Action": "UPSERT",
        "ResourceRecordSet": {"Name": _fqdn(name), "Type": "CNAME", "TTL": ttl, "ResourceRecords": [{"Value": value}]},
    }
    route53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": [change]})


def upsert_alias_to_distribution(route53: Any, zone_id: str, name: str, distribution_domain: str) -> None:
    """Point ``name`` at a CloudFront distribution: alias ``A`` and ``AAAA`` records."""
    changes = [
        {
            "Action": "UPSERT",
            "ResourceRecordSet": {
                "Name": _fqdn(name),
                "Type": record_type,
                "AliasTarget": {
                    "HostedZoneId": CLOUDFRONT_ZONE_ID,
                    "DNSName": _fqdn(distribution_domain),
                    "EvaluateTargetHealth": False,
                },
            },
        }
        for record_type in ("A", "AAAA")
    ]
    route53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": changes})


def records_under(route53: Any, zone_id: str, suffix: str) -> list[dict[str, Any]]:
    """Every record set of the zone named ``suffix`` or under it (a learner's, for ``<learner>.<zone>``)."""
    wanted = _fqdn(suffix)
    found = []
    for page in route53.get_paginator("list_resource_record_sets").paginate(HostedZoneId=zone_id):
        for record in page["ResourceRecordSets"]:
            name = record["Name"].lower()
            if name == wanted or name.endswith("." + wanted):
                found.append(record)
    return found


def delete_records(route53: Any, zone_id: str, records: list[dict[str, Any]]) -> None:
    """Delete these record sets, exactly as ``list_resource_record_sets`` returned them."""
    if records:
        changes = [{"Action": "DELETE", "ResourceRecordSet": record} for record in records]
        route53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": changes})
