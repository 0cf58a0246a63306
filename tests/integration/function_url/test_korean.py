"""Korean text through a Function URL over real HTTP: in the request (path, query string, header values,
cookies, body), in the response (JSON, a streamed body whose chunks split Hangul syllables), through plain
httpx, the kit's own client and raw sockets; and the headers HTTP/1.1 cannot carry, which never hang."""

from __future__ import annotations

import base64
import json
import time

import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest

import infra
from infra.stream_view import StreamSummary, follow
from tests.integration import korean
from tests.integration.korean import (
    COOKIE,
    GREETING,
    NAME,
    NAME_ENCODED,
    PATH,
    PATH_ENCODED,
    QUERY,
    RFC8187,
    raw_exchange,
    raw_get,
)
from tests.local_cloud import REGION, streaming_zip_with


def _kit(endpoint: str) -> infra.Kit:
    return infra.Kit(infra.Settings(learner=f"ko{int(time.time() * 1000) % 10**8}"), endpoint=endpoint)


def _port(endpoint: str) -> int:
    return int(endpoint.rsplit(":", 1)[1])


def test_korean_in_path_query_headers_cookies_and_body_reaches_the_function(deploy, http) -> None:
    fn = deploy(korean.ECHO)
    body = json.dumps({"인사": GREETING}, ensure_ascii=False).encode()
    response = http.post(
        f"{PATH_ENCODED}?{QUERY}",
        headers={
            "Host": fn.host,
            "Content-Type": "application/json; charset=utf-8",
            "X-Name": NAME.encode(),  # raw UTF-8 bytes on the wire
            "X-Name-Percent": NAME_ENCODED,
            "X-Name-Rfc8187": RFC8187,
            "Cookie": f"{COOKIE}; enc={NAME_ENCODED}".encode(),
        },
        content=body,
    )
    assert response.status_code == 200
    answer = response.json()
    event = answer["event"]
    # rawPath as sent; requestContext.http.path decoded, as AWS gives it (recorded, issue 12)
    assert event["rawPath"] == PATH_ENCODED and event["requestContext"]["http"]["path"] == PATH
    assert event["rawQueryString"] == QUERY  # kept percent-encoded
    assert event["queryStringParameters"] == {"name": "홍길동,철수", "greeting": GREETING}  # decoded, comma-joined
    assert event["headers"]["x-name"] == NAME
    assert event["headers"]["x-name-percent"] == NAME_ENCODED and event["headers"]["x-name-rfc8187"] == RFC8187
    assert event["cookies"] == [COOKIE, f"enc={NAME_ENCODED}"]
    assert event["isBase64Encoded"] is False and json.loads(event["body"]) == {"인사": GREETING}
    # The JSON response: UTF-8 on the wire, decoded right, and an RFC 8187 header passes as it is.
    assert answer["greeting"] == GREETING
    assert response.content.decode("utf-8") == response.text and GREETING.encode() in response.content
    assert response.headers["content-disposition"] == "attachment; filename*=UTF-8''%ED%95%9C%EA%B8%80.txt"


def test_a_utf8_text_body_stays_text_and_an_euc_kr_one_is_base64(deploy, http) -> None:
    fn = deploy(korean.ECHO)
    text = http.post("/", headers={"Host": fn.host, "Content-Type": "text/plain"}, content=GREETING.encode())
    assert text.json()["event"]["body"] == GREETING and text.json()["event"]["isBase64Encoded"] is False
    euc_kr = GREETING.encode("euc-kr")
    legacy = http.post(
        "/", headers={"Host": fn.host, "Content-Type": "text/plain; charset=euc-kr"}, content=euc_kr
    ).json()["event"]
    assert legacy["isBase64Encoded"] is True and base64.b64decode(legacy["body"]).decode("euc-kr") == GREETING


INFERRED = """
def handler(event, context):
    return {"인사": "안녕하세요", "이름": event["queryStringParameters"]["name"]}
"""


def test_an_inferred_json_response_carries_korean(deploy, http) -> None:
    fn = deploy(INFERRED)
    response = http.get(f"/?name={NAME_ENCODED}", headers={"Host": fn.host})
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    assert response.json() == {"인사": "안녕하세요", "이름": NAME}


def test_the_kits_http_client_percent_encodes_korean_and_decodes_the_answer(deploy, endpoint) -> None:
    fn = deploy(korean.ECHO)
    assert fn.url is not None
    with _kit(endpoint).http() as client:
        response = client.get(fn.url.rstrip("/") + PATH, params={"name": NAME})
    assert response.status_code == 200
    event = response.json()["event"]
    assert event["rawPath"] == PATH_ENCODED and event["rawQueryString"] == f"name={NAME_ENCODED}"
    assert event["queryStringParameters"] == {"name": NAME}
    assert GREETING in response.text


