"""The published AWS SigV4 test suite (``aws-sig-v4-test-suite``) against ``infra.local.iam.sigv4``.

Each case of ``tests/fixtures/sigv4/aws_sig_v4_test_suite.json`` (see the README next to it) carries the raw
request and AWS's expected canonical request, string to sign and ``Authorization`` header; the verifier must
rebuild the first two byte for byte and accept the request signed with the third.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from infra.local.iam.sigv4 import (
    Credential,
    SignatureError,
    build_canonical_request,
    parse_signature,
    string_to_sign,
    verify,
)

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "sigv4" / "aws_sig_v4_test_suite.json"
SUITE: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
CASES: list[dict[str, Any]] = SUITE["cases"]
NOW = datetime(2015, 8, 30, 12, 36, tzinfo=UTC)


def _headers(case: dict[str, Any], *, signed: bool) -> tuple[tuple[str, str], ...]:
    headers = [(name, value) for name, value in case["headers"]]
    if signed:
        headers.append(("Authorization", case["authz"]))
        headers.extend((name, value) for name, value in case.get("headers_added_after_signing", []))
    return tuple(headers)


def _lookup(case: dict[str, Any]):
    credential = Credential(
        SUITE["credentials"]["access_key"], SUITE["credentials"]["secret_key"], case.get("session_token")
    )
    return lambda access_key: credential if access_key == credential.access_key else None


def _verify(case: dict[str, Any], **changes: Any):
    args: dict[str, Any] = {
        "method": case["method"],
        "path": case["path"],
        "query": case["query"],
        "headers": _headers(case, signed=True),
        "body": case["body"].encode(),
    }
    args.update(changes)
    return verify(
        args["method"],
        args["path"],
        args["query"],
        args["headers"],
        args["body"],
        lookup=_lookup(case),
        service=SUITE["service"],
        region=SUITE["region"],
        now=NOW,
    )


def test_the_fixture_is_the_2015_suite() -> None:
    assert SUITE["region"] == "us-east-1" and SUITE["service"] == "service" and SUITE["amz_date"] == "20150830T123600Z"
    assert len(CASES) == len({case["name"] for case in CASES}) >= 25
    for case in CASES:
        # Every expected string to sign names the expected canonical request by its digest.
        assert case["sts"].rsplit("\n", 1)[1] == hashlib.sha256(case["creq"].encode()).hexdigest(), case["name"]


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_canonical_request(case: dict[str, Any]) -> None:
    headers = _headers(case, signed=True)
    parts = parse_signature(case["method"], case["query"], headers)
    canonical = build_canonical_request(
        case["method"], case["path"], case["query"], headers, case["body"].encode(), parts
    )
    assert canonical == case["creq"]


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_string_to_sign(case: dict[str, Any]) -> None:
    headers = _headers(case, signed=True)
    parts = parse_signature(case["method"], case["query"], headers)
    assert string_to_sign(parts, case["creq"]) == case["sts"]


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_the_signed_request_is_accepted(case: dict[str, Any]) -> None:
    verified = _verify(case)
    assert (verified.access_key, verified.region, verified.service) == ("AKIDEXAMPLE", "us-east-1", "service")
    assert verified.session_token == case.get("session_token")


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_the_unsigned_request_is_missing(case: dict[str, Any]) -> None:
    with pytest.raises(SignatureError) as caught:
        _verify(case, headers=_headers(case, signed=False))
    assert caught.value.reason == SignatureError.MISSING


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_a_changed_request_is_a_mismatch(case: dict[str, Any]) -> None:
    """The vectors' own signatures, on a request that differs from the signed one in its method or body."""
    other_method = "PUT" if case["method"] != "PUT" else "GET"
    with pytest.raises(SignatureError) as caught:
        _verify(case, method=other_method)
    assert caught.value.reason == SignatureError.MISMATCH
    with pytest.raises(SignatureError) as caught:
        _verify(case, body=case["body"].encode() + b"x")
    assert caught.value.reason == SignatureError.MISMATCH


def test_a_vector_outside_the_clock_window_is_expired() -> None:
    case = next(case for case in CASES if case["name"] == "get-vanilla")
    with pytest.raises(SignatureError) as caught:
        verify(
            case["method"],
            case["path"],
            case["query"],
            _headers(case, signed=True),
            b"",
            lookup=_lookup(case),
            service=SUITE["service"],
            region=SUITE["region"],
            now=datetime(2015, 8, 30, 12, 41, 1, tzinfo=UTC),
        )
    assert caught.value.reason == SignatureError.EXPIRED
