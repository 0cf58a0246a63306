"""infra/local/apigateway/rest.py: Korean text in the REST API proxy event (payload format 1.0)."""

from __future__ import annotations

import json
from types import SimpleNamespace

from infra.local.apigateway.rest import Route, proxy_event
from infra.local.http.types import HttpRequest


def _event(request: HttpRequest) -> dict:
    route = Route(SimpleNamespace(id="res123"), "/{proxy+}", {"proxy": request.path.lstrip("/")})
    return proxy_event(
        request,
        api_id="abcdefghij",
        region="ap-northeast-2",
        account_id="123456789012",
        stage="prod",
        path=request.path,
        route=route,
        request_id="r-1",
        stage_variables={},
    )


def test_the_proxy_event_keeps_the_path_encoded_and_decodes_query_headers_and_body() -> None:
    raw_name = "홍길동".encode().decode("latin-1")  # what the server hands over for raw UTF-8 bytes
    request = HttpRequest(
        "POST",
        "/%EC%9D%B8%EC%82%AC",
        query="q=%ED%95%9C&q=%EA%B8%80",
        headers=(("Host", "abcdefghij.execute-api.ap-northeast-2.amazonaws.com"), ("X-Name", raw_name)),
        body="안녕".encode(),
    )
    event = _event(request)
    assert event["path"] == "/%EC%9D%B8%EC%82%AC" and event["requestContext"]["path"] == "/prod/%EC%9D%B8%EC%82%AC"
    assert event["queryStringParameters"] == {"q": "글"}
    assert event["multiValueQueryStringParameters"] == {"q": ["한", "글"]}
    assert event["headers"]["X-Name"] == "홍길동" and event["multiValueHeaders"]["X-Name"] == ["홍길동"]
    assert event["body"] == "안녕" and event["isBase64Encoded"] is False
    json.dumps(event)  # the event is JSON as it goes to the function
