"""CORS on a Function URL, from the URL's ``Cors`` configuration.

Emulates (aws-behaviour.md §5; API_Cors.html): when the URL has a CORS configuration, an ``OPTIONS``
request is answered by the URL itself without invoking the function; CORS headers are added only when the
request carries an ``Origin`` that ``AllowOrigins`` admits (``*`` admits any); on other requests the
configured headers are added next to whatever the function returned, so a function that sets its own CORS
headers produces duplicates, as on AWS (Powertools issue #4163). Without a CORS configuration, ``OPTIONS``
reaches the function like any other method.

Choices (no source records the preflight's exact headers): the preflight answers 200 with
``access-control-allow-origin`` (the request's origin, or ``*`` when ``*`` is configured without
credentials), ``-allow-methods`` and ``-allow-headers`` as configured, ``-max-age`` when ``MaxAge`` is set,
``-allow-credentials: true`` when set, and ``vary: Origin``; a disallowed origin gets 200 with no CORS
headers, so the browser blocks the call.
"""

from __future__ import annotations

from typing import Any

from ..http.types import HttpRequest, HttpResponse


def origin_allowed(cors: dict[str, Any], origin: str) -> bool:
    allowed = cors.get("AllowOrigins") or []
    return "*" in allowed or any(origin.lower() == entry.lower().rstrip("/") for entry in allowed)


def _allow_origin_value(cors: dict[str, Any], origin: str) -> str:
    if "*" in (cors.get("AllowOrigins") or []) and not cors.get("AllowCredentials"):
        return "*"
    return origin


def preflight_response(cors: dict[str, Any], request: HttpRequest) -> HttpResponse:
    """The URL's own answer to an ``OPTIONS`` request."""
    response = HttpResponse(200, [("content-type", "application/json")], b"")
    origin = request.header("origin")
    if not origin or not origin_allowed(cors, origin):
        return response
    response.headers.append(("access-control-allow-origin", _allow_origin_value(cors, origin)))
    methods = cors.get("AllowMethods") or []
    if methods:
        response.headers.append(("access-control-allow-methods", ",".join(methods)))
    allow_headers = cors.get("AllowHeaders") or []
    if allow_headers:
        response.headers.append(("access-control-allow-headers", ",".join(allow_headers)))
    if cors.get("AllowCredentials"):
        response.headers.append(("access-control-allow-credentials", "true"))
    if cors.get("MaxAge") is not None:
        response.headers.append(("access-control-max-age", str(cors["MaxAge"])))
    response.headers.append(("vary", "Origin"))
    return response


def add_cors_headers(cors: dict[str, Any], request: HttpRequest, response: HttpResponse) -> None:
    """Add the configured CORS headers to a function's response (next to the function's own)."""
    origin = request.header("origin")
    if not origin or not origin_allowed(cors, origin):
        return
    response.headers.append(("access-control-allow-origin", _allow_origin_value(cors, origin)))
    expose = cors.get("ExposeHeaders") or []
    if expose:
        response.headers.append(("access-control-expose-headers", ",".join(expose)))
    if cors.get("AllowCredentials"):
        response.headers.append(("access-control-allow-credentials", "true"))
    response.headers.append(("vary", "Origin"))
