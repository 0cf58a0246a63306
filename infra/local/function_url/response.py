"""Turn what a function returned into the HTTP response its Function URL sends.

Emulates (aws-behaviour.md §2, validated against AWS in LocalStack's snapshots): a dict with
``statusCode`` is a structured response (``statusCode`` int or numeric string, ``headers`` with names
lower-cased, ``body`` string, ``isBase64Encoded``, each ``cookies`` entry its own ``set-cookie``);
``multiValueHeaders`` is ignored; anything else is inferred: status 200 and the value re-serialised as
compact JSON, except a plain string, which is sent as it is, without quotes; ``content-type`` defaults to
``application/json`` whenever the function set none.

Choices (no source states them): a structured response with no ``body`` has an empty body; a non-string
``body`` is serialised as compact JSON; a ``statusCode`` that is not a number in 100-599 is a function
error (502), as is a payload that is not JSON.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from ..http.types import HttpResponse


class InvalidFunctionResponse(ValueError):
    """The function's result cannot be mapped to HTTP; the URL answers 502."""


def compact_json(value: Any) -> bytes:
    """JSON as Lambda re-serialises it: no spaces, non-ASCII kept as UTF-8."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _status(raw: Any) -> int:
    if isinstance(raw, bool):
        raise InvalidFunctionResponse(f"statusCode {raw!r} is not a number")
    try:
        status = int(raw)
    except (TypeError, ValueError):
        raise InvalidFunctionResponse(f"statusCode {raw!r} is not a number") from None
    if not 100 <= status <= 599:
        raise InvalidFunctionResponse(f"statusCode {status} is out of range")
    return status


def _header_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _structured(result: dict[str, Any]) -> HttpResponse:
    headers: list[tuple[str, str]] = []
    raw_headers = result.get("headers") or {}
    if not isinstance(raw_headers, dict):
        raise InvalidFunctionResponse("headers must be an object")
    for name, value in raw_headers.items():
        headers.append((str(name).lower(), _header_value(value)))
    cookies = result.get("cookies") or []
    if not isinstance(cookies, list):
        raise InvalidFunctionResponse("cookies must be a list of strings")
    headers.extend(("set-cookie", str(cookie)) for cookie in cookies)

    body_value = result.get("body")
    if body_value is None:
        body = b""
    elif isinstance(body_value, str):
        if result.get("isBase64Encoded"):
            try:
                body = base64.b64decode(body_value, validate=True)
            except binascii.Error:
                raise InvalidFunctionResponse("body is not valid base64") from None
        else:
            body = body_value.encode("utf-8")
    else:
        body = compact_json(body_value)
    response = HttpResponse(_status(result["statusCode"]), headers, body)
    if response.header("content-type") is None:
        response.headers.append(("content-type", "application/json"))
    return response


def map_function_result(payload: bytes) -> HttpResponse:
    """Map the JSON payload a buffered invocation returned to the URL's response."""
    try:
        result = json.loads(payload) if payload else None
    except ValueError:
        raise InvalidFunctionResponse("the function's result is not JSON") from None
    if isinstance(result, dict) and "statusCode" in result:
        return _structured(result)
    body = result.encode("utf-8") if isinstance(result, str) else compact_json(result)
    return HttpResponse(200, [("content-type", "application/json")], body)
