"""Verify an AWS Signature Version 4 request as AWS does, from what arrived on the wire.

Emulates (docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html and
create-signed-request / presigned-url pages): both forms, the ``Authorization`` header and the presigned
query string (``X-Amz-Algorithm`` ... ``X-Amz-Signature``); the canonical request rebuilt from the method,
the path as received, normalised (dot segments removed) and URI-encoded again, as AWS does for every
service but S3; the query parameters decoded, re-encoded (RFC 3986 unreserved characters kept) and sorted
by name then value; the signed headers' values trimmed, inner runs of spaces collapsed, repeats joined with
``,``, and taken as the UTF-8 text of their bytes (``http/field_values.as_text``), so a value sent as raw
UTF-8 (``X-Name: 홍길동``) hashes to the same bytes a client signed (botocore hashes its canonical request as
UTF-8); the payload's SHA-256 (a ``x-amz-content-sha256`` header must match the body, and
``UNSIGNED-PAYLOAD`` is refused: Lambda accepts no unsigned payload, aws-behaviour.md §4); the credential
scope's date, region and service; ``host`` among the signed headers; a header-signed request whose
``x-amz-date`` is more than 5 minutes from now, or a presigned one past ``X-Amz-Expires`` (at most 7 days),
is refused.

It knows nothing about HTTP servers: ``verify`` takes the request parts and a function that finds the
secret for an access key. Not emulated: SigV4a, chunked (``STREAMING-*``) payload signing.
"""

from __future__ import annotations

import hashlib
import hmac
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, unquote

from ..http.field_values import as_text

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_SKEW = timedelta(minutes=5)
MAX_PRESIGN_EXPIRES = 604_800
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
_AUTH_HEADER = re.compile(
    r"^AWS4-HMAC-SHA256\s+Credential=([^,\s]+)\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-fA-F]+)\s*$"
)
_AMZ_DATE = "%Y%m%dT%H%M%SZ"


class SignatureError(Exception):
    """Why a request's signature is refused; ``reason`` is one of the class constants."""

    MISSING = "missing"  # not signed at all
    MALFORMED = "malformed"  # signed, but the signature's parts cannot be read
    MISMATCH = "mismatch"  # the signature does not match the request
    EXPIRED = "expired"  # outside the clock-skew window, or past X-Amz-Expires
    UNKNOWN_KEY = "unknown-key"  # no such access key (or session token)
    UNSIGNED_PAYLOAD = "unsigned-payload"

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Credential:
    """What the caller's access key stands for: its secret and, for temporary keys, the session token."""

    access_key: str
    secret_key: str
    session_token: str | None = None


@dataclass(frozen=True)
class SignedParts:
    """The signature's parts, read from the ``Authorization`` header or the query string."""

    access_key: str
    date: str  # yyyymmdd of the scope
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str
    amz_date: str
    security_token: str | None
    presigned: bool
    expires: int | None = None


@dataclass(frozen=True)
class Verified:
    access_key: str
    region: str
    service: str
    session_token: str | None


def _headers_by_name(headers: tuple[tuple[str, str], ...]) -> dict[str, list[str]]:
    by_name: dict[str, list[str]] = {}
    for name, value in headers:
        by_name.setdefault(name.lower(), []).append(value)
    return by_name


def _query_pairs(query: str) -> list[tuple[str, str]]:
    pairs = []
    for item in query.split("&") if query else []:
        if not item:
            continue
        key, _, value = item.partition("=")
        pairs.append((unquote(key), unquote(value)))
    return pairs


