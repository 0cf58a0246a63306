"""infra/local/function_url/event.py: the payload-format-2.0 event (aws-behaviour.md §1)."""

from __future__ import annotations

import base64
import re

import pytest

from infra.local.function_url.event import UrlEventContext, build_url_event, is_text_body
from infra.local.http.types import HttpRequest
from infra.local.lambda_.invocation import new_trace_id

URL_ID = "abcdefghij0123456789klmnopqrstuv"
HOST = f"{URL_ID}.lambda-url.us-east-1.localhost:9000"
# 07/Sep/2021:22:50:22 +0000, the time format example of aws-behaviour.md §1, plus 123 ms.
NOW = 1631055022.123
TRACE = re.compile(r"^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$")


def ctx(**overrides) -> UrlEventContext:
    values = {
        "url_id": URL_ID,
        "region": "us-east-1",
        "request_id": "11111111-2222-3333-4444-555555555555",
        "forwarded_port": 9000,
        "now": NOW,
    }
    values.update(overrides)
    return UrlEventContext(**values)


def request(**overrides) -> HttpRequest:
    values = {
        "method": "GET",
        "path": "/",
        "query": "",
        "headers": (("Host", HOST), ("User-Agent", "curl/8.5.0")),
        "body": b"",
        "source_ip": "203.0.113.7",
    }
    values.update(overrides)
    return HttpRequest(**values)


# --- trace_id ---------------------------------------------------------------------------------------


def test_trace_id_encodes_the_given_second_in_hex() -> None:
    value = new_trace_id(NOW)
    assert TRACE.match(value)
    assert value.startswith("Root=1-6137ecae-")


def test_trace_id_is_random_after_the_timestamp() -> None:
    assert new_trace_id(NOW) != new_trace_id(NOW)


def test_trace_id_without_a_time_uses_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("infra.local.function_url.event.time.time", lambda: 16.9)
    assert new_trace_id().startswith("Root=1-00000010-")


# --- is_text_body -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON",
        "text/plain",
        "text/html; charset=UTF-8",
        "application/xml",
        "application/vnd.api+json",
        "application/javascript",
        "application/x-www-form-urlencoded",
    ],
)
def test_text_content_types_stay_text(content_type: str) -> None:
    assert is_text_body(content_type, b'{"a": "h\xc3\xa9"}') is True


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data; boundary=xyz", b"--xyz\r\nContent-Disposition: form-data\r\n\r\nhi\r\n--xyz--"),
        ("application/octet-stream", b"plain ascii"),
        ("image/png", b"\x89PNG\r\n\x1a\n"),
        ("text/plain", b"\xff\xfe not utf-8"),
        ("application/json", b'{"a": "\xe9"}'),  # latin-1, not UTF-8
        (None, b"\x00\x01\xff"),
    ],
)
def test_binary_bodies_go_base64(content_type: str | None, body: bytes) -> None:
    assert is_text_body(content_type, body) is False


def test_missing_content_type_is_base64_even_for_utf8() -> None:
    # Module choice (LocalStack's url router does the same): only a text-like content type keeps text.
    assert is_text_body(None, b"hello") is False
    assert is_text_body("", b"hello") is False


# --- build_url_event: shape -------------------------------------------------------------------------


def test_get_without_query_or_body_matches_the_captured_event_shape(load_event) -> None:
    captured = load_event("powertools_function_url_get")
    event = build_url_event(request(), ctx())
    assert list(event) == list(captured)
    assert list(event["requestContext"]) == list(captured["requestContext"])
    assert list(event["requestContext"]["http"]) == list(captured["requestContext"]["http"])
    assert "body" not in event
    assert "cookies" not in event
    assert "queryStringParameters" not in event
    assert "pathParameters" not in event
    assert "stageVariables" not in event
    assert event["isBase64Encoded"] is False


def test_full_key_order_with_cookies_query_and_body() -> None:
    event = build_url_event(
        request(
            method="POST",
            query="a=1",
            headers=(("Host", HOST), ("Cookie", "s=1"), ("Content-Type", "text/plain")),
            body=b"hi",
        ),
        ctx(),
    )
    assert list(event) == [
        "version",
        "routeKey",
        "rawPath",
        "rawQueryString",
        "cookies",
        "headers",
        "queryStringParameters",
        "requestContext",
        "body",
        "isBase64Encoded",
    ]


