"""infra/local/function_url/cors.py: CORS on a Function URL (aws-behaviour.md §5)."""

from __future__ import annotations

import pytest

from infra.local.function_url.cors import add_cors_headers, origin_allowed, preflight_response
from infra.local.http.types import HttpRequest, HttpResponse

SITE = "https://www.example.com"
CORS = {
    "AllowOrigins": [SITE],
    "AllowMethods": ["GET", "POST"],
    "AllowHeaders": ["content-type", "x-api-key"],
    "ExposeHeaders": ["x-request-id", "x-total"],
    "MaxAge": 300,
}


def options(origin: str | None = SITE, **headers: str) -> HttpRequest:
    sent = [("Host", "abc.lambda-url.us-east-1.localhost")]
    if origin is not None:
        sent.append(("Origin", origin))
    sent.extend(headers.items())
    return HttpRequest("OPTIONS", "/", headers=tuple(sent))


def get(origin: str | None = SITE) -> HttpRequest:
    sent = [("Host", "abc.lambda-url.us-east-1.localhost")]
    if origin is not None:
        sent.append(("Origin", origin))
    return HttpRequest("GET", "/", headers=tuple(sent))


# --- origin_allowed ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("allow", "origin", "expected"),
    [
        (["*"], "https://anything.test", True),
        ([SITE], SITE, True),
        ([SITE], "HTTPS://WWW.EXAMPLE.COM", True),
        (["https://www.example.com/"], SITE, True),  # a configured trailing slash is ignored
        ([SITE], "http://www.example.com", False),  # scheme matters
        ([SITE], "https://www.example.com:8443", False),  # port matters
        ([SITE], "https://evil.example.com", False),
        (["https://a.test", SITE], SITE, True),
        ([], SITE, False),
    ],
)
def test_origin_allowed(allow: list[str], origin: str, expected: bool) -> None:
    assert origin_allowed({"AllowOrigins": allow}, origin) is expected


def test_origin_not_allowed_without_allow_origins() -> None:
    assert origin_allowed({}, SITE) is False


# --- preflight_response -----------------------------------------------------------------------------


def test_preflight_for_an_allowed_origin() -> None:
    response = preflight_response(CORS, options())
    assert response.status == 200
    assert response.body == b""
    assert response.headers == [
        ("content-type", "application/json"),
        ("access-control-allow-origin", SITE),
        ("access-control-allow-methods", "GET,POST"),
        ("access-control-allow-headers", "content-type,x-api-key"),
        ("access-control-max-age", "300"),
        ("vary", "Origin"),
    ]


def test_preflight_does_not_expose_headers() -> None:
    # Access-Control-Expose-Headers belongs on the actual response, not the preflight.
    assert preflight_response(CORS, options()).header("access-control-expose-headers") is None


def test_preflight_with_wildcard_origin_answers_star() -> None:
    response = preflight_response({"AllowOrigins": ["*"], "AllowMethods": ["*"]}, options("https://x.test"))
    assert response.header("access-control-allow-origin") == "*"
    assert response.header("access-control-allow-methods") == "*"
    assert response.header("access-control-allow-credentials") is None
    assert response.header("access-control-max-age") is None
    assert response.header("access-control-allow-headers") is None


def test_preflight_with_wildcard_and_credentials_echoes_the_origin() -> None:
    response = preflight_response({"AllowOrigins": ["*"], "AllowCredentials": True}, options("https://x.test"))
    assert response.header("access-control-allow-origin") == "https://x.test"
    assert response.header("access-control-allow-credentials") == "true"


def test_preflight_max_age_zero_is_sent() -> None:
    response = preflight_response({"AllowOrigins": ["*"], "MaxAge": 0}, options())
    assert response.header("access-control-max-age") == "0"


def test_preflight_without_origin_has_no_cors_headers() -> None:
    response = preflight_response(CORS, options(origin=None))
    assert response.status == 200
    assert response.headers == [("content-type", "application/json")]


def test_preflight_for_a_disallowed_origin_has_no_cors_headers() -> None:
    response = preflight_response(CORS, options("https://evil.test"))
    assert response.status == 200
    assert response.headers == [("content-type", "application/json")]


# --- add_cors_headers -------------------------------------------------------------------------------


def test_configured_headers_are_added_next_to_the_functions_own() -> None:
    response = HttpResponse(200, [("content-type", "text/plain"), ("access-control-allow-origin", "*")], b"hello")
    add_cors_headers({**CORS, "AllowCredentials": True}, get(), response)
    assert response.headers == [
        ("content-type", "text/plain"),
        ("access-control-allow-origin", "*"),  # the function's own, kept: duplicates as on AWS
        ("access-control-allow-origin", SITE),
        ("access-control-expose-headers", "x-request-id,x-total"),
        ("access-control-allow-credentials", "true"),
        ("vary", "Origin"),
    ]
    assert response.body == b"hello"
    assert response.status == 200


def test_actual_response_does_not_carry_preflight_only_headers() -> None:
    response = HttpResponse(200, [], b"")
    add_cors_headers(CORS, get(), response)
    assert response.header("access-control-allow-methods") is None
    assert response.header("access-control-allow-headers") is None
    assert response.header("access-control-max-age") is None


def test_no_origin_no_cors_headers_added() -> None:
    response = HttpResponse(200, [("content-type", "application/json")], b"{}")
    add_cors_headers(CORS, get(origin=None), response)
    assert response.headers == [("content-type", "application/json")]


def test_disallowed_origin_no_cors_headers_added() -> None:
    response = HttpResponse(200, [("content-type", "application/json")], b"{}")
    add_cors_headers(CORS, get("https://evil.test"), response)
    assert response.headers == [("content-type", "application/json")]


def test_wildcard_origin_without_credentials_adds_star() -> None:
    response = HttpResponse(200, [], b"")
    add_cors_headers({"AllowOrigins": ["*"]}, get("https://x.test"), response)
    assert response.headers == [("access-control-allow-origin", "*"), ("vary", "Origin")]