def parse_signature(method: str, query: str, headers: tuple[tuple[str, str], ...]) -> SignedParts:
    """Read the signature from the request; raises ``SignatureError`` (MISSING, MALFORMED)."""
    by_name = _headers_by_name(headers)
    auth = by_name.get("authorization", [None])[0]
    params = dict(_query_pairs(query))
    if auth is not None:
        match = _AUTH_HEADER.match(auth.strip())
        if not match:
            raise SignatureError(SignatureError.MALFORMED, "the Authorization header is not AWS4-HMAC-SHA256")
        credential, signed, signature = match.groups()
        amz_date = by_name.get("x-amz-date", [None])[0]
        if amz_date is None:
            raise SignatureError(SignatureError.MALFORMED, "x-amz-date is missing")
        token = by_name.get("x-amz-security-token", [None])[0]
        presigned, expires = False, None
    elif "X-Amz-Signature" in params:
        if params.get("X-Amz-Algorithm") != ALGORITHM:
            raise SignatureError(SignatureError.MALFORMED, "X-Amz-Algorithm must be AWS4-HMAC-SHA256")
        try:
            credential, signed = params["X-Amz-Credential"], params["X-Amz-SignedHeaders"]
            signature, amz_date = params["X-Amz-Signature"], params["X-Amz-Date"]
            expires = int(params["X-Amz-Expires"])
        except (KeyError, ValueError):
            raise SignatureError(
                SignatureError.MALFORMED, "a presigned URL's X-Amz-* parameters are incomplete"
            ) from None
        token = params.get("X-Amz-Security-Token")
        presigned = True
    else:
        raise SignatureError(SignatureError.MISSING, "the request is not signed")
    scope = credential.split("/")
    if len(scope) != 5 or scope[4] != "aws4_request":
        raise SignatureError(SignatureError.MALFORMED, f"bad credential scope {credential!r}")
    names = tuple(signed.split(";"))
    if list(names) != sorted(set(names)) or "host" not in names:
        raise SignatureError(SignatureError.MALFORMED, "SignedHeaders must be sorted, unique and include host")
    return SignedParts(
        scope[0], scope[1], scope[2], scope[3], names, signature.lower(), amz_date, token, presigned, expires
    )


def canonical_uri(raw_path: str) -> str:
    """The path as received, normalised and URI-encoded once more (every service but S3)."""
    path = raw_path or "/"
    normalized = posixpath.normpath(path) if path not in ("", "/") else "/"
    if normalized.startswith("//"):
        normalized = "/" + normalized.lstrip("/")
    if path.endswith("/") and normalized != "/":
        normalized += "/"
    return quote(normalized, safe="/~")


def canonical_query(query: str, *, drop_signature: bool) -> str:
    pairs = [
        (quote(key, safe="-_.~"), quote(value, safe="-_.~"))
        for key, value in _query_pairs(query)
        if not (drop_signature and key == "X-Amz-Signature")
    ]
    return "&".join(f"{key}={value}" for key, value in sorted(pairs))


def canonical_headers(headers: tuple[tuple[str, str], ...], names: tuple[str, ...]) -> str:
    by_name = _headers_by_name(headers)
    lines = []
    for name in names:
        if name not in by_name:
            raise SignatureError(SignatureError.MISMATCH, f"signed header {name} is not in the request")
        lines.append(f"{name}:{','.join(' '.join(as_text(v).split()) for v in by_name[name])}\n")
    return "".join(lines)


def payload_hash(headers: tuple[tuple[str, str], ...], body: bytes) -> str:
    actual = hashlib.sha256(body).hexdigest() if body else EMPTY_SHA256
    declared = _headers_by_name(headers).get("x-amz-content-sha256", [None])[0]
    if declared is None:
        return actual
    if declared.startswith("UNSIGNED-PAYLOAD") or declared.startswith("STREAMING-"):
        raise SignatureError(SignatureError.UNSIGNED_PAYLOAD, "Lambda does not accept unsigned payloads")
    if declared.lower() != actual:
        raise SignatureError(SignatureError.MISMATCH, "x-amz-content-sha256 does not match the body")
    return actual


