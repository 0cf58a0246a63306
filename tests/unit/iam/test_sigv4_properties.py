"""Property tests: whatever botocore signs, ``infra.local.iam.sigv4.verify`` accepts; change one thing, it refuses.

A random request (method, path with characters that need encoding, query with repeated keys, one extra signed
header, body) is signed by botocore's own signers (``SigV4Auth`` for the ``Authorization`` header,
``SigV4QueryAuth`` for presigned URLs) for service ``lambda``; the verifier must accept it, and refuse, for the
specific reason, every copy of it that differs in exactly one thing.
"""

from __future__ import annotations

import hashlib
import string
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from unittest import mock
from urllib.parse import quote, urlsplit

import pytest
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infra.local.iam.sigv4 import Credential, SignatureError, verify

REGION = "eu-west-3"
OTHER_REGION = "ap-northeast-2"
SERVICE = "lambda"
OTHER_SERVICE = "execute-api"
HOST = "abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-3.on.aws"
ACCESS_KEY = "AKIAPROPERTYTEST0001"
SECRET_KEY = "property-test-secret-key/0001+abc"
OTHER_ACCESS_KEY = "AKIAPROPERTYTEST0002"
OTHER_SECRET_KEY = "property-test-secret-key/0002+xyz"
CREDENTIALS = Credentials(ACCESS_KEY, SECRET_KEY)
KNOWN = {
    ACCESS_KEY: Credential(ACCESS_KEY, SECRET_KEY),
    OTHER_ACCESS_KEY: Credential(OTHER_ACCESS_KEY, OTHER_SECRET_KEY),
}
METHODS = ("GET", "POST", "PUT", "DELETE")
AMZ_DATE = "%Y%m%dT%H%M%SZ"
SKEW = 300

# Mutated requests checked, by kind; each was refused with the reason asserted.
MUTATIONS: Counter[str] = Counter()
PRESIGNED_MUTATIONS: Counter[str] = Counter()

Headers = tuple[tuple[str, str], ...]


def known_keys(access_key: str) -> Credential | None:
    return KNOWN.get(access_key)


# --- strategies -------------------------------------------------------------------------------------------

# Characters a path segment or a query parameter may hold: unreserved ones, reserved ones, ones that must be
# percent-encoded (space, %, +, &, =, ?, #, /), and non-ASCII ones of 2, 3 and 4 UTF-8 bytes.
_TEXT = string.ascii_letters + string.digits + "-._~ !$&'()*+,;=:@%/?#[]\"<>\\^`{|}é€ሴ😀"
_SEGMENT = st.one_of(st.text(alphabet=_TEXT, min_size=1, max_size=12), st.sampled_from(["", ".", "..", "a.b", "..."]))
_PARAM_TEXT = st.text(alphabet=_TEXT, max_size=10)
_HEADER_VALUE = st.text(alphabet=string.printable[:95], max_size=24)  # printable ASCII, space included


@st.composite
def signing_times(draw) -> datetime:
    """A UTC time an hour or more away from midnight, so that a shift of up to an hour keeps its date."""
    day = draw(st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)))
    seconds = draw(st.integers(min_value=3600, max_value=86400 - 3601))
    return datetime.combine(day, time(), tzinfo=UTC) + timedelta(seconds=seconds)


def wire_path(segments: list[str]) -> str:
    """The path as a client puts it on the wire: each segment percent-encoded once (sub-delims kept)."""
    return "/" + "/".join(quote(segment, safe="!$'()*+,;=:@") for segment in segments)


def wire_query(params: list[tuple[str, str]]) -> str:
    """The query as botocore's serializers put it on the wire: RFC 3986 encoding, in the given order."""
    return "&".join(f"{quote(key, safe='-_.~')}={quote(value, safe='-_.~')}" for key, value in params)


@dataclass(frozen=True)
class Wire:
    """A request as the verifier sees it."""

    method: str
    path: str
    query: str
    headers: Headers
    body: bytes


def _replace_header(headers: Headers, name: str, value: str) -> Headers:
    assert any(n.lower() == name for n, _ in headers), name
    return tuple((n, value if n.lower() == name else v) for n, v in headers)


def _header(headers: Headers, name: str) -> str:
    return next(v for n, v in headers if n.lower() == name)


def check(wire: Wire, *, now: datetime, lookup: Callable[[str], Credential | None] = known_keys):
    return verify(
        wire.method,
        wire.path,
        wire.query,
        wire.headers,
        wire.body,
        lookup=lookup,
        service=SERVICE,
        region=REGION,
        now=now,
    )


def refused(wire: Wire, reason: str, *, now: datetime, lookup: Callable[[str], Credential | None] = known_keys) -> None:
    with pytest.raises(SignatureError) as caught:
        check(wire, now=now, lookup=lookup)
    assert caught.value.reason == reason, (caught.value.reason, caught.value.detail, wire)


