"""A CloudFront edge in front of the local cloud's origins (core: request -> response, no sockets).

Emulates, for a request to a distribution's domain (``cloudfront/distributions.py``), what CloudFront does
(CloudFront Developer Guide, "Request and response behavior for custom origins"; aws-behaviour.md §7):
- an unknown or disabled distribution: 403 "Bad request." (CloudFront's answer for a host it does not
  serve); a method the behaviour does not allow: 403 with CloudFront's message;
- the cache behaviour chosen by path pattern; the cache (``cloudfront/cache.py``) for the cached methods:
  ``X-Cache: Hit from cloudfront`` with ``Age``, or ``Miss from cloudfront``;
- the origin request: the origin's domain as ``Host`` unless the origin request policy forwards the
  viewer's (AllViewer, which a Function URL refuses with its own 403), ``OriginPath`` before the path,
  the viewer headers, cookies and query strings the policies forward, the origin's custom headers, and
  ``Via``, ``X-Amz-Cf-Id``, ``X-Forwarded-For`` and ``User-Agent: Amazon CloudFront`` (when the viewer's is
  not forwarded; ``X-Forwarded-For`` appends the viewer's address without a space, as the guide's example
  does); with a compressing cache policy, ``Accept-Encoding`` normalised to ``br,gzip``, ``gzip``... or
  ``identity``; Origin Access Control signs it (``cloudfront/oac.py``);
- a GET with a body: 403 ("GET requests that include a body");
- ``ViewerProtocolPolicy`` for a viewer request over plain HTTP (``viewer_protocol.py``): ``allow-all`` serves
  it, ``redirect-to-https`` answers CloudFront's 301 (307 for other methods than GET and HEAD) to the same
  URL over HTTPS, ``https-only`` its 403;
  a request that came over TLS (``http/tls_listener.py``) is HTTPS;
- ``OriginReadTimeout``: the time CloudFront waits for the origin's first byte and then between two
  packets. No response in time: for GET and HEAD the origin is asked again, ``ConnectionAttempts`` times in
  all, then 504; other methods get 504 after one try (custom origins: "Origin response timeout";
  ``Origin.ConnectionAttempts`` in the API reference). A streamed body that falls silent for longer is
  cut short. Chunks are passed on as they arrive;
- CloudFront's headers on every response: ``Via``, ``X-Cache``, ``X-Amz-Cf-Pop``, ``X-Amz-Cf-Id``; its
  own errors carry ``X-Cache: Error from cloudfront`` and an HTML page (``cloudfront/errors.py``), and so
  do the origin's 4xx/5xx answers, passed on as they are;
- the distribution's default CloudWatch metrics (``Requests``, bytes, error rates) for every request an
  enabled distribution answers, cache hits and CloudFront's own errors included
  (``cloudwatch/service_metrics.py``).

Choices (marked, no source states them):
- an origin whose protocol policy is ``http-only`` cannot reach a Function URL (HTTPS only): 502 at once
  rather than after the connection timeouts;
- the ``Location`` of ``redirect-to-https`` names the local cloud's TLS port (``https://<host>:<port>/...``),
  where CloudFront's names none (443): the local edge listens on two loopback ports, not on 80 and 443;
- an origin domain that the local cloud does not serve does not resolve: 502 at once;
- ``X-Amz-Cf-Pop`` names an edge of the kit's region (``ICN`` for Seoul), ``Via`` an edge host id fixed
  per local cloud;
- not emulated: request collapsing, compression by the edge, ``ResponseCompletionTimeout``, origin
  groups, custom error responses, geo restriction, WAF, signed URLs, invalidations.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

from ..cloudwatch.service_metrics import CloudFrontMetrics
from ..function_url.front_end import parse_url_host
from ..http.types import HttpRequest, HttpResponse, TlsInfo
from . import errors, viewer_protocol
from .cache import EdgeCache, accept_encoding_key, cache_key, time_to_live
from .distributions import DistributionRegistry, EdgeBehaviour, EdgeDistribution, EdgeOrigin
from .oac import OriginAccessSigner

log = logging.getLogger(__name__)

#: Routes an origin request to what answers for ``domain`` in the local cloud; None = not served here.
OriginDispatch = Callable[[str, HttpRequest], Awaitable[HttpResponse] | None]

_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "content-length",
    "expect",
}
# Request headers CloudFront never passes on, or replaces with its own (CUSTOM origins page, header table).
_NEVER_FORWARDED = _HOP_BY_HOP | {
    "proxy-authenticate",
    "proxy-authorization",
    "x-real-ip",
    "x-forwarded-proto",
    "via",
    "x-amz-cf-id",
    "x-forwarded-for",
}
# Response headers CloudFront sets itself on every response, and those it never keeps in the cache.
_EDGE_STAMP = {"via", "x-cache", "x-amz-cf-pop", "x-amz-cf-id"}
_EDGE_RESPONSE = _EDGE_STAMP | {"age"}
_POP_BY_REGION = {"ap-northeast-2": "ICN", "ap-northeast-1": "NRT", "us-east-1": "IAD", "eu-west-1": "DUB"}


#: CloudFront's connection to an HTTPS origin. Inference: ``OriginSslProtocols`` goes no higher than TLSv1.2, so
#: CloudFront speaks TLS 1.2 to its origins, with the first ECDHE suite of its list (no source records it).
ORIGIN_TLS_VERSION = "TLSv1.2"
ORIGIN_TLS_CIPHER = "ECDHE-RSA-AES128-GCM-SHA256"


def _origin_tls(origin: EdgeOrigin) -> TlsInfo | None:
    """The origin request's TLS: HTTPS unless the origin is ``http-only``."""
    if origin.protocol_policy == "http-only":
        return None
    return TlsInfo(origin.domain_name, ORIGIN_TLS_VERSION, ORIGIN_TLS_CIPHER)


