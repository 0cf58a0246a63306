"""The edge's cache: what a cache policy keys on, how long an object stays, and the objects themselves.

Emulates (CloudFront Developer Guide, "Manage how long content stays in the cache (expiration)" and
"Understand the cache key"):
- the key is the distribution, the path, and what the policy adds (headers, query strings, cookies; the
  normalised ``Accept-Encoding`` when the policy compresses); GET and HEAD share an object;
- the time an object stays: ``s-maxage`` or else ``max-age`` from the origin's ``Cache-Control``, kept
  between the policy's MinTTL and MaxTTL; ``no-cache``, ``no-store`` or ``private`` keep it for MinTTL only
  (so not at all when MinTTL is 0); an ``Expires`` date likewise; nothing said: DefaultTTL;
- which responses are kept: 200, 203, 300, 301 and 410 as above; the origin's 4xx/5xx error codes that
  CloudFront caches (400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504) for the error caching minimum
  TTL, 10 seconds by default, unless the origin's headers say otherwise ("How CloudFront processes HTTP
  4xx and 5xx status codes from your origin");
- a policy whose MaxTTL is 0 (CachingDisabled) keeps nothing.

Choices: at most ``max_objects`` objects (least recently used first out) and none larger than
``max_object_bytes``; invalidations are not emulated (moto records them, the edge does not act on them).
"""

from __future__ import annotations

import email.utils
import time
from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import parse_qsl

from ..http.types import HttpRequest
from .policies import CachePolicy

CACHEABLE = frozenset({200, 203, 300, 301, 410})
ERROR_CACHEABLE = frozenset({400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504})
ERROR_CACHING_MIN_TTL = 10.0


@dataclass(frozen=True)
class CachedObject:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    stored_at: float
    expires_at: float


def _cache_control(headers: list[tuple[str, str]]) -> dict[str, str | None]:
    directives: dict[str, str | None] = {}
    for name, value in headers:
        if name.lower() != "cache-control":
            continue
        for part in value.split(","):
            key, _, arg = part.strip().partition("=")
            if key:
                directives[key.lower()] = arg.strip('"') or None
    return directives


def _seconds(value: str | None) -> float | None:
    try:
        return float(int(value)) if value is not None else None
    except ValueError:
        return None


def time_to_live(policy: CachePolicy, status: int, headers: list[tuple[str, str]], now: float) -> float:
    """How long CloudFront keeps this origin response (0 = not at all)."""
    if not policy.caches:
        return 0.0
    directives = _cache_control(headers)
    declared = _seconds(directives.get("s-maxage")) if "s-maxage" in directives else None
    if declared is None and "max-age" in directives:
        declared = _seconds(directives.get("max-age"))
    if declared is None:
        expires = next((v for n, v in headers if n.lower() == "expires"), None)
        if expires is not None:
            parsed = email.utils.parsedate_to_datetime(expires) if expires.strip() else None
            declared = max(0.0, parsed.timestamp() - now) if parsed is not None else 0.0
    refuses = any(d in directives for d in ("no-cache", "no-store", "private"))
    if status in ERROR_CACHEABLE:
        if refuses:
            return float(policy.min_ttl)
        return declared if declared is not None else ERROR_CACHING_MIN_TTL
    if status not in CACHEABLE:
        return 0.0
    if refuses:
        return float(policy.min_ttl)
    if declared is None:
        return float(policy.default_ttl)
    return float(min(max(declared, policy.min_ttl), policy.max_ttl))


def accept_encoding_key(value: str | None) -> str:
    """The normalised ``Accept-Encoding`` a compressing policy puts in the key (gzip and br only)."""
    offered = {part.split(";")[0].strip().lower() for part in (value or "").split(",")}
    return ",".join(e for e in ("br", "gzip") if e in offered)


def cache_key(distribution_id: str, policy: CachePolicy, request: HttpRequest) -> tuple[str, ...]:
    parts = [distribution_id, request.path]
    if policy.key_all_query:
        parts.append("&".join(f"{k}={v}" for k, v in sorted(parse_qsl(request.query, keep_blank_values=True))))
    for name in policy.key_headers:
        parts.append(f"{name}:{','.join(request.header_values(name))}")
    if policy.key_all_cookies:
        parts.append(";".join(sorted(request.header_values("cookie"))))
    if policy.compression:
        parts.append(accept_encoding_key(request.header("accept-encoding")))
    return tuple(parts)


class EdgeCache:
    def __init__(self, max_objects: int = 10_000, max_object_bytes: int = 10 * 1024 * 1024) -> None:
        self.max_objects = max_objects
        self.max_object_bytes = max_object_bytes
        self._objects: OrderedDict[tuple[str, ...], CachedObject] = OrderedDict()

    def get(self, key: tuple[str, ...], now: float | None = None) -> CachedObject | None:
        found = self._objects.get(key)
        if found is None:
            return None
        if (now if now is not None else time.time()) >= found.expires_at:
            del self._objects[key]
            return None
        self._objects.move_to_end(key)
        return found

    def put(
        self, key: tuple[str, ...], status: int, headers: list[tuple[str, str]], body: bytes, ttl: float, now: float
    ) -> None:
        if ttl <= 0 or len(body) > self.max_object_bytes:
            return
        self._objects[key] = CachedObject(status, tuple(headers), body, now, now + ttl)
        self._objects.move_to_end(key)
        while len(self._objects) > self.max_objects:
            self._objects.popitem(last=False)

    def __len__(self) -> int:
        return len(self._objects)
