"""Property tests of the HTTP layer's parser (llhttp through ``RequestParser``), bounded for CI.

- arbitrary bytes, split at arbitrary points, give parsed requests or a clean refusal (400, 413, 431, 501),
  never another exception;
- well-formed requests round-trip: what is parsed is what was sent (method, path, query, headers, body,
  trailers), sized or chunked, pipelined;
- where the bytes are split never changes the result.
"""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infra.local.http.server import BadRequest, RequestParser

FUZZ = settings(max_examples=400, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])

TOKEN = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12)
VALUE = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=30).map(str.strip)
SEGMENT = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-._~%2F", min_size=1, max_size=10)


def outcome(pieces: list[bytes]) -> object:
    """What the parser makes of ``pieces`` fed one after another: its requests, or the refusal's status."""
    parser = RequestParser()
    try:
        for piece in pieces:
            parser.feed(piece)
    except BadRequest as refused:
        return ("refused", refused.status)
    requests = [message.request("127.0.0.1") for message in parser.ready]
    return [(r.method, r.path, r.query, r.headers, r.body) for r in requests]


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    edges = [0, *points, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(edges)]


@FUZZ
@given(st.binary(max_size=400), st.lists(st.integers(min_value=0), max_size=6))
def test_arbitrary_bytes_give_requests_or_a_clean_refusal(data: bytes, cuts: list[int]) -> None:
    result = outcome(split(data, cuts))
    if isinstance(result, tuple):
        assert result[1] in (400, 413, 431, 501)


HEAD_LINES = st.sampled_from(
    [b"GET / HTTP/1.1\r\n", b"POST /a HTTP/1.1\r\n", b"PUT /x?y=1 HTTP/1.1\r\n", b"GET / HTTP/1.0\r\n"]
)
NOISE = st.sampled_from(
    [
        b"Host: h\r\n",
        b"Content-Length: 3\r\n",
        b"Content-Length: x\r\n",
        b"Transfer-Encoding: chunked\r\n",
        b"Transfer-Encoding: gzip\r\n",
        b"X : y\r\n",
        b"\r\n",
        b"3\r\nabc\r\n",
        b"0\r\n\r\n",
        b"zz\r\n",
        b"abc",
    ]
)


@FUZZ
@given(HEAD_LINES, st.lists(NOISE, max_size=8), st.lists(st.integers(min_value=0), max_size=6))
def test_near_miss_requests_split_anywhere_parse_the_same(head: bytes, rest: list[bytes], cuts: list[int]) -> None:
    data = head + b"".join(rest)
    whole = outcome([data])
    assert outcome(split(data, cuts)) == whole
    assert outcome([bytes([b]) for b in data]) == whole


@st.composite
def requests(draw: st.DrawFn) -> tuple[bytes, tuple[str, str, str, tuple[tuple[str, str], ...], bytes]]:
    method = draw(st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]))
    path = "/" + "/".join(draw(st.lists(SEGMENT, max_size=3)))
    query = "&".join(f"{k}={v}" for k, v in draw(st.lists(st.tuples(TOKEN, TOKEN), max_size=3)))
    headers = [(f"x-{name}", value) for name, value in draw(st.lists(st.tuples(TOKEN, VALUE), max_size=4))]
    body = draw(st.binary(max_size=200))
    chunked = draw(st.booleans()) and method != "GET"
    target = path + (f"?{query}" if query else "")
    if chunked:
        trailers = [("x-trailer", draw(VALUE))]
        framing = [("Transfer-Encoding", "chunked")]
        sizes = draw(st.lists(st.integers(min_value=1, max_value=64), max_size=4))
        pieces, at = [], 0
        for size in sizes:
            piece = body[at : at + size]
            if piece:
                pieces.append(b"%x\r\n" % len(piece) + piece + b"\r\n")
            at += size
        rest = body[at:]
        if rest:
            pieces.append(b"%x\r\n" % len(rest) + rest + b"\r\n")
        wire_body = b"".join(pieces) + b"0\r\n" + b"".join(f"{k}: {v}\r\n".encode() for k, v in trailers) + b"\r\n"
    else:
        trailers = []
        framing = [("Content-Length", str(len(body)))]
        wire_body = body
    all_headers = [("Host", "h"), *headers, *framing]
    wire = (
        f"{method} {target} HTTP/1.1\r\n".encode()
        + b"".join(f"{k}: {v}\r\n".encode() for k, v in all_headers)
        + b"\r\n"
        + wire_body
    )
    return wire, (method, path, query, tuple(all_headers + trailers), body)


@FUZZ
@given(st.lists(requests(), min_size=1, max_size=3), st.lists(st.integers(min_value=0), max_size=8))
def test_well_formed_requests_round_trip_pipelined_and_split_anywhere(
    sent: list[tuple[bytes, tuple[str, str, str, tuple[tuple[str, str], ...], bytes]]], cuts: list[int]
) -> None:
    wire = b"".join(raw for raw, _ in sent)
    expected = [fields for _, fields in sent]
    assert outcome([wire]) == expected
    assert outcome(split(wire, cuts)) == expected