def test_request_context_for_auth_type_none() -> None:
    event = build_url_event(request(method="PUT", path="/items/42"), ctx())
    assert event["version"] == "2.0"
    assert event["routeKey"] == "$default"
    assert event["rawPath"] == "/items/42"
    assert event["rawQueryString"] == ""
    assert event["requestContext"] == {
        "accountId": "anonymous",
        "apiId": URL_ID,
        "domainName": f"{URL_ID}.lambda-url.us-east-1.on.aws",
        "domainPrefix": URL_ID,
        "http": {
            "method": "PUT",
            "path": "/items/42",
            "protocol": "HTTP/1.1",
            "sourceIp": "203.0.113.7",
            "userAgent": "curl/8.5.0",
        },
        "requestId": "11111111-2222-3333-4444-555555555555",
        "routeKey": "$default",
        "stage": "$default",
        "time": "07/Sep/2021:22:50:22 +0000",
        "timeEpoch": 1631055022123,
    }


def test_domain_name_uses_the_region() -> None:
    event = build_url_event(request(), ctx(region="ap-northeast-2"))
    assert event["requestContext"]["domainName"] == f"{URL_ID}.lambda-url.ap-northeast-2.on.aws"


def test_time_pads_the_day_and_uses_english_month() -> None:
    # 2020-03-02T04:05:06Z
    event = build_url_event(request(), ctx(now=1583121906.0))
    assert event["requestContext"]["time"] == "02/Mar/2020:04:05:06 +0000"
    assert event["requestContext"]["timeEpoch"] == 1583121906000


def test_time_defaults_to_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("infra.local.function_url.event.time.time", lambda: 1659687279.885)
    event = build_url_event(request(), ctx(now=None))
    assert event["requestContext"]["time"] == "05/Aug/2022:08:14:39 +0000"
    assert event["requestContext"]["timeEpoch"] == 1659687279885


def test_user_agent_is_empty_when_the_client_sent_none() -> None:
    event = build_url_event(request(headers=(("Host", HOST),)), ctx())
    assert event["requestContext"]["http"]["userAgent"] == ""


def test_raw_path_keeps_its_percent_encoding_and_the_context_path_is_decoded() -> None:
    event = build_url_event(request(path="/a%20b/%2F"), ctx())
    assert event["rawPath"] == "/a%20b/%2F"
    assert event["requestContext"]["http"]["path"] == "/a b//"


@pytest.mark.parametrize(
    ("wire", "context"),
    [("//path/1", "/path/1"), ("//pa2%25Fth/1", "/pa2%Fth/1"), ("/", "/"), ("///a//b", "/a//b")],
)
def test_the_context_path_collapses_leading_slashes(wire: str, context: str) -> None:
    """Recorded on AWS (issue 12): ``FunctionUrl + "/path/1"`` sends ``//path/1``; the context says ``/path/1``."""
    event = build_url_event(request(path=wire), ctx())
    assert event["requestContext"]["http"]["path"] == context
    assert event["rawPath"] == wire


def test_aws_iam_authorizer_block_goes_between_api_id_and_domain_name() -> None:
    iam = {
        "iam": {
            "accessKey": "AKIAIOSFODNN7EXAMPLE",
            "accountId": "111122223333",
            "callerId": "AIDACKCEVSQ6C2EXAMPLE",
            "cognitoIdentity": None,
            "principalOrgId": None,
            "userArn": "arn:aws:iam::111122223333:user/example-user",
            "userId": "AIDACKCEVSQ6C2EXAMPLE",
        }
    }
    event = build_url_event(request(), ctx(account_id="111122223333", authorizer=iam))
    rc = event["requestContext"]
    assert rc["accountId"] == "111122223333"
    assert rc["authorizer"] == iam
    assert list(rc)[:4] == ["accountId", "apiId", "authorizer", "domainName"]


def test_auth_type_none_has_no_authorizer() -> None:
    assert "authorizer" not in build_url_event(request(), ctx())["requestContext"]


# --- headers ----------------------------------------------------------------------------------------


