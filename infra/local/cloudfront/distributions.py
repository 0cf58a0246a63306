"""Read a CloudFront distribution from moto as the local edge serves it (moto holds it; nothing is copied).

A distribution answers at its own domain name, ``<id>.cloudfront.net``, also as ``<id>.cloudfront.localhost``
for browsers, and at the names in its ``Aliases`` once Route 53 sends them to it (``cloud.py`` with
``route53/dns.py``). The snapshot (``EdgeDistribution``) is rebuilt whenever the distribution's ETag changes,
which every ``UpdateDistribution`` does (``cloudfront/moto_gaps.py``); a request pays a dictionary lookup
and an attribute read to learn that nothing changed.

Cache behaviours (CloudFront Developer Guide, "Cache behavior settings", path pattern): the patterns are
tried in the order the distribution lists them and the default behaviour takes what none matches; ``*``
matches any run of characters (``/`` included), ``?`` exactly one; matching is case-sensitive and on the
path only, never the query string; a pattern's leading ``/`` is optional.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .policies import CachePolicy, OriginRequestPolicy, cache_policy_for, origin_request_policy

_DOMAIN = re.compile(r"^([a-z0-9]+)\.cloudfront\.(?:net|localhost)$")


@dataclass(frozen=True)
class OriginAccess:
    """An origin access control as the edge applies it."""

    control_id: str
    signing_behavior: str  # always | never | no-override
    signing_protocol: str
    origin_type: str


@dataclass(frozen=True)
class EdgeOrigin:
    origin_id: str
    domain_name: str
    origin_path: str
    protocol_policy: str  # http-only | match-viewer | https-only ("https-only" for non-custom origins)
    read_timeout: float
    connection_attempts: int
    custom_headers: tuple[tuple[str, str], ...]
    access: OriginAccess | None


@dataclass(frozen=True)
class EdgeBehaviour:
    path_pattern: str  # "*" for the default behaviour
    origin: EdgeOrigin
    allowed_methods: frozenset[str]
    cached_methods: frozenset[str]
    viewer_protocol_policy: str
    cache: CachePolicy
    origin_request: OriginRequestPolicy | None
    matcher: re.Pattern[str] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class EdgeDistribution:
    distribution_id: str
    arn: str
    account_id: str
    domain_name: str
    etag: str
    enabled: bool
    aliases: tuple[str, ...]
    behaviours: tuple[EdgeBehaviour, ...]  # in precedence order, the default one last

    def behaviour_for(self, path: str) -> EdgeBehaviour:
        for behaviour in self.behaviours:
            if behaviour.matcher is None or behaviour.matcher.match(path):
                return behaviour
        return self.behaviours[-1]


def path_matcher(pattern: str) -> re.Pattern[str]:
    """A cache behaviour's path pattern as a regular expression over the request path."""
    if not pattern.startswith("/") and not pattern.startswith("*"):
        pattern = "/" + pattern
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(f"^{regex}$", re.DOTALL)


def parse_distribution_host(host: str) -> str | None:
    """The domain prefix of ``<prefix>.cloudfront.net`` / ``.cloudfront.localhost``, else None."""
    match = _DOMAIN.match(host.lower())
    return match.group(1) if match else None


def _origin(origin: Any, controls: dict[str, Any]) -> EdgeOrigin:
    custom = getattr(origin, "custom_origin_config", None)
    access = None
    control_id = getattr(origin, "origin_access_control_id", "")
    if control_id and control_id in controls:
        control = controls[control_id]
        access = OriginAccess(control_id, control.signing_behavior, control.signing_protocol, control.origin_type)
    items = (origin.custom_headers or {}).get("Items") or []
    headers = tuple((h["HeaderName"], h["HeaderValue"]) for h in items if "HeaderName" in h)
    return EdgeOrigin(
        origin_id=origin.id,
        domain_name=origin.domain_name.lower(),
        origin_path=(origin.origin_path or "").rstrip("/"),
        protocol_policy=(custom.origin_protocol_policy if custom is not None else "https-only") or "https-only",
        read_timeout=float(custom.origin_read_timeout if custom is not None else 30),
        connection_attempts=int(origin.connection_attempts or 3),
        custom_headers=headers,
        access=access,
    )


