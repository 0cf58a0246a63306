"""DNS in local mode: a name resolves through the Route 53 hosted zones moto holds, or not at all.

What a resolver does with public hosted zones (Route 53 Developer Guide, "Routing traffic to an Amazon
CloudFront distribution by using your domain name"; aws-behaviour.md §8):
- the most specific hosted zone whose name contains the queried name answers (choice: in local mode every
  public hosted zone counts as delegated, so no registrar or NS records are needed);
- an alias ``A``/``AAAA`` record whose ``AliasTarget.HostedZoneId`` is CloudFront's fixed zone
  ``Z2FDTNDATAQYW2`` resolves to the distribution named by its ``DNSName``;
- a ``CNAME`` is followed (at most 8 hops, choice) to where it leads: a ``cloudfront.net`` name, a
  Function URL or API Gateway name, or another name in a hosted zone;
- anything else does not resolve: the caller gets what DNS gives for an unknown name (NXDOMAIN).

``resolve`` returns the AWS host name a request for the name must reach, or None.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

CLOUDFRONT_ZONE_ID = "Z2FDTNDATAQYW2"
_AWS_SUFFIXES = (".cloudfront.net", ".on.aws", ".amazonaws.com")
_MAX_HOPS = 8


@dataclass(frozen=True)
class Resolution:
    name: str  # the name asked for, without the trailing dot
    target: str  # the AWS host name it leads to
    via: tuple[str, ...]  # the records followed, e.g. ("A alias", "CNAME")


def _zones() -> list[Any]:
    from moto.route53.models import route53_backends

    zones = []
    for account_id in list(route53_backends.keys()):
        backend = route53_backends[account_id].get("aws")
        if backend is not None:
            zones += [z for z in backend.zones.values() if not z.private_zone]
    return zones


def _fqdn(name: str) -> str:
    return name.lower().rstrip(".") + "."


def _zone_for(name: str, zones: list[Any]) -> Any | None:
    """The most specific hosted zone that holds ``name``."""
    fqdn = _fqdn(name)
    holding = [z for z in zones if fqdn == _fqdn(z.name) or fqdn.endswith("." + _fqdn(z.name))]
    return max(holding, key=lambda z: len(z.name), default=None)


def _records(zone: Any, fqdn: str) -> list[Any]:
    return [r for r in zone.rrsets if _fqdn(r.name) == fqdn]


def resolve(name: str) -> Resolution | None:
    """Where a request for ``name`` goes in local mode, or None when the name does not resolve."""
    zones = _zones()
    current = name.lower().rstrip(".")
    via: list[str] = []
    for _ in range(_MAX_HOPS):
        if current.endswith(_AWS_SUFFIXES):
            return Resolution(name.lower().rstrip("."), current, tuple(via))
        zone = _zone_for(current, zones)
        if zone is None:
            return None
        records = _records(zone, _fqdn(current))
        alias = next((r for r in records if r.type in ("A", "AAAA") and r.alias_target), None)
        if alias is not None:
            target = alias.alias_target
            via.append(f"{alias.type} alias")
            if target.get("HostedZoneId") == CLOUDFRONT_ZONE_ID:
                return Resolution(name.lower().rstrip("."), target["DNSName"].lower().rstrip("."), tuple(via))
            current = target["DNSName"].lower().rstrip(".")
            continue
        cname = next((r for r in records if r.type == "CNAME" and r.records), None)
        if cname is None:
            return None
        via.append("CNAME")
        current = str(cname.records[0]).lower().rstrip(".")
    return None


def cname_value(name: str) -> str | None:
    """The value of the ``CNAME`` record called ``name`` in the hosted zone that holds it, or None."""
    fqdn = _fqdn(name)
    zone = _zone_for(fqdn, _zones())
    if zone is None:
        return None
    record = next((r for r in _records(zone, fqdn) if r.type == "CNAME" and r.records), None)
    return str(record.records[0]) if record is not None else None