# --- header-signed requests --------------------------------------------------------------------------------


def sign(
    method: str,
    path: str,
    query: str,
    extra: dict[str, str],
    body: bytes,
    *,
    when: datetime,
    credentials: Credentials = CREDENTIALS,
    region: str = REGION,
    service: str = SERVICE,
) -> Wire:
    """Sign with botocore's SigV4Auth at ``when``; the request as it then goes on the wire."""
    url = f"https://{HOST}{path}" + (f"?{query}" if query else "")
    request = AWSRequest(method=method, url=url, data=body, headers=dict(extra))
    with mock.patch("botocore.auth.get_current_datetime", return_value=when.replace(tzinfo=None)):
        SigV4Auth(credentials, service, region).add_auth(request)
    split = urlsplit(request.url)
    headers = (("Host", split.netloc), *request.headers.items())
    return Wire(method, split.path, split.query, headers, body)


@st.composite
def signed_requests(draw) -> tuple[Wire, datetime, str, list[tuple[str, str]]]:
    method = draw(st.sampled_from(METHODS))
    path = wire_path(draw(st.lists(_SEGMENT, max_size=5)))
    keys = draw(
        st.lists(_PARAM_TEXT.filter(lambda k: k and not k.lower().startswith("x-amz-")), min_size=1, max_size=3)
    )
    params = draw(st.lists(st.tuples(st.sampled_from(keys), _PARAM_TEXT), min_size=1, max_size=5))  # keys repeat
    name = "x-test-" + draw(st.text(alphabet=string.ascii_lowercase + string.digits + "-", min_size=1, max_size=8))
    value = draw(_HEADER_VALUE)
    body = draw(st.binary(max_size=256))
    when = draw(signing_times())
    return sign(method, path, wire_query(params), {name: value}, body, when=when), when, name, params


def _retime(wire: Wire, when: datetime) -> Wire:
    return replace(wire, headers=_replace_header(wire.headers, "x-amz-date", when.strftime(AMZ_DATE)))


def _rescope(wire: Wire, old: str, new: str) -> Wire:
    authorization = _header(wire.headers, "authorization")
    assert old in authorization
    return replace(wire, headers=_replace_header(wire.headers, "authorization", authorization.replace(old, new, 1)))


@st.composite
def shifts(draw, low: int, high: int) -> int:
    return draw(st.integers(min_value=low, max_value=high)) * draw(st.sampled_from([-1, 1]))