def _behaviour(config: Any, origins: dict[str, EdgeOrigin], pattern: str | None) -> EdgeBehaviour:
    forwarded = getattr(config, "forwarded_values", None)
    legacy_headers = tuple((getattr(forwarded, "Headers", None) or {}).get("Items") or []) if forwarded else ()
    legacy_query = bool(getattr(forwarded, "QueryString", False)) if forwarded else False
    cache = cache_policy_for(
        config.cache_policy_id,
        legacy=(int(config.min_ttl), int(config.default_ttl), int(config.max_ttl), legacy_query, legacy_headers),
    )
    return EdgeBehaviour(
        path_pattern=pattern or "*",
        origin=origins[config.target_origin_id],
        allowed_methods=frozenset(m.upper() for m in config.allowed_methods.items),
        cached_methods=frozenset(m.upper() for m in config.allowed_methods.cached_methods["Items"]),
        viewer_protocol_policy=config.viewer_protocol_policy,
        cache=cache,
        origin_request=origin_request_policy(config.origin_request_policy_id),
        matcher=path_matcher(pattern) if pattern else None,
    )


def snapshot(dist: Any, account_id: str, controls: dict[str, Any]) -> EdgeDistribution:
    """The edge's view of moto's ``Distribution``."""
    config = dist.distribution_config
    origins = {o.id: _origin(o, controls) for o in config.Origins["Items"]}
    behaviours = [_behaviour(b, origins, b.path_pattern) for b in (config.CacheBehaviors.get("Items") or [])]
    behaviours.append(_behaviour(config.DefaultCacheBehavior, origins, None))
    return EdgeDistribution(
        distribution_id=dist.distribution_id,
        arn=dist.arn,
        account_id=account_id,
        domain_name=dist.domain_name.lower(),
        etag=dist.etag,
        enabled=bool(config.Enabled),
        aliases=tuple(a.lower() for a in (config.Aliases.get("Items") or [])),
        behaviours=tuple(behaviours),
    )


def cloudfront_accounts() -> list[tuple[str, Any]]:
    """``(account_id, moto CloudFront backend)`` for every account moto holds (CloudFront is global: one each)."""
    from moto.cloudfront.models import cloudfront_backends

    found = []
    for account_id in list(cloudfront_backends.keys()):
        backend = cloudfront_backends[account_id].get("aws")
        if backend is not None:
            found.append((account_id, backend))
    return found


def every_distribution() -> list[Any]:
    """moto's ``Distribution`` objects of every account."""
    return [dist for _, backend in cloudfront_accounts() for dist in list(backend.distributions.values())]


class DistributionRegistry:
    """Finds the distribution behind a host name among every account moto holds.

    The name -> (account, id) index is a cache of moto's state, checked against moto on every hit; a
    distribution's snapshot is kept until its ETag changes.
    """

    def __init__(self) -> None:
        self._index: dict[str, tuple[str, str]] = {}
        self._snapshots: dict[str, EdgeDistribution] = {}

    def _current(self, account_id: str, dist_id: str) -> EdgeDistribution | None:
        from moto.cloudfront.models import cloudfront_backends

        backend = cloudfront_backends[account_id]["aws"]
        dist = backend.distributions.get(dist_id)
        if dist is None:
            self._snapshots.pop(dist_id, None)
            return None
        cached = self._snapshots.get(dist_id)
        if cached is not None and cached.etag == dist.etag:
            return cached
        fresh = snapshot(dist, account_id, backend.origin_access_controls)
        self._snapshots[dist_id] = fresh
        return fresh

    def by_domain(self, host: str) -> EdgeDistribution | None:
        """The distribution whose own domain name is ``host`` (``.cloudfront.localhost`` included)."""
        prefix = parse_distribution_host(host)
        if prefix is None:
            return None
        name = f"{prefix}.cloudfront.net"
        located = self._index.get(name)
        if located is not None:
            found = self._current(*located)
            if found is not None:
                return found
            del self._index[name]
        for account_id, backend in cloudfront_accounts():
            for dist_id, dist in list(backend.distributions.items()):
                if dist.domain_name.lower() == name:
                    self._index[name] = (account_id, dist_id)
                    return self._current(account_id, dist_id)
        return None
