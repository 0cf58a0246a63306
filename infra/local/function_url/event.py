"""Build the payload-format-2.0 event a Function URL hands to its function.

Emulates (aws-behaviour.md §1, from lambda/latest/dg/urls-invocation.html and LocalStack's recorded
snapshots): the key set and its order, lower-cased header names with values untouched (the client's bytes
as UTF-8 text, ``http/field_values.py``), repeated headers and query keys comma-joined, URL-decoded query
values (percent-encoded UTF-8, so ``q=%ED%95%9C`` arrives as ``"한"``) while ``rawPath`` and
``rawQueryString`` keep the percent-encoding they arrived with (Function URLs and REST APIs keep the path
encoded, HTTP APIs decode it: live captures cited in github.com/middleapi/standard-server/pull/93), every
``Cookie`` header split into ``cookies`` (as UTF-8 text too), the headers the URL front end adds
(``x-amzn-trace-id``, ``x-forwarded-*``), a text body for UTF-8 text/JSON/XML content and base64 for
anything else (a body in another charset, EUC-KR say, is base64), no ``body`` key when there is no body,
``accountId`` "anonymous" for AuthType NONE and the ``authorizer.iam`` block for AWS_IAM.

Choices (no source states them): ``x-forwarded-proto`` and ``x-forwarded-port`` say what the client
really used (``http`` and the local cloud's port), so a handler that builds links from them builds links
that work locally; ``headers.host`` is the Host the client sent while ``requestContext.domainName`` is
the URL's canonical ``on.aws`` name, as AWS shows it.

``requestContext.http.path`` is the path with its leading slashes collapsed and percent-decoded
(``context_path``), ``rawPath`` the path as sent.

The TLS headers AWS adds (captured events show ``x-amzn-tls-version: TLSv1.3`` with
``x-amzn-tls-cipher-suite: TLS_AES_128_GCM_SHA256`` for today's clients, ``TLSv1.2`` with
``ECDHE-RSA-AES128-GCM-SHA256`` in older ones) say what the request's connection really negotiated when it
came over the local cloud's TLS port, with ``x-forwarded-proto: https``; a request from the local edge says what
CloudFront's origin connection negotiates (``cloudfront/edge.py``); over plain HTTP they say what a current
client negotiates, and ``x-forwarded-proto`` is ``http``.
"""

from __future__ import annotations

import base64
import re
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote

from ..http.field_values import as_text
from ..http.types import HttpRequest
from ..lambda_.invocation import new_trace_id

# Headers a client sends that the URL front end consumes instead of passing on (choice: hop-by-hop).
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "upgrade", "proxy-connection"}
_TEXT_MARKERS = ("text", "json", "xml", "javascript", "x-www-form-urlencoded")
_LEADING_SLASHES = re.compile(r"^/{2,}")


@dataclass(frozen=True)
class UrlEventContext:
    """What the URL front end knows about one request besides the request itself."""

    url_id: str
    region: str
    request_id: str
    forwarded_port: int
    account_id: str = "anonymous"
    authorizer: dict[str, Any] | None = None
    now: float | None = None  # seconds since the epoch; None = the clock
    trace: str | None = None  # the request's X-Ray trace header; None = a new one


def is_text_body(content_type: str | None, body: bytes) -> bool:
    """True when a request body travels as text, False when it must be base64.

    Text/JSON/XML (and form) content that is valid UTF-8 stays text; multipart, other binary types, a
    missing content type with non-UTF-8 bytes, or any invalid UTF-8 become base64 [validated: LocalStack
    snapshot ``test_lambda_url_echo_invoke``; the content-type list is inferred].
    """
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    ctype = (content_type or "").lower()
    if ctype.startswith("multipart/"):
        return False
    return any(marker in ctype for marker in _TEXT_MARKERS)


def _join_repeated(pairs: list[tuple[str, str]]) -> dict[str, str]:
    joined: dict[str, str] = {}
    for key, value in pairs:
        joined[key] = f"{joined[key]},{value}" if key in joined else value
    return joined