@dataclass(frozen=True)
class EdgeError:
    """An error CloudFront answers itself instead of the origin's response."""

    status: int
    reason: str


class OriginTimeout(Exception):
    """The origin sent nothing for ``OriginReadTimeout`` seconds."""


def new_request_id() -> str:
    """An ``X-Amz-Cf-Id``: 56 characters of URL-safe base64, ending ``==`` as CloudFront's do."""
    return base64.urlsafe_b64encode(os.urandom(40)).decode()


@dataclass
class CloudFrontEdge:
    origins: OriginDispatch
    region: str = "ap-northeast-2"
    registry: DistributionRegistry = field(default_factory=DistributionRegistry)
    signer: OriginAccessSigner = field(default_factory=OriginAccessSigner)
    cache: EdgeCache = field(default_factory=EdgeCache)
    clock: Callable[[], float] = time.time
    metrics: CloudFrontMetrics | None = None  # None: no CloudWatch metrics are published
    https_port: int = 0  # the local cloud's TLS port, where ``redirect-to-https`` sends a viewer

    def __post_init__(self) -> None:
        host_id = hashlib.md5(f"{os.getpid()}-{time.time()}".encode(), usedforsecurity=False).hexdigest()
        self.via = f"1.1 {host_id}.cloudfront.net (CloudFront)"
        self.pop = f"{_POP_BY_REGION.get(self.region, 'ICN')}54-P1"

    async def handle(self, request: HttpRequest) -> HttpResponse:
        """Answer a viewer request sent to a distribution's own domain name."""
        return await self._serve(request, self.registry.by_domain(request.host))

    async def handle_alias(self, name: str, distribution_domain: str, request: HttpRequest) -> HttpResponse:
        """Answer a request for ``name``, which DNS sent to ``distribution_domain``: served only when the
        distribution lists ``name`` among its ``Aliases``, CloudFront's 403 otherwise (CloudFront Developer
        Guide, alternate domain names)."""
        distribution = self.registry.by_domain(distribution_domain)
        return await self._serve(request, distribution if distribution and name in distribution.aliases else None)

    async def _serve(self, request: HttpRequest, distribution: EdgeDistribution | None) -> HttpResponse:
        response = await self._answer(request, distribution)
        if self.metrics is not None and distribution is not None and distribution.enabled:
            response = self.metrics.viewer_request(
                distribution.account_id, distribution.distribution_id, request.method, len(request.body), response
            )
        return response

    async def _answer(self, request: HttpRequest, distribution: EdgeDistribution | None) -> HttpResponse:
        cf_id = new_request_id()
        if distribution is None or not distribution.enabled:
            return self._finish(errors.error_response(403, errors.BAD_REQUEST, cf_id), cf_id, "Error")
        behaviour = distribution.behaviour_for(request.path)
        if request.tls is None and behaviour.viewer_protocol_policy != "allow-all":
            refusal = viewer_protocol.plain_http_answer(
                behaviour.viewer_protocol_policy, request, self.https_port, cf_id
            )
            return self._finish(refusal, cf_id, "Redirect" if refusal.status in (301, 307) else "Error")
        if request.method not in behaviour.allowed_methods:
            return self._finish(errors.error_response(403, errors.METHOD_NOT_ALLOWED, cf_id), cf_id, "Error")
        cacheable = request.method in behaviour.cached_methods and behaviour.cache.caches
        key = cache_key(distribution.distribution_id, behaviour.cache, request) if cacheable else None
        if key is not None:
            now = self.clock()
            hit = self.cache.get(key, now)
            if hit is not None:
                response = HttpResponse(hit.status, list(hit.headers), b"" if request.method == "HEAD" else hit.body)
                response.headers.append(("Age", str(int(now - hit.stored_at))))
                return self._finish(response, cf_id, "Error" if hit.status >= 400 else "Hit")
        if request.method == "GET" and request.body:
            return self._finish(errors.error_response(403, errors.BAD_REQUEST, cf_id), cf_id, "Error")
        response = await self._from_origin(request, distribution, behaviour, cf_id)
        if isinstance(response, EdgeError):
            return self._finish(errors.error_response(response.status, response.reason, cf_id), cf_id, "Error")
        if key is not None:
            response = self._keep(response, key, behaviour)
        return self._finish(response, cf_id, "Error" if response.status >= 400 else "Miss")

    def _finish(self, response: HttpResponse, cf_id: str, outcome: str) -> HttpResponse:
        response.headers = [(k, v) for k, v in response.headers if k.lower() not in _EDGE_STAMP]
        response.headers += [
            ("X-Cache", f"{outcome} from cloudfront"),
            ("Via", self.via),
            ("X-Amz-Cf-Pop", self.pop),
            ("X-Amz-Cf-Id", cf_id),
        ]
        return response

    def _keep(self, response: HttpResponse, key: tuple[str, ...], behaviour: EdgeBehaviour) -> HttpResponse:
        """Store the origin's response in the cache as it passes (streamed bodies once they are complete)."""
        now = self.clock()
        ttl = time_to_live(behaviour.cache, response.status, response.headers, now)
        if ttl <= 0:
            return response
        headers = [(k, v) for k, v in response.headers if k.lower() not in _EDGE_RESPONSE]
        if response.stream is None:
            self.cache.put(key, response.status, headers, response.body, ttl, now)
            return response
        stream = response.stream
        limit = self.cache.max_object_bytes

        async def teed() -> AsyncIterator[bytes]:
            parts: list[bytes] = []
            size = 0
            async for chunk in stream:
                size += len(chunk)
                if size <= limit:
                    parts.append(chunk)
                yield chunk
            if size <= limit:
                self.cache.put(key, response.status, headers, b"".join(parts), ttl, self.clock())

        response.stream = teed()
        return response

    # -- the origin side ---------------------------------------------------------------------------------

    def origin_request(
        self, request: HttpRequest, distribution: EdgeDistribution, behaviour: EdgeBehaviour, cf_id: str
    ) -> HttpRequest:
        """The request CloudFront sends to the behaviour's origin for this viewer request."""
        origin = behaviour.origin
        policy = behaviour.origin_request
        cache = behaviour.cache
        forwarded: list[tuple[str, str]] = []
        host = origin.domain_name
        for name, value in request.headers:
            lname = name.lower()
            if lname in _NEVER_FORWARDED:
                continue
            if lname == "host":
                if policy is not None and policy.all_viewer_headers and not policy.except_host:
                    host = value
                continue
            if lname == "accept-encoding" and cache.compression:
                continue  # normalised below
            if lname == "cookie":
                keep = (policy is not None and policy.all_cookies) or cache.key_all_cookies
            elif policy is not None and policy.all_viewer_headers:
                keep = True
            else:
                keep = lname in cache.key_headers or (policy is not None and lname in policy.headers)
            if keep:
                forwarded.append((name, value))
        if not any(k.lower() == "user-agent" for k, _ in forwarded):
            forwarded.append(("User-Agent", "Amazon CloudFront"))
        if cache.compression:
            forwarded.append(("Accept-Encoding", accept_encoding_key(request.header("accept-encoding")) or "identity"))
        viewer_for = request.header("x-forwarded-for")
        forwarded += [
            ("Via", self.via),
            ("X-Amz-Cf-Id", cf_id),
            ("X-Forwarded-For", f"{viewer_for},{request.source_ip}" if viewer_for else request.source_ip),
        ]
        forwarded += list(origin.custom_headers)
        query = request.query if (policy is not None and policy.all_query) or cache.key_all_query else ""
        path = f"{origin.origin_path}{request.path}"
        headers = [("Host", host), *forwarded]
        if origin.access is not None:
            url = parse_url_host(origin.domain_name)
            region = url[1] if url else self.region
            content_sha256 = request.header("x-amz-content-sha256")
            headers = self.signer.apply(
                origin.access, distribution, request.method, path, query, headers, region, content_sha256
            )
        return HttpRequest(
            method=request.method,
            path=path,
            query=query,
            headers=tuple(headers),
            body=request.body,
            source_ip="127.0.0.1",
            tls=_origin_tls(origin),
        )

    async def _from_origin(
        self, request: HttpRequest, distribution: EdgeDistribution, behaviour: EdgeBehaviour, cf_id: str
    ) -> HttpResponse | EdgeError:
        """The origin's response, or the error CloudFront answers when the origin cannot give one."""
        origin = behaviour.origin
        if parse_url_host(origin.domain_name) is not None and origin.protocol_policy == "http-only":
            return EdgeError(502, errors.ORIGIN_CONNECTION)
        attempts = origin.connection_attempts if request.method in ("GET", "HEAD") else 1
        for attempt in range(1, attempts + 1):
            origin_request = self.origin_request(request, distribution, behaviour, cf_id)
            answer = self.origins(origin.domain_name, origin_request)
            if answer is None:
                return EdgeError(502, errors.ORIGIN_UNREACHABLE)
            task = asyncio.ensure_future(answer)
            done, _ = await asyncio.wait({task}, timeout=origin.read_timeout)
            if task in done:
                response = task.result()
                return self._relay(response, origin)
            # The origin keeps working (a function runs on); CloudFront no longer listens to it.
            task.add_done_callback(_discard)
            log.info("origin %s silent (attempt %d of %d)", origin.domain_name, attempt, attempts)
        return EdgeError(504, errors.ORIGIN_TIMEOUT)

    def _relay(self, response: HttpResponse, origin: EdgeOrigin) -> HttpResponse:
        headers = [(k, v) for k, v in response.headers if k.lower() not in _HOP_BY_HOP]
        out = HttpResponse(response.status, headers, response.body)
        if response.stream is not None:
            out.stream = _idle_limited(response.stream, origin.read_timeout)
        return out


def _discard(task: asyncio.Future[HttpResponse]) -> None:
    """Collect a late origin answer nobody waits for (its error, if any, is only logged)."""
    if not task.cancelled() and task.exception() is not None:
        log.info("late origin answer failed: %s", task.exception())


async def _idle_limited(stream: AsyncIterator[bytes], timeout: float) -> AsyncIterator[bytes]:
    """Pass chunks on as they come; an origin silent for ``timeout`` seconds ends the body early."""
    iterator = stream.__aiter__()
    while True:
        try:
            chunk = await asyncio.wait_for(iterator.__anext__(), timeout)
        except StopAsyncIteration:
            return
        except TimeoutError:
            raise OriginTimeout(f"origin silent for {timeout:.0f} s") from None
        yield chunk
