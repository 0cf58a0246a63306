"""infra/local/function_url/response.py: mapping a buffered result to the URL's response (aws-behaviour.md §2)."""

from __future__ import annotations

import base64
import json

import pytest

from infra.local.function_url.response import InvalidFunctionResponse, compact_json, map_function_result


def result(value) -> bytes:
    """A payload as the Python runtime posts it (json.dumps with its default spacing)."""
    return json.dumps(value).encode()


# --- structured responses ---------------------------------------------------------------------------


def test_status_code_int() -> None:
    response = map_function_result(result({"statusCode": 201, "body": "created"}))
    assert response.status == 201
    assert response.body == b"created"
    assert response.headers == [("content-type", "application/json")]


def test_status_code_numeric_string() -> None:
    response = map_function_result(result({"statusCode": "418", "body": "teapot"}))
    assert response.status == 418
    assert response.body == b"teapot"


def test_header_names_come_back_lower_cased() -> None:
    response = map_function_result(
        result({"statusCode": 200, "headers": {"X-Custom": "Value Kept", "Content-Type": "text/html"}, "body": "<p>"})
    )
    assert response.headers == [("x-custom", "Value Kept"), ("content-type", "text/html")]
    assert response.body == b"<p>"


def test_content_type_defaults_to_json_even_with_explicit_status_code() -> None:
    response = map_function_result(result({"statusCode": 404, "headers": {"X-A": "1"}, "body": "nope"}))
    assert response.status == 404
    assert response.headers == [("x-a", "1"), ("content-type", "application/json")]


def test_function_content_type_is_not_doubled() -> None:
    response = map_function_result(result({"statusCode": 200, "headers": {"CONTENT-TYPE": "text/plain"}}))
    assert [h for h in response.headers if h[0] == "content-type"] == [("content-type", "text/plain")]


def test_each_cookie_becomes_its_own_set_cookie_header() -> None:
    response = map_function_result(
        result(
            {
                "statusCode": 200,
                "headers": {"X-A": "1"},
                "cookies": ["a=1; Path=/", "b=2; HttpOnly; Secure"],
                "body": "ok",
            }
        )
    )
    assert response.headers == [
        ("x-a", "1"),
        ("set-cookie", "a=1; Path=/"),
        ("set-cookie", "b=2; HttpOnly; Secure"),
        ("content-type", "application/json"),
    ]


def test_base64_body_is_decoded() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\xff"
    response = map_function_result(
        result(
            {
                "statusCode": 200,
                "headers": {"Content-Type": "image/png"},
                "body": base64.b64encode(png).decode(),
                "isBase64Encoded": True,
            }
        )
    )
    assert response.body == png
    assert response.header("content-type") == "image/png"


def test_body_that_looks_like_base64_is_kept_when_not_flagged() -> None:
    response = map_function_result(result({"statusCode": 200, "body": "aGVsbG8=", "isBase64Encoded": False}))
    assert response.body == b"aGVsbG8="


def test_invalid_base64_body_is_an_error() -> None:
    with pytest.raises(InvalidFunctionResponse):
        map_function_result(result({"statusCode": 200, "body": "not base64!", "isBase64Encoded": True}))


def test_multi_value_headers_are_ignored() -> None:
    response = map_function_result(
        result({"statusCode": 200, "multiValueHeaders": {"X-Multi": ["a", "b"]}, "headers": {"X-One": "1"}})
    )
    assert response.headers == [("x-one", "1"), ("content-type", "application/json")]


def test_structured_response_without_body_has_empty_body() -> None:
    response = map_function_result(result({"statusCode": 204}))
    assert response.status == 204
    assert response.body == b""


def test_body_text_is_utf8_encoded() -> None:
    response = map_function_result(result({"statusCode": 200, "body": "héllo ☃"}))
    assert response.body == "héllo ☃".encode()


def test_non_string_body_is_serialised_as_compact_json() -> None:
    response = map_function_result(result({"statusCode": 200, "body": {"a": [1, 2]}}))
    assert response.body == b'{"a":[1,2]}'


def test_non_string_header_values_become_strings() -> None:
    response = map_function_result(result({"statusCode": 200, "headers": {"X-N": 5, "X-B": True}}))
    assert response.headers[:2] == [("x-n", "5"), ("x-b", "true")]


@pytest.mark.parametrize("status", ["abc", None, True, 99, 600, "6000", [200], "2.5"])
def test_bad_status_code_is_an_invalid_response(status) -> None:
    with pytest.raises(InvalidFunctionResponse):
        map_function_result(result({"statusCode": status, "body": "x"}))


def test_headers_that_are_not_an_object_are_invalid() -> None:
    with pytest.raises(InvalidFunctionResponse):
        map_function_result(result({"statusCode": 200, "headers": ["a", "b"]}))


def test_cookies_that_are_not_a_list_are_invalid() -> None:
    with pytest.raises(InvalidFunctionResponse):
        map_function_result(result({"statusCode": 200, "cookies": "a=1"}))


# --- inferred responses -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "body"),
    [
        ({"hello": "world"}, b'{"hello":"world"}'),
        (["a", 3, True], b'["a",3,true]'),
        (3.1, b"3.1"),
        (3, b"3"),
        (True, b"true"),
        ({"nested": {"x": None}}, b'{"nested":{"x":null}}'),
    ],
)
def test_inferred_response_is_compact_json(value, body: bytes) -> None:
    response = map_function_result(result(value))
    assert response.status == 200
    assert response.body == body
    assert response.headers == [("content-type", "application/json")]


def test_inferred_string_is_sent_without_quotes() -> None:
    response = map_function_result(b'"hello"')
    assert response.status == 200
    assert response.body == b"hello"
    assert response.headers == [("content-type", "application/json")]


def test_inferred_string_holding_json_is_sent_as_is() -> None:
    response = map_function_result(result('{"a": 1}'))
    assert response.body == b'{"a": 1}'


def test_dict_without_status_code_is_inferred_whole() -> None:
    response = map_function_result(result({"body": "x", "headers": {"A": "b"}}))
    assert response.status == 200
    assert response.body == b'{"body":"x","headers":{"A":"b"}}'


def test_non_json_payload_is_an_invalid_response() -> None:
    with pytest.raises(InvalidFunctionResponse):
        map_function_result(b"not json at all")


def test_invalid_response_is_a_value_error() -> None:
    assert issubclass(InvalidFunctionResponse, ValueError)


def test_compact_json_keeps_non_ascii() -> None:
    assert compact_json({"k": "wörld"}) == '{"k":"wörld"}'.encode()