def test_header_names_lower_cased_values_untouched() -> None:
    event = build_url_event(
        request(headers=(("Host", HOST), ("X-Custom-Header", "MiXeD Case  Value "), ("ACCEPT", "Text/HTML"))),
        ctx(),
    )
    headers = event["headers"]
    assert headers["x-custom-header"] == "MiXeD Case  Value "
    assert headers["accept"] == "Text/HTML"
    assert all(name == name.lower() for name in headers)


def test_repeated_headers_are_comma_joined_in_arrival_order() -> None:
    event = build_url_event(
        request(headers=(("Host", HOST), ("X-Multi", "one"), ("x-multi", "two"), ("X-MULTI", "three"))),
        ctx(),
    )
    assert event["headers"]["x-multi"] == "one,two,three"


def test_cookie_headers_go_to_cookies_not_headers() -> None:
    event = build_url_event(
        request(headers=(("Host", HOST), ("Cookie", "a=1; b=2"), ("cookie", "c=3"), ("COOKIE", " d=4 ;"))),
        ctx(),
    )
    assert event["cookies"] == ["a=1", "b=2", "c=3", "d=4"]
    assert "cookie" not in event["headers"]


def test_added_forwarding_and_trace_headers() -> None:
    event = build_url_event(request(), ctx(forwarded_port=8123))
    headers = event["headers"]
    assert headers["x-forwarded-for"] == "203.0.113.7"
    assert headers["x-forwarded-port"] == "8123"
    assert headers["x-forwarded-proto"] == "http"  # module choice: what the client really used locally
    assert TRACE.match(headers["x-amzn-trace-id"])
    assert headers["x-amzn-trace-id"].startswith("Root=1-6137ecae-")
    assert list(headers)[-6:] == [
        "x-amzn-trace-id",
        "x-amzn-tls-cipher-suite",
        "x-amzn-tls-version",
        "x-forwarded-for",
        "x-forwarded-port",
        "x-forwarded-proto",
    ]
    # Recorded on AWS: what a current client negotiates with a Function URL's TLS front end.
    assert (headers["x-amzn-tls-version"], headers["x-amzn-tls-cipher-suite"]) == ("TLSv1.3", "TLS_AES_128_GCM_SHA256")


def test_host_header_is_the_one_the_client_sent() -> None:
    # Module choice (docstring): headers.host is the Host sent; requestContext.domainName is the on.aws name.
    event = build_url_event(request(), ctx())
    assert event["headers"]["host"] == HOST


def test_client_trace_id_is_kept() -> None:
    sent = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"
    event = build_url_event(request(headers=(("Host", HOST), ("X-Amzn-Trace-Id", sent))), ctx())
    assert event["headers"]["x-amzn-trace-id"] == sent


def test_client_forwarding_headers_are_replaced_by_the_front_end() -> None:
    event = build_url_event(
        request(
            headers=(
                ("Host", HOST),
                ("X-Forwarded-Proto", "gopher"),
                ("X-Forwarded-Port", "1"),
                ("X-Forwarded-For", "10.9.9.9"),
            )
        ),
        ctx(),
    )
    assert event["headers"]["x-forwarded-proto"] == "http"
    assert event["headers"]["x-forwarded-port"] == "9000"
    assert event["headers"]["x-forwarded-for"] == "203.0.113.7"


def test_hop_by_hop_headers_are_not_passed_on() -> None:
    event = build_url_event(
        request(headers=(("Host", HOST), ("Connection", "keep-alive"), ("Transfer-Encoding", "chunked"))),
        ctx(),
    )
    assert "connection" not in event["headers"]
    assert "transfer-encoding" not in event["headers"]


# --- query string -----------------------------------------------------------------------------------


def test_repeated_query_keys_are_decoded_and_comma_joined() -> None:
    event = build_url_event(request(query="q=foo&q=%2Fbar"), ctx())
    assert event["rawQueryString"] == "q=foo&q=%2Fbar"
    assert event["queryStringParameters"] == {"q": "foo,/bar"}


def test_query_values_and_keys_are_url_decoded() -> None:
    event = build_url_event(request(query="na%20me=J%C3%BCrgen&empty=&x=1%2C2"), ctx())
    assert event["queryStringParameters"] == {"na me": "Jürgen", "empty": "", "x": "1,2"}


