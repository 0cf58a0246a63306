"""CloudFront's managed cache policies and origin request policies, as the local edge applies them.

Sources: CloudFront Developer Guide, "Use managed cache policies" (using-managed-cache-policies.html) and
"Use managed origin request policies" (using-managed-origin-request-policies.html); the IDs are the ones
in aws-behaviour.md §7.

- ``CachingOptimized``: MinTTL 1 s, DefaultTTL 86,400 s, MaxTTL 31,536,000 s; no header, cookie or query
  string in the cache key; gzip and Brotli normalised into the key.
- ``CachingOptimizedForUncompressedObjects``: the same TTLs without compression.
- ``CachingDisabled``: every TTL 0, so nothing is cached.
- ``AllViewer``: every viewer header (``Host`` included), every cookie, every query string.
- ``AllViewerExceptHostHeader``: the same without ``Host``, so the origin gets its own domain name.
- ``CORS-CustomOrigin``: the ``Origin`` header only.

Without an origin request policy, what reaches the origin is what the cache key holds: for the policies
above, no viewer header, cookie or query string.

Custom policies (``CreateCachePolicy``) are not emulated: moto has no such API, and the kit uses the
managed ones, as the talk does.
"""

from __future__ import annotations

from dataclasses import dataclass

CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
CACHING_OPTIMIZED_UNCOMPRESSED = "b2884449-e4de-46a7-ac36-70bc7f1ddd6d"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER = "216adef6-5c7f-47e4-b989-5492eafa07d3"
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
CORS_CUSTOM_ORIGIN = "59781a5b-3903-41f3-afcb-af62929ccde1"


@dataclass(frozen=True)
class CachePolicy:
    name: str
    min_ttl: int
    default_ttl: int
    max_ttl: int
    compression: bool
    # What the cache key holds besides the distribution's domain name and the path.
    key_headers: tuple[str, ...] = ()
    key_all_query: bool = False
    key_all_cookies: bool = False

    @property
    def caches(self) -> bool:
        """Whether anything can be kept at all (CachingDisabled: no)."""
        return self.max_ttl > 0


@dataclass(frozen=True)
class OriginRequestPolicy:
    name: str
    all_viewer_headers: bool = False
    except_host: bool = False
    headers: tuple[str, ...] = ()
    all_cookies: bool = False
    all_query: bool = False


CACHE_POLICIES: dict[str, CachePolicy] = {
    CACHING_OPTIMIZED: CachePolicy("Managed-CachingOptimized", 1, 86_400, 31_536_000, compression=True),
    CACHING_OPTIMIZED_UNCOMPRESSED: CachePolicy(
        "Managed-CachingOptimizedForUncompressedObjects", 1, 86_400, 31_536_000, compression=False
    ),
    CACHING_DISABLED: CachePolicy("Managed-CachingDisabled", 0, 0, 0, compression=False),
}

ORIGIN_REQUEST_POLICIES: dict[str, OriginRequestPolicy] = {
    ALL_VIEWER: OriginRequestPolicy("Managed-AllViewer", all_viewer_headers=True, all_cookies=True, all_query=True),
    ALL_VIEWER_EXCEPT_HOST_HEADER: OriginRequestPolicy(
        "Managed-AllViewerExceptHostHeader", all_viewer_headers=True, except_host=True, all_cookies=True, all_query=True
    ),
    CORS_CUSTOM_ORIGIN: OriginRequestPolicy("Managed-CORS-CustomOrigin", headers=("origin",)),
}


def cache_policy_for(policy_id: str | None, *, legacy: tuple[int, int, int, bool, tuple[str, ...]]) -> CachePolicy:
    """The behaviour's cache policy; without one, its legacy ``ForwardedValues`` and TTL fields.

    Legacy settings: the forwarded query strings and headers are both in the cache key and sent to the
    origin (CloudFront Developer Guide, "Cache behavior settings", legacy cache settings).
    """
    if policy_id:
        return CACHE_POLICIES[policy_id]
    min_ttl, default_ttl, max_ttl, query, headers = legacy
    return CachePolicy(
        "legacy cache settings",
        min_ttl,
        default_ttl,
        max_ttl,
        compression=False,
        key_headers=tuple(h.lower() for h in headers),
        key_all_query=query,
    )


def origin_request_policy(policy_id: str | None) -> OriginRequestPolicy | None:
    return ORIGIN_REQUEST_POLICIES.get(policy_id or "")