@settings(max_examples=400, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(signed=signed_requests(), data=st.data())
def _every_single_change_is_refused(signed, data) -> None:
    wire, when, header_name, params = signed
    # Everything is drawn before anything is checked, so that every example runs all its mutations.
    jitter = data.draw(st.integers(min_value=-SKEW, max_value=SKEW), label="clock jitter")
    other_method = data.draw(st.sampled_from([m for m in METHODS if m != wire.method]), label="method")
    index = data.draw(st.integers(min_value=0, max_value=len(params) - 1), label="query index")
    far = data.draw(shifts(SKEW + 1, 3600), label="x-amz-date shift beyond the skew")
    near = data.draw(shifts(1, SKEW), label="x-amz-date shift within the skew")

    verified = check(wire, now=when + timedelta(seconds=jitter))
    assert (verified.access_key, verified.region, verified.service) == (ACCESS_KEY, REGION, SERVICE)

    def expect(kind: str, mutated: Wire, reason: str, **kwargs) -> None:
        refused(mutated, reason, now=when, **kwargs)
        MUTATIONS[kind] += 1

    expect("method", replace(wire, method=other_method), SignatureError.MISMATCH)
    expect("path", replace(wire, path=wire.path + "/zz"), SignatureError.MISMATCH)
    changed = [(k, v + "x" if i == index else v) for i, (k, v) in enumerate(params)]
    expect("query value", replace(wire, query=wire_query(changed)), SignatureError.MISMATCH)
    value = _header(wire.headers, header_name)
    expect(
        "signed header",
        replace(wire, headers=_replace_header(wire.headers, header_name, value + "Z")),
        SignatureError.MISMATCH,
    )
    expect("body", replace(wire, body=wire.body + b"!"), SignatureError.MISMATCH)
    expect("x-amz-date beyond 5 min", _retime(wire, when + timedelta(seconds=far)), SignatureError.EXPIRED)
    expect("x-amz-date within 5 min", _retime(wire, when + timedelta(seconds=near)), SignatureError.MISMATCH)
    expect("region", _rescope(wire, f"/{REGION}/", f"/{OTHER_REGION}/"), SignatureError.MISMATCH)
    expect("service", _rescope(wire, f"/{SERVICE}/", f"/{OTHER_SERVICE}/"), SignatureError.MISMATCH)
    expect("access key", _rescope(wire, f"={ACCESS_KEY}/", f"={OTHER_ACCESS_KEY}/"), SignatureError.MISMATCH)
    other_secret = Credential(ACCESS_KEY, OTHER_SECRET_KEY)
    expect("secret", wire, SignatureError.MISMATCH, lookup=lambda key: other_secret)


def test_every_single_change_to_a_botocore_signed_request_is_refused() -> None:
    MUTATIONS.clear()
    _every_single_change_is_refused()
    total = sum(MUTATIONS.values())
    print(f"\nSigV4 header-signed property: {total} mutated requests checked, all refused: {dict(MUTATIONS)}")
    assert total >= 2000
    assert len(MUTATIONS) == 11 and len(set(MUTATIONS.values())) == 1  # each example ran every mutation


# --- presigned URLs ----------------------------------------------------------------------------------------


def presign(path: str, query: str, *, when: datetime, expires: int, credentials: Credentials = CREDENTIALS) -> Wire:
    url = f"https://{HOST}{path}" + (f"?{query}" if query else "")
    request = AWSRequest(method="GET", url=url)
    with mock.patch("botocore.auth.get_current_datetime", return_value=when.replace(tzinfo=None)):
        SigV4QueryAuth(credentials, SERVICE, REGION, expires=expires).add_auth(request)
    split = urlsplit(request.url)
    return Wire("GET", split.path, split.query, (("Host", split.netloc),), b"")


def _set_param(query: str, name: str, value: str) -> str:
    items = [item.partition("=") for item in query.split("&")]
    assert any(key == name for key, _, _ in items), name
    return "&".join(f"{key}={value if key == name else old}" for key, _, old in items)


@settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    segments=st.lists(_SEGMENT, max_size=4),
    # botocore's presigner keeps one value per key, so presigned URLs get unique keys.
    params=st.dictionaries(
        _PARAM_TEXT.filter(lambda k: k and not k.lower().startswith("x-amz-")), _PARAM_TEXT, min_size=1, max_size=4
    ),
    when=signing_times(),
    expires=st.integers(min_value=1, max_value=604_800),
    data=st.data(),
)
def _presigned_changes_are_refused(segments, params, when, expires, data) -> None:
    within = data.draw(st.integers(min_value=0, max_value=expires), label="age")
    key = data.draw(st.sampled_from(sorted(params)), label="query key")
    shift = data.draw(st.integers(1, SKEW), label="X-Amz-Date shift")
    late = data.draw(st.integers(min_value=1, max_value=86_400), label="late by")
    early = data.draw(st.integers(min_value=SKEW + 1, max_value=86_400), label="early by")

    wire = presign(wire_path(segments), wire_query(list(params.items())), when=when, expires=expires)
    check(wire, now=when + timedelta(seconds=within))

    def expect(kind: str, mutated: Wire, reason: str, now: datetime = when) -> None:
        refused(mutated, reason, now=now)
        PRESIGNED_MUTATIONS[kind] += 1

    expect("method", replace(wire, method="POST"), SignatureError.MISMATCH)
    expect("path", replace(wire, path=wire.path + "/zz"), SignatureError.MISMATCH)
    changed = [(k, v + "x" if k == key else v) for k, v in params.items()]
    auth_part = wire.query.split("&X-Amz-Algorithm=", 1)[1]
    expect(
        "query value",
        replace(wire, query=f"{wire_query(changed)}&X-Amz-Algorithm={auth_part}"),
        SignatureError.MISMATCH,
    )
    expect("host", replace(wire, headers=(("Host", HOST.replace("abc", "abd", 1)),)), SignatureError.MISMATCH)
    expect("body", replace(wire, body=b"!"), SignatureError.MISMATCH)
    near = (when + timedelta(seconds=shift)).strftime(AMZ_DATE)
    expect("X-Amz-Date", replace(wire, query=_set_param(wire.query, "X-Amz-Date", near)), SignatureError.MISMATCH)
    longer = str(expires + 1 if expires < 604_800 else expires - 1)
    expect(
        "X-Amz-Expires", replace(wire, query=_set_param(wire.query, "X-Amz-Expires", longer)), SignatureError.MISMATCH
    )
    signature = _param(wire.query, "X-Amz-Signature")
    flipped = ("0" if signature[0] != "0" else "1") + signature[1:]
    expect(
        "signature", replace(wire, query=_set_param(wire.query, "X-Amz-Signature", flipped)), SignatureError.MISMATCH
    )
    expect("past X-Amz-Expires", wire, SignatureError.EXPIRED, now=when + timedelta(seconds=expires + late))
    expect("before X-Amz-Date", wire, SignatureError.EXPIRED, now=when - timedelta(seconds=early))


