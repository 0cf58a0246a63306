"""The local CloudFront edge's parts on their own: cache expiry and keys, path patterns, OAC signing, errors."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from infra.local.cloudfront.cache import EdgeCache, accept_encoding_key, cache_key, time_to_live
from infra.local.cloudfront.distributions import EdgeDistribution, OriginAccess, parse_distribution_host, path_matcher
from infra.local.cloudfront.edge import OriginTimeout, _idle_limited, new_request_id
from infra.local.cloudfront.errors import METHOD_NOT_ALLOWED, error_page
from infra.local.cloudfront.oac import SERVICE, OriginAccessSigner
from infra.local.cloudfront.policies import (
    CACHE_POLICIES,
    CACHING_DISABLED,
    CACHING_OPTIMIZED,
    cache_policy_for,
)
from infra.local.http.types import HttpRequest
from infra.local.iam.identity import find_identity
from infra.local.iam.policy import AuthzRequest, Caller, Decision, evaluate
from infra.local.iam.sigv4 import SignatureError, verify
from infra.steps.cloudfront import Origin

OPTIMIZED = CACHE_POLICIES[CACHING_OPTIMIZED]
DISABLED = CACHE_POLICIES[CACHING_DISABLED]
NOW = 1_800_000_000.0


# --- how long an object stays (Expiration.html's table) ------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "status", "expected"),
    [
        ([], 200, 86_400),  # nothing said: DefaultTTL
        ([("Cache-Control", "max-age=60")], 200, 60),
        ([("Cache-Control", "max-age=0")], 200, 1),  # raised to MinTTL
        ([("Cache-Control", "max-age=99999999999")], 200, 31_536_000),  # lowered to MaxTTL
        ([("Cache-Control", "max-age=60, s-maxage=600")], 200, 600),  # s-maxage wins for CloudFront
        ([("Cache-Control", "no-store")], 200, 1),  # MinTTL > 0: kept for MinTTL
        ([("Cache-Control", "private, max-age=600")], 200, 1),
        ([("Expires", "Fri, 15 Jan 2027 08:00:00 GMT")], 200, None),
        ([], 404, 10),  # the error caching minimum TTL
        ([], 418, 0),  # not a status CloudFront caches
        ([], 201, 0),
    ],
)
def test_time_to_live_follows_the_expiration_rules(headers, status, expected) -> None:
    ttl = time_to_live(OPTIMIZED, status, headers, NOW)
    if expected is None:  # Expires: the time left, kept between MinTTL and MaxTTL
        left = datetime(2027, 1, 15, 8, tzinfo=UTC).timestamp() - NOW
        assert ttl == min(max(left, 1), 31_536_000)
    else:
        assert ttl == expected


def test_caching_disabled_keeps_nothing_whatever_the_origin_says() -> None:
    assert time_to_live(DISABLED, 200, [("Cache-Control", "max-age=600")], NOW) == 0
    assert time_to_live(DISABLED, 404, [], NOW) == 0


def test_no_cache_with_min_ttl_zero_is_not_kept() -> None:
    legacy = cache_policy_for(None, legacy=(0, 86_400, 31_536_000, False, ()))
    assert time_to_live(legacy, 200, [("Cache-Control", "no-cache")], NOW) == 0
    assert time_to_live(legacy, 200, [], NOW) == 86_400


def test_cache_keys_follow_the_policy() -> None:
    def request(query: str = "", encoding: str | None = None) -> HttpRequest:
        headers = (("Accept-Encoding", encoding),) if encoding else ()
        return HttpRequest("GET", "/a", query=query, headers=headers)

    assert cache_key("D", OPTIMIZED, request("x=1")) == cache_key("D", OPTIMIZED, request("x=2"))
    assert cache_key("D", OPTIMIZED, request(encoding="gzip, deflate")) != cache_key("D", OPTIMIZED, request())
    assert accept_encoding_key("deflate, br;q=0.9, gzip") == "br,gzip"
    legacy = cache_policy_for(None, legacy=(0, 0, 0, True, ("X-Tenant",)))
    assert cache_key("D", legacy, request("b=2&a=1")) == cache_key("D", legacy, request("a=1&b=2"))
    assert cache_key("D", legacy, request("a=1")) != cache_key("D", legacy, request("a=2"))


def test_the_cache_expires_and_evicts_the_least_recently_used() -> None:
    cache = EdgeCache(max_objects=2)
    cache.put(("a",), 200, [], b"A", ttl=10, now=NOW)
    cache.put(("b",), 200, [], b"B", ttl=10, now=NOW)
    assert cache.get(("a",), NOW + 1) is not None  # a is now the most recent
    cache.put(("c",), 200, [], b"C", ttl=10, now=NOW)
    assert cache.get(("b",), NOW + 1) is None and len(cache) == 2
    assert cache.get(("a",), NOW + 10) is None  # expired


# --- cache behaviours ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("/api/*", "/api/items/1", True),
        ("api/*", "/api/items", True),  # the leading / is optional
        ("/api/*", "/API/items", False),  # case-sensitive
        ("images/*.jpg", "/images/product1/a.jpg", True),  # * crosses /
        ("*.jpg", "/LOGO.JPG", False),
        ("/v?/x", "/v1/x", True),
        ("/v?/x", "/v10/x", False),
    ],
)
def test_path_patterns_match_as_cloudfront_says(pattern: str, path: str, matches: bool) -> None:
    assert bool(path_matcher(pattern).match(path)) is matches


def test_distribution_hosts() -> None:
    assert parse_distribution_host("d111111abcdef8.cloudfront.net") == "d111111abcdef8"
    assert parse_distribution_host("D111111ABCDEF8.cloudfront.localhost") == "d111111abcdef8"
    assert parse_distribution_host("abc.lambda-url.ap-northeast-2.on.aws") is None


def test_the_kits_origin_is_the_urls_domain_whatever_form_the_url_takes() -> None:
    for url in ("https://abc.lambda-url.ap-northeast-2.on.aws/", "abc.lambda-url.ap-northeast-2.on.aws"):
        assert Origin(url).domain == "abc.lambda-url.ap-northeast-2.on.aws"


# --- Origin Access Control ----------------------------------------------------------------------------------

DIST = EdgeDistribution(
    distribution_id="EDFDVBD6EXAMPLE",
    arn="arn:aws:cloudfront::123456789012:distribution/EDFDVBD6EXAMPLE",
    account_id="123456789012",
    domain_name="d111111abcdef8.cloudfront.net",
    etag="E1",
    enabled=True,
    aliases=(),
    behaviours=(),
)
URL_HOST = "abcdefghijklmnopqrstuvwxyz123456.lambda-url.ap-northeast-2.on.aws"


def _sign(behaviour: str, headers: list[tuple[str, str]], sha: str | None = None) -> list[tuple[str, str]]:
    access = OriginAccess("E2QWRUHEXAMPLE", behaviour, "sigv4", "lambda")
    return OriginAccessSigner().apply(access, DIST, "POST", "/items", "", headers, "ap-northeast-2", sha)


def _verify(headers: list[tuple[str, str]], body: bytes) -> None:
    verify(
        "POST",
        "/items",
        "",
        tuple(headers),
        body,
        lookup=lambda key: identity.credential if (identity := find_identity(key)) else None,
        service="lambda",
        region="ap-northeast-2",
    )


def test_always_signs_as_cloudfront_and_the_signature_verifies() -> None:
    viewer = [("Host", URL_HOST), ("Authorization", "Bearer viewer-token")]
    body = b'{"n": 1}'
    signed = _sign("always", viewer, hashlib.sha256(body).hexdigest())
    authorization = next(v for k, v in signed if k.lower() == "authorization")
    assert authorization.startswith("AWS4-HMAC-SHA256 Credential=ASIA")
    assert ("x-amz-content-sha256", hashlib.sha256(body).hexdigest()) in signed
    _verify(signed, body)
    access_key = authorization.split("Credential=")[1].split("/")[0]
    identity = find_identity(access_key)
    assert identity is not None and identity.service == SERVICE
    assert dict(identity.source)["aws:SourceArn"] == DIST.arn


def test_without_the_viewers_body_hash_the_signature_fails_for_a_body() -> None:
    signed = _sign("always", [("Host", URL_HOST)])
    _verify(signed, b"")  # no body: the empty hash is right
    with pytest.raises(SignatureError) as caught:
        _verify(signed, b'{"n": 1}')
    assert caught.value.reason == SignatureError.MISMATCH
    assert not any(k.lower() == "x-amz-content-sha256" for k, _ in signed)  # CloudFront assumed no body


def test_never_and_no_override_leave_the_request_alone() -> None:
    viewer = [("Host", URL_HOST), ("Authorization", "AWS4-HMAC-SHA256 viewer's own")]
    assert _sign("never", viewer) == viewer
    assert _sign("no-override", viewer) == viewer
    assert any(k == "authorization" for k, _ in _sign("no-override", [("Host", URL_HOST)]))


def test_a_service_caller_matches_service_principals_and_source_arn_conditions() -> None:
    statement = {
        "Effect": "Allow",
        "Principal": {"Service": "cloudfront.amazonaws.com"},
        "Action": "lambda:InvokeFunctionUrl",
        "Resource": "arn:aws:lambda:ap-northeast-2:123456789012:function:f",
        "Condition": {"ArnLike": {"AWS:SourceArn": DIST.arn}},
    }
    caller = Caller.service(SERVICE)
    ours = AuthzRequest("lambda:InvokeFunctionUrl", statement["Resource"], {"aws:SourceArn": DIST.arn})
    theirs = AuthzRequest("lambda:InvokeFunctionUrl", statement["Resource"], {"aws:SourceArn": DIST.arn + "X"})
    assert evaluate([statement], ours, caller) is Decision.ALLOW
    assert evaluate([statement], theirs, caller) is Decision.NOT_ALLOWED
    assert evaluate([statement], ours, Caller.anonymous()) is Decision.NOT_ALLOWED


# --- timeouts, ids, error pages -----------------------------------------------------------------------------


def test_a_stream_that_falls_silent_past_the_read_timeout_is_cut() -> None:
    async def origin() -> AsyncIterator[bytes]:
        yield b"1\n"
        await asyncio.sleep(0.05)
        yield b"2\n"
        await asyncio.sleep(0.5)
        yield b"never\n"

    async def read() -> list[bytes]:
        got = []
        with pytest.raises(OriginTimeout):
            async for chunk in _idle_limited(origin(), 0.2):
                got.append(chunk)
        return got

    assert asyncio.run(read()) == [b"1\n", b"2\n"]


def test_request_ids_look_like_cloudfronts() -> None:
    ids = {new_request_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(len(i) == 56 and i.endswith("==") and "+" not in i and "/" not in i for i in ids)


def test_error_pages_name_the_status_the_reason_and_the_request() -> None:
    page = error_page(403, METHOD_NOT_ALLOWED, "abc==")
    assert "<H1>403 ERROR</H1>" in page and METHOD_NOT_ALLOWED in page and "Request ID: abc==" in page
    assert "<H1>504 Gateway Timeout ERROR</H1>" in error_page(504, "", "x")