def signing_key(secret_key: str, date: str, region: str, service: str) -> bytes:
    key = hmac.new(f"AWS4{secret_key}".encode(), date.encode(), hashlib.sha256).digest()
    for part in (region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def string_to_sign(parts: SignedParts, canonical_request: str) -> str:
    scope = f"{parts.date}/{parts.region}/{parts.service}/aws4_request"
    digest = hashlib.sha256(canonical_request.encode()).hexdigest()
    return f"{ALGORITHM}\n{parts.amz_date}\n{scope}\n{digest}"


def build_canonical_request(
    method: str, path: str, query: str, headers: tuple[tuple[str, str], ...], body: bytes, parts: SignedParts
) -> str:
    return _canonical_request(method, path, query, headers, parts, payload_hash(headers, body))


def _canonical_request(
    method: str, path: str, query: str, headers: tuple[tuple[str, str], ...], parts: SignedParts, payload: str
) -> str:
    return "\n".join(
        [
            method.upper(),
            canonical_uri(path),
            canonical_query(query, drop_signature=parts.presigned),
            canonical_headers(headers, parts.signed_headers),
            ";".join(parts.signed_headers),
            payload,
        ]
    )


def sign_headers(
    method: str,
    path: str,
    query: str,
    headers: tuple[tuple[str, str], ...],
    *,
    credential: Credential,
    service: str,
    region: str,
    payload_sha256: str,
    now: datetime | None = None,
) -> list[tuple[str, str]]:
    """The headers that sign a request with SigV4 (``x-amz-date``, the token if any, ``authorization``).

    Used where the local cloud itself signs as AWS would (CloudFront's origin access control). It signs
    ``host``, every ``x-amz-*`` header and the ones it adds; ``payload_sha256`` is the hash the signer
    vouches for, which need not be the body's: a verifier then refuses the request, as AWS does.
    """
    amz_date = (now or datetime.now(UTC)).strftime(_AMZ_DATE)
    added = [("x-amz-date", amz_date)]
    if credential.session_token:
        added.append(("x-amz-security-token", credential.session_token))
    all_headers = tuple(headers) + tuple(added)
    names = sorted({n.lower() for n, _ in all_headers if n.lower() == "host" or n.lower().startswith("x-amz-")})
    parts = SignedParts(
        access_key=credential.access_key,
        date=amz_date[:8],
        region=region,
        service=service,
        signed_headers=tuple(names),
        signature="",
        amz_date=amz_date,
        security_token=credential.session_token,
        presigned=False,
    )
    canonical = _canonical_request(method, path, query, all_headers, parts, payload_sha256)
    key = signing_key(credential.secret_key, parts.date, region, service)
    signature = hmac.new(key, string_to_sign(parts, canonical).encode(), hashlib.sha256).hexdigest()
    scope = f"{parts.date}/{region}/{service}/aws4_request"
    authorization = (
        f"{ALGORITHM} Credential={credential.access_key}/{scope}, "
        f"SignedHeaders={';'.join(names)}, Signature={signature}"
    )
    return [*added, ("authorization", authorization)]


def _check_time(parts: SignedParts, now: datetime) -> None:
    try:
        signed_at = datetime.strptime(parts.amz_date, _AMZ_DATE).replace(tzinfo=UTC)
    except ValueError:
        raise SignatureError(SignatureError.MALFORMED, f"bad X-Amz-Date {parts.amz_date!r}") from None
    if parts.amz_date[:8] != parts.date:
        raise SignatureError(SignatureError.MISMATCH, "the credential scope's date is not the request's date")
    if parts.presigned:
        assert parts.expires is not None
        if not 1 <= parts.expires <= MAX_PRESIGN_EXPIRES:
            raise SignatureError(SignatureError.MALFORMED, "X-Amz-Expires must be between 1 and 604800 seconds")
        if now > signed_at + timedelta(seconds=parts.expires) or now < signed_at - MAX_SKEW:
            raise SignatureError(SignatureError.EXPIRED, "Request has expired")
    elif abs(now - signed_at) > MAX_SKEW:
        earliest, latest = now - MAX_SKEW, now + MAX_SKEW
        when = "earlier" if signed_at < earliest else "later"
        bound = (earliest if when == "earlier" else latest).strftime(_AMZ_DATE)
        sign = "-" if when == "earlier" else "+"
        raise SignatureError(
            SignatureError.EXPIRED,
            f"Signature expired: {parts.amz_date} is now {when} than {bound} ({now.strftime(_AMZ_DATE)} {sign} 5 min.)",
        )


def verify(
    method: str,
    path: str,
    query: str,
    headers: tuple[tuple[str, str], ...],
    body: bytes,
    *,
    lookup: Callable[[str], Credential | None],
    service: str,
    region: str,
    now: datetime | None = None,
) -> Verified:
    """Check the request's SigV4 signature for ``service`` in ``region``; raise ``SignatureError`` if wrong."""
    parts = parse_signature(method, query, headers)
    credential = lookup(parts.access_key)
    if credential is None:
        raise SignatureError(SignatureError.UNKNOWN_KEY, "The security token included in the request is invalid.")
    if (credential.session_token or None) != (parts.security_token or None):
        raise SignatureError(SignatureError.UNKNOWN_KEY, "The security token included in the request is invalid.")
    if parts.service != service or parts.region != region:
        raise SignatureError(
            SignatureError.MISMATCH, f"credential scope {parts.region}/{parts.service}, expected {region}/{service}"
        )
    _check_time(parts, now or datetime.now(UTC))
    canonical = build_canonical_request(method, path, query, headers, body, parts)
    key = signing_key(credential.secret_key, parts.date, parts.region, parts.service)
    expected = hmac.new(key, string_to_sign(parts, canonical).encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, parts.signature):
        raise SignatureError(SignatureError.MISMATCH, "signature mismatch")
    return Verified(parts.access_key, parts.region, parts.service, parts.security_token)