def _param(query: str, name: str) -> str:
    return next(value for key, _, value in (item.partition("=") for item in query.split("&")) if key == name)


def test_presigned_urls_are_accepted_and_every_single_change_refused() -> None:
    PRESIGNED_MUTATIONS.clear()
    _presigned_changes_are_refused()
    total = sum(PRESIGNED_MUTATIONS.values())
    print(f"\nSigV4 presigned property: {total} mutated URLs checked, all refused: {dict(PRESIGNED_MUTATIONS)}")
    assert total >= 1000
    assert len(set(PRESIGNED_MUTATIONS.values())) == 1  # each example ran every mutation


def test_a_presigned_url_past_x_amz_expires_is_expired() -> None:
    when = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    wire = presign("/report", "day=monday", when=when, expires=60)
    check(wire, now=when + timedelta(seconds=60))
    refused(wire, SignatureError.EXPIRED, now=when + timedelta(seconds=61))


def test_a_presigned_url_expiring_after_seven_days_is_malformed() -> None:
    when = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    wire = presign("/", "", when=when, expires=604_801)
    refused(wire, SignatureError.MALFORMED, now=when)


# --- special cases -----------------------------------------------------------------------------------------

WHEN = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("declared", ["UNSIGNED-PAYLOAD", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"])
def test_an_unsigned_payload_is_refused(declared: str) -> None:
    # botocore signs the declared x-amz-content-sha256 instead of the body's hash: a valid signature for a
    # service that takes unsigned payloads (S3), refused by Lambda.
    wire = sign("POST", "/", "", {"X-Amz-Content-SHA256": declared}, b'{"a": 1}', when=WHEN)
    refused(wire, SignatureError.UNSIGNED_PAYLOAD, now=WHEN)


def test_a_declared_payload_hash_must_match_the_body() -> None:
    body = b'{"a": 1}'
    wire = sign("POST", "/", "", {"X-Amz-Content-SHA256": hashlib.sha256(body).hexdigest()}, body, when=WHEN)
    check(wire, now=WHEN)
    refused(replace(wire, body=b'{"a": 2}'), SignatureError.MISMATCH, now=WHEN)


def test_session_tokens() -> None:
    temporary = Credentials("ASIAPROPERTYTEST0003", "temporary-secret", "token-A")
    wire = sign("GET", "/", "a=1", {}, b"", when=WHEN, credentials=temporary)
    assert _header(wire.headers, "x-amz-security-token") == "token-A"

    def lookup(token: str | None) -> Callable[[str], Credential | None]:
        return lambda key: Credential(key, "temporary-secret", token) if key == "ASIAPROPERTYTEST0003" else None

    assert check(wire, now=WHEN, lookup=lookup("token-A")).session_token == "token-A"
    refused(wire, SignatureError.UNKNOWN_KEY, now=WHEN, lookup=lookup("token-B"))  # another token
    refused(wire, SignatureError.UNKNOWN_KEY, now=WHEN, lookup=lookup(None))  # a token for a long-term key
    permanent = sign(
        "GET", "/", "a=1", {}, b"", when=WHEN, credentials=Credentials("ASIAPROPERTYTEST0003", "temporary-secret")
    )
    refused(permanent, SignatureError.UNKNOWN_KEY, now=WHEN, lookup=lookup("token-A"))  # a temporary key, no token
    presigned = presign("/", "a=1", when=WHEN, expires=300, credentials=temporary)
    assert check(presigned, now=WHEN, lookup=lookup("token-A")).session_token == "token-A"
    refused(presigned, SignatureError.UNKNOWN_KEY, now=WHEN, lookup=lookup("token-B"))


def test_an_unknown_access_key() -> None:
    wire = sign("GET", "/", "a=1", {}, b"", when=WHEN, credentials=Credentials("AKIANOBODYKNOWSTHIS0", "whatever"))
    refused(wire, SignatureError.UNKNOWN_KEY, now=WHEN)


def test_an_unsigned_request_is_missing_and_a_garbled_one_malformed() -> None:
    wire = sign("GET", "/", "a=1", {}, b"", when=WHEN)
    unsigned = replace(wire, headers=tuple((n, v) for n, v in wire.headers if n.lower() != "authorization"))
    refused(unsigned, SignatureError.MISSING, now=WHEN)
    garbled = replace(wire, headers=_replace_header(wire.headers, "authorization", "AWS4-HMAC-SHA256 nonsense"))
    refused(garbled, SignatureError.MALFORMED, now=WHEN)
    without_host = _header(wire.headers, "authorization").replace("SignedHeaders=host;", "SignedHeaders=")
    refused(
        replace(wire, headers=_replace_header(wire.headers, "authorization", without_host)),
        SignatureError.MALFORMED,
        now=WHEN,
    )
