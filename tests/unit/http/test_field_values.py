"""Header values between the wire and a function: UTF-8 bytes become text, unsendable ones are named."""

from __future__ import annotations

import json

import pytest

from infra.local.http.field_values import as_text, unsendable, unsendable_answer


def wire(text: str, encoding: str = "utf-8") -> str:
    """What the HTTP server hands over for ``text`` sent as ``encoding`` bytes (one Latin-1 char per byte)."""
    return text.encode(encoding).decode("latin-1")


def test_utf8_bytes_from_the_wire_become_the_text_the_client_meant() -> None:
    assert as_text(wire("홍길동")) == "홍길동"
    assert as_text(wire("São Paulo")) == "São Paulo"
    assert as_text("UTF-8''%ED%99%8D") == "UTF-8''%ED%99%8D"  # RFC 8187 and percent-encoding: untouched


def test_bytes_that_are_not_utf8_stay_one_character_per_byte() -> None:
    assert as_text(wire("café", "latin-1")) == "café"
    assert as_text(wire("홍길동", "euc-kr")) == wire("홍길동", "euc-kr")


@pytest.mark.parametrize(
    ("headers", "culprit"),
    [
        ([("x-greeting", "안녕하세요")], "x-greeting"),
        ([("ok", "1"), ("x-split", "a\r\nset-cookie: stolen=1")], "x-split"),
        ([("x-nul", "a\x00")], "x-nul"),
        ([("x 인사", "1")], "x 인사"),
        ([("", "empty")], ""),
    ],
)
def test_the_first_unsendable_header_is_named(headers: list[tuple[str, str]], culprit: str) -> None:
    found = unsendable(headers)
    assert found is not None and found[0] == culprit
    answer = unsendable_answer(headers)
    assert answer is not None and answer.status == 502
    assert repr(culprit) in json.loads(answer.body)["message"]


def test_latin1_ascii_and_rfc8187_values_can_go() -> None:
    headers = [("x-latin", "café"), ("content-disposition", "attachment; filename*=UTF-8''%ED%95%9C.txt")]
    assert unsendable(headers) is None and unsendable_answer(headers) is None