def test_raw_query_string_has_no_question_mark() -> None:
    event = build_url_event(request(query="a=1&b=2"), ctx())
    assert event["rawQueryString"] == "a=1&b=2"
    assert event["queryStringParameters"] == {"a": "1", "b": "2"}


def test_docs_example_query_cookies_and_headers(load_event) -> None:
    expected = load_event("aws_docs_function_url_post")
    event = build_url_event(
        request(
            method="POST",
            path="/my/path",
            query=expected["rawQueryString"],
            headers=(
                ("Host", HOST),
                ("Header1", "value1"),
                ("Header2", "value1"),
                ("Header2", "value2"),
                ("Cookie", "cookie1; cookie2"),
                ("Content-Type", "text/plain"),
            ),
            body=b"Hello from client!",
        ),
        ctx(),
    )
    assert event["queryStringParameters"] == expected["queryStringParameters"]
    assert event["cookies"] == expected["cookies"]
    assert {k: event["headers"][k] for k in expected["headers"]} == expected["headers"]
    assert event["body"] == expected["body"]
    assert event["isBase64Encoded"] is expected["isBase64Encoded"]


# --- body -------------------------------------------------------------------------------------------


def test_json_body_stays_text() -> None:
    body = '{"name": "Jürgen", "n": 1}'.encode()
    event = build_url_event(
        request(method="POST", headers=(("Host", HOST), ("Content-Type", "application/json")), body=body), ctx()
    )
    assert event["body"] == '{"name": "Jürgen", "n": 1}'
    assert event["isBase64Encoded"] is False


def test_multipart_body_is_base64() -> None:
    body = b'--b\r\nContent-Disposition: form-data; name="f"\r\n\r\nv\r\n--b--\r\n'
    event = build_url_event(
        request(
            method="POST", headers=(("Host", HOST), ("Content-Type", "multipart/form-data; boundary=b")), body=body
        ),
        ctx(),
    )
    assert event["isBase64Encoded"] is True
    assert event["body"] == base64.b64encode(body).decode()
    assert base64.b64decode(event["body"]) == body


def test_non_utf8_body_is_base64_even_when_declared_text() -> None:
    body = b"caf\xe9"
    event = build_url_event(
        request(method="POST", headers=(("Host", HOST), ("Content-Type", "text/plain")), body=body), ctx()
    )
    assert event["isBase64Encoded"] is True
    assert event["body"] == "Y2Fm6Q=="


def test_no_body_means_no_body_key() -> None:
    event = build_url_event(
        request(method="POST", headers=(("Host", HOST), ("Content-Type", "application/json")), body=b""), ctx()
    )
    assert "body" not in event
    assert event["isBase64Encoded"] is False


# --- Korean text ------------------------------------------------------------------------------------


def _wire(text: str) -> str:
    """``text`` as the HTTP server hands over its raw UTF-8 bytes (one Latin-1 character per byte)."""
    return text.encode("utf-8").decode("latin-1")


def test_korean_header_values_and_cookies_sent_as_raw_utf8_reach_the_function_as_text() -> None:
    headers = (
        ("Host", HOST),
        ("User-Agent", _wire("브라우저/1.0")),
        ("X-Name", _wire("홍길동")),
        ("X-Name", "%EC%B2%A0%EC%88%98"),
        ("Cookie", _wire("이름=홍길동; b=2")),
    )
    event = build_url_event(request(headers=headers), ctx())
    assert event["headers"]["x-name"] == "홍길동,%EC%B2%A0%EC%88%98"  # joined, each as it was sent
    assert event["cookies"] == ["이름=홍길동", "b=2"]
    assert event["requestContext"]["http"]["userAgent"] == "브라우저/1.0"


def test_a_percent_encoded_korean_query_is_decoded_and_the_raw_forms_kept() -> None:
    path, query = "/%EC%9D%B8%EC%82%AC", "q=%ED%95%9C&q=%EA%B8%80&x=a+b"
    event = build_url_event(request(path=path, query=query), ctx())
    assert event["rawPath"] == path  # as sent
    assert event["requestContext"]["http"]["path"] == "/인사"  # decoded, as AWS gives it (recorded, issue 12)
    assert event["rawQueryString"] == query
    assert event["queryStringParameters"] == {"q": "한,글", "x": "a b"}
