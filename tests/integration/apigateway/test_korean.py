"""Korean text through an API Gateway REST API's Lambda proxy integration (the 1.0 event), over real HTTP:
the path stays percent-encoded, query parameters arrive decoded (single and multi-value), header values and
the body as UTF-8 text; the JSON answer comes back whole; an unsendable response header is a clear 502."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import httpx
import pytest

from infra.kit import LocalCloudTransport
from infra.steps.lambda_ import ensure_rest_api
from tests.integration import korean
from tests.integration.korean import GREETING, NAME, PATH_ENCODED, QUERY, RFC8187, raw_exchange, raw_get


@pytest.fixture
def api_url(deploy, aws) -> str:
    fn = deploy(korean.ECHO, url=False)
    lam = aws("lambda")
    arn = lam.get_function(FunctionName=fn.name)["Configuration"]["FunctionArn"]
    return ensure_rest_api(aws("apigateway"), lam, f"ko-{uuid.uuid4().hex[:8]}", function_arn=arn).url


@pytest.fixture
def client(endpoint: str) -> Iterator[httpx.Client]:
    with httpx.Client(transport=LocalCloudTransport(endpoint), timeout=60) as http:
        yield http


def test_the_proxy_event_carries_korean_as_api_gateway_does(api_url, client) -> None:
    body = json.dumps({"인사": GREETING}, ensure_ascii=False).encode()
    got = client.post(
        f"{api_url.rstrip('/')}{PATH_ENCODED}?{QUERY}",
        content=body,
        headers={"Content-Type": "application/json", "X-Name": NAME.encode(), "X-Name-Rfc8187": RFC8187},
    )
    assert got.status_code == 200, got.text
    event = got.json()["event"]
    assert event["path"] == PATH_ENCODED and event["requestContext"]["path"] == f"/prod{PATH_ENCODED}"
    assert event["queryStringParameters"] == {"name": "철수", "greeting": GREETING}  # the last value of a repeat
    assert event["multiValueQueryStringParameters"] == {"name": [NAME, "철수"], "greeting": [GREETING]}
    assert event["headers"]["X-Name"] == NAME and event["multiValueHeaders"]["X-Name"] == [NAME]
    assert event["headers"]["X-Name-Rfc8187"] == RFC8187
    assert event["isBase64Encoded"] is False and json.loads(event["body"]) == {"인사": GREETING}
    assert got.json()["greeting"] == GREETING and GREETING.encode() in got.content  # UTF-8 on the wire


@pytest.mark.parametrize(("reply", "name"), [("hangul", "x-greeting"), ("crlf", "x-greeting"), ("name", "x 인사")])
def test_an_unsendable_response_header_is_a_clear_502_never_a_hang(api_url, endpoint, reply, name) -> None:
    host = api_url.split("//", 1)[1].split("/", 1)[0]
    answer = raw_exchange(int(endpoint.rsplit(":", 1)[1]), raw_get(host, f"/prod/?reply={reply}"))
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 502 ") and name in json.loads(body)["message"]
    assert b"x-injected" not in head