def test_the_kits_signed_client_reaches_an_aws_iam_url_with_a_korean_path_and_query(deploy, aws, endpoint) -> None:
    fn = deploy(korean.ECHO, permissions="none")
    aws("lambda").update_function_url_config(FunctionName=fn.name, AuthType="AWS_IAM")
    kit = _kit(endpoint)
    assert fn.url is not None
    with kit.http(auth=kit.sigv4()) as client:
        response = client.get(fn.url.rstrip("/") + PATH, params={"name": NAME, "greeting": GREETING})
    assert response.status_code == 200, response.text
    event = response.json()["event"]
    assert event["rawPath"] == PATH_ENCODED
    assert event["queryStringParameters"] == {"name": NAME, "greeting": GREETING}
    with kit.http() as client:
        for url in (
            f"{fn.url.rstrip('/')}{PATH_ENCODED}?name={NAME_ENCODED}",
            f"{fn.url.rstrip('/')}{PATH}?name={NAME}",
        ):
            event = client.get(kit.presign(url)).json()["event"]  # encoded as a browser would, or written in Korean
            assert event["rawPath"] == PATH_ENCODED and event["queryStringParameters"]["name"] == NAME


def test_a_signed_header_sent_as_raw_utf8_passes_the_signature_check(deploy, aws, endpoint, local_credentials) -> None:
    fn = deploy(korean.ECHO, permissions="none")
    aws("lambda").update_function_url_config(FunctionName=fn.name, AuthType="AWS_IAM")
    assert fn.url is not None
    signed = AWSRequest(method="GET", url=fn.url, headers={"X-Name": NAME})
    SigV4Auth(local_credentials, "lambda", REGION).add_auth(signed)  # botocore hashes the value as UTF-8
    headers = {name: str(value).encode("utf-8") for name, value in signed.headers.items()}
    answer = raw_exchange(_port(endpoint), raw_get(fn.host, "/", headers))
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 "), answer[:300]
    assert json.loads(body)["event"]["headers"]["x-name"] == NAME


@pytest.mark.parametrize(
    ("reply", "name"),
    [("hangul", "x-greeting"), ("crlf", "x-greeting"), ("name", "x 인사")],
)
def test_a_response_header_http_cannot_carry_is_a_clear_502_never_a_hang(deploy, endpoint, reply, name) -> None:
    fn = deploy(korean.ECHO)
    answer = raw_exchange(_port(endpoint), raw_get(fn.host, f"/?reply={reply}"))
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 502 ")
    assert name in json.loads(body)["message"]
    assert b"x-injected" not in head


def test_raw_utf8_in_a_request_header_is_accepted_and_in_the_request_target_refused_cleanly(deploy, endpoint) -> None:
    fn = deploy(korean.ECHO)
    port = _port(endpoint)
    answer = raw_exchange(port, raw_get(fn.host, "/", {"X-Name": NAME.encode(), "Cookie": COOKIE.encode()}))
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 ")
    event = json.loads(body)["event"]
    assert event["headers"]["x-name"] == NAME and event["cookies"] == [COOKIE]
    # A URL must percent-encode non-ASCII (RFC 3986 §2.1): raw UTF-8 in the target is refused, not served.
    for target in (PATH.encode(), b"/?name=" + NAME.encode()):
        refused = raw_exchange(port, b"GET " + target + f" HTTP/1.1\r\nHost: {fn.host}\r\n\r\n".encode())
        assert refused.startswith(b"HTTP/1.1 400 Bad Request")


@pytest.fixture
def korean_stream(streaming):
    code = streaming_zip_with("ko", korean.STREAM)

    def make(invoke_mode: str) -> str:
        return streaming("ko.handler", invoke_mode, code=code)[1]

    return make


def _client(endpoint: str) -> httpx.Client:
    from infra.kit import LocalCloudTransport

    return httpx.Client(transport=LocalCloudTransport(endpoint), timeout=60)


def test_a_streamed_body_split_inside_hangul_syllables_arrives_whole(korean_stream, endpoint) -> None:
    assert korean.cuts_fall_inside_syllables()
    url = korean_stream("RESPONSE_STREAM")
    with _client(endpoint) as client:
        with client.stream("GET", url) as response:
            assert response.status_code == 200
            raw = list(response.iter_raw())
        assert b"".join(raw).decode("utf-8") == korean.STREAMED
        undecodable = 0
        for chunk in raw:
            try:
                chunk.decode("utf-8")
            except UnicodeDecodeError:
                undecodable += 1
        assert undecodable >= 1  # the chunks really arrive split: a per-chunk decode would be wrong
        with client.stream("GET", url) as response:
            assert "".join(response.iter_text()) == korean.STREAMED  # an incremental decoder
        with client.stream("GET", url) as response:
            summary = follow(response.iter_raw(), StreamSummary(), time.monotonic())
        assert summary.lines == ["스트리밍 응답: 가나다라마바사", "끝"]  # the notebooks' live view


def test_the_same_stream_behind_a_buffered_url_is_whole_utf8(korean_stream, endpoint) -> None:
    with _client(endpoint) as client:
        response = client.get(korean_stream("BUFFERED"))
    assert response.status_code == 200 and response.content == korean.STREAMED.encode()
    assert response.text == korean.STREAMED


@pytest.mark.parametrize("invoke_mode", ["RESPONSE_STREAM", "BUFFERED"])
def test_a_streamed_prelude_header_outside_latin1_is_a_502(korean_stream, endpoint, invoke_mode) -> None:
    url = korean_stream(invoke_mode)
    host = url.split("//", 1)[1].split("/", 1)[0]
    answer = raw_exchange(_port(endpoint), raw_get(host, "/?reply=hangul"))
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 502 ") and "x-greeting" in json.loads(body)["message"]