#: What a Function URL's TLS front end says it negotiated with the client. Recorded on AWS (issue 12's replays):
#: today's clients (curl, browsers, Python) get TLS 1.3 with this suite; AWS's documented example event
#: (lambda/latest/dg/urls-invocation.html) shows an older client's ``TLSv1.2`` / ``ECDHE-RSA-AES128-GCM-SHA256``.
#: Choice: a request that did not come over TLS says what a current client would have negotiated.
TLS_CIPHER_SUITE = "TLS_AES_128_GCM_SHA256"
TLS_VERSION = "TLSv1.3"


def _http_time(now: float) -> str:
    return time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now))


def context_path(raw_path: str) -> str:
    """``requestContext.http.path``: the path with its leading slashes collapsed to one, percent-decoded.

    Recorded on AWS (issue 12): ``//path/1`` (what ``FunctionUrl + "/path/1"`` sends) gives ``/path/1`` and
    ``//pa2%25Fth/1`` gives ``/pa2%Fth/1``. ``rawPath`` stays as it came ([observed]: handlers normalise a
    ``rawPath`` of ``//...`` themselves).
    """
    return unquote(_LEADING_SLASHES.sub("/", raw_path))


def build_url_event(request: HttpRequest, ctx: UrlEventContext) -> dict[str, Any]:
    """The event for ``request`` arriving at the Function URL described by ``ctx``."""
    now = ctx.now if ctx.now is not None else time.time()
    cookies: list[str] = []
    header_pairs: list[tuple[str, str]] = []
    for name, raw in request.headers:
        lname = name.lower()
        value = as_text(raw)
        if lname == "cookie":
            cookies.extend(part.strip() for part in value.split(";") if part.strip())
        elif lname not in _HOP_BY_HOP:
            header_pairs.append((lname, value))
    headers = _join_repeated(header_pairs)
    headers["x-amzn-trace-id"] = ctx.trace or headers.get("x-amzn-trace-id") or new_trace_id(now)
    tls = request.tls
    headers["x-amzn-tls-cipher-suite"] = tls.cipher if tls is not None else TLS_CIPHER_SUITE
    headers["x-amzn-tls-version"] = tls.version if tls is not None else TLS_VERSION
    headers["x-forwarded-for"] = request.source_ip
    headers["x-forwarded-port"] = str(ctx.forwarded_port)
    headers["x-forwarded-proto"] = "https" if tls is not None else "http"

    domain = f"{ctx.url_id}.lambda-url.{ctx.region}.on.aws"
    request_context: dict[str, Any] = {"accountId": ctx.account_id, "apiId": ctx.url_id}
    if ctx.authorizer is not None:
        request_context["authorizer"] = ctx.authorizer
    request_context.update(
        {
            "domainName": domain,
            "domainPrefix": ctx.url_id,
            "http": {
                "method": request.method,
                "path": context_path(request.path),
                "protocol": "HTTP/1.1",
                "sourceIp": request.source_ip,
                "userAgent": as_text(request.header("user-agent") or ""),
            },
            "requestId": ctx.request_id,
            "routeKey": "$default",
            "stage": "$default",
            "time": _http_time(now),
            "timeEpoch": int(now * 1000),
        }
    )

    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": request.path,
        "rawQueryString": request.query,
    }
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers
    if request.query:
        params = parse_qsl(request.query, keep_blank_values=True)
        if params:
            event["queryStringParameters"] = _join_repeated(params)
    event["requestContext"] = request_context
    if request.body:
        if is_text_body(request.header("content-type"), request.body):
            event["body"] = request.body.decode("utf-8")
            event["isBase64Encoded"] = False
        else:
            event["body"] = base64.b64encode(request.body).decode("ascii")
            event["isBase64Encoded"] = True
    else:
        event["isBase64Encoded"] = False
    return event
