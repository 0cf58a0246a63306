"""infra/local/function_url/front_end.py: the URL front end with a fake lookup and a fake invoke (no sockets)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from infra.local.function_url.auth import public_url_allows
from infra.local.function_url.front_end import FunctionUrlFrontEnd, parse_url_host
from infra.local.http.types import HttpRequest, HttpResponse
from infra.local.lambda_.function_spec import FunctionSpec
from infra.local.lambda_.invocation import InvocationOutcome, Throttled
from infra.local.lambda_.moto_lambda import ResolvedFunction, UrlTarget
from tests.unit.url_statements import public_url_statements

ACCOUNT = "123456789012"
REGION = "us-east-1"
URL_ID = "abcdefghij0123456789klmnopqrstuv"
HOST = f"{URL_ID}.lambda-url.{REGION}.localhost:9000"
FN_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:hello"

FORBIDDEN_POLICY = {
    "Message": "Forbidden. For troubleshooting Function URL authorization issues, see: "
    "https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"
}
PUBLIC_URL, INVOKE_VIA_URL = public_url_statements(FN_ARN)

SPEC = FunctionSpec(
    account_id=ACCOUNT,
    region=REGION,
    function_name="hello",
    function_arn=FN_ARN,
    version="$LATEST",
    handler="handler.handler",
    runtime="python3.12",
    memory_size=128,
    timeout=3.0,
    environment=(),
    code_sha256="sha",
    revision="rev1",
    reserved_concurrency=None,
)


def target(
    statements: tuple[dict[str, Any], ...] = (PUBLIC_URL, INVOKE_VIA_URL),
    auth_type: str = "NONE",
    cors: dict[str, Any] | None = None,
) -> UrlTarget:
    return UrlTarget(
        url_id=URL_ID,
        region=REGION,
        account_id=ACCOUNT,
        auth_type=auth_type,
        invoke_mode="BUFFERED",
        cors=cors,
        function_arn=FN_ARN,
        function=ResolvedFunction(SPEC, FN_ARN, statements),
    )


@dataclass
class Fakes:
    """The lookup and invoke a front end is built from, recording their calls."""

    target: UrlTarget | None
    payload: bytes = b'{"statusCode": 200, "body": "hi"}'
    status: str = "success"
    error_type: str | None = None
    throttle: bool = False
    lookups: list[tuple[str, str]] = field(default_factory=list)
    invokes: list[dict[str, Any]] = field(default_factory=list)

    def lookup(self, url_id: str, region: str) -> UrlTarget | None:
        self.lookups.append((url_id, region))
        return self.target if url_id == URL_ID and region == REGION else None

    async def invoke(
        self, function: ResolvedFunction, payload: bytes, request_id: str, trace: str
    ) -> InvocationOutcome:
        self.invokes.append(
            {"function": function, "event": json.loads(payload), "request_id": request_id, "trace": trace}
        )
        if self.throttle:
            raise Throttled("ReservedFunctionConcurrentInvocationLimitExceeded")
        return InvocationOutcome(self.status, request_id, self.payload, "$LATEST", self.error_type)

    def front_end(self, **kwargs: Any) -> FunctionUrlFrontEnd:
        return FunctionUrlFrontEnd(lookup=self.lookup, invoke=self.invoke, port=9000, **kwargs)


def call(front_end: FunctionUrlFrontEnd, request: HttpRequest) -> HttpResponse:
    return asyncio.run(front_end.handle(request))


def req(method: str = "GET", host: str = HOST, body: bytes = b"", query: str = "", **headers: str) -> HttpRequest:
    sent = [("Host", host), *((k.replace("_", "-"), v) for k, v in headers.items())]
    return HttpRequest(method, "/path", query=query, headers=tuple(sent), body=body, source_ip="198.51.100.4")


# --- parse_url_host ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        (f"{URL_ID}.lambda-url.us-east-1.on.aws", (URL_ID, "us-east-1")),
        (f"{URL_ID}.lambda-url.ap-northeast-2.localhost", (URL_ID, "ap-northeast-2")),
        (f"{URL_ID.upper()}.LAMBDA-URL.US-EAST-1.ON.AWS", (URL_ID, "us-east-1")),
        ("localhost", None),
        (f"{URL_ID}.lambda-url.us-east-1.example.com", None),
        (f"{URL_ID}.execute-api.us-east-1.amazonaws.com", None),
    ],
)
def test_parse_url_host(host: str, expected) -> None:
    assert parse_url_host(host) == expected


# --- unknown URL ------------------------------------------------------------------------------------


def test_unknown_url_id_is_403_message_null() -> None:
    fakes = Fakes(target(), payload=b"{}")
    response = call(fakes.front_end(), req(host=f"zzzz0000.lambda-url.{REGION}.localhost:9000"))
    assert response.status == 403
    assert response.body == b'{"Message":null}'
    assert response.header("x-amzn-ErrorType") == "AccessDeniedException"
    assert response.header("content-type") == "application/json"
    assert fakes.lookups == [("zzzz0000", REGION)]
    assert fakes.invokes == []


def test_host_that_is_not_a_url_is_403_without_lookup() -> None:
    fakes = Fakes(target())
    response = call(fakes.front_end(), req(host="localhost:9000"))
    assert response.status == 403
    assert response.body == b'{"Message":null}'
    assert fakes.lookups == []


def test_url_in_another_region_is_unknown() -> None:
    fakes = Fakes(target())
    response = call(fakes.front_end(), req(host=f"{URL_ID}.lambda-url.eu-west-1.localhost:9000"))
    assert response.status == 403
    assert response.body == b'{"Message":null}'


# --- permissions ------------------------------------------------------------------------------------


def test_auth_none_with_both_permissions_invokes() -> None:
    fakes = Fakes(target())
    response = call(fakes.front_end(), req())
    assert response.status == 200
    assert response.body == b"hi"
    assert len(fakes.invokes) == 1


def test_auth_none_with_only_invoke_function_url_is_403() -> None:
    fakes = Fakes(target(statements=(PUBLIC_URL,)))
    response = call(fakes.front_end(), req())
    assert response.status == 403
    assert json.loads(response.body) == FORBIDDEN_POLICY
    assert response.body == (
        b'{"Message":"Forbidden. For troubleshooting Function URL authorization issues, see: '
        b'https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"}'
    )
    assert response.header("x-amzn-ErrorType") == "AccessDeniedException"
    assert fakes.invokes == []


def test_legacy_account_passes_with_invoke_function_url_alone() -> None:
    fakes = Fakes(target(statements=(PUBLIC_URL,)))
    response = call(fakes.front_end(legacy_permissions=True), req())
    assert response.status == 200
    assert response.body == b"hi"


def test_legacy_account_still_needs_invoke_function_url() -> None:
    fakes = Fakes(target(statements=(INVOKE_VIA_URL,)))
    response = call(fakes.front_end(legacy_permissions=True), req())
    assert response.status == 403
    assert json.loads(response.body) == FORBIDDEN_POLICY


def test_auth_none_without_any_policy_is_403() -> None:
    fakes = Fakes(target(statements=()))
    response = call(fakes.front_end(), req())
    assert response.status == 403
    assert json.loads(response.body) == FORBIDDEN_POLICY


def test_auth_type_condition_must_say_none() -> None:
    iam_only = {**PUBLIC_URL, "Condition": {"StringEquals": {"lambda:FunctionUrlAuthType": "AWS_IAM"}}}
    fakes = Fakes(target(statements=(iam_only, INVOKE_VIA_URL)))
    assert call(fakes.front_end(), req()).status == 403


def test_explicit_deny_blocks_a_public_url() -> None:
    deny = {"Effect": "Deny", "Principal": "*", "Action": "lambda:InvokeFunction", "Resource": FN_ARN}
    fakes = Fakes(target(statements=(PUBLIC_URL, INVOKE_VIA_URL, deny)))
    response = call(fakes.front_end(), req())
    assert response.status == 403
    assert json.loads(response.body) == FORBIDDEN_POLICY


def test_public_url_allows_directly() -> None:
    assert public_url_allows(target()) is True
    assert public_url_allows(target(statements=(PUBLIC_URL,))) is False
    assert public_url_allows(target(statements=(PUBLIC_URL,)), legacy=True) is True


def test_aws_iam_unsigned_is_403_forbidden() -> None:
    fakes = Fakes(target(auth_type="AWS_IAM"))
    response = call(fakes.front_end(), req())
    assert response.status == 403
    assert response.body == b'{"Message":"Forbidden"}'
    assert response.header("x-amzn-ErrorType") == "AccessDeniedException"
    assert fakes.invokes == []


# --- invocation -------------------------------------------------------------------------------------


def test_request_id_header_equals_the_invocation_request_id() -> None:
    fakes = Fakes(target())
    response = call(fakes.front_end(), req())
    request_id = fakes.invokes[0]["request_id"]
    assert response.header("x-amzn-RequestId") == request_id
    assert fakes.invokes[0]["event"]["requestContext"]["requestId"] == request_id
    assert response.header("X-Amzn-Trace-Id").startswith("Root=1-")


def test_request_ids_differ_between_requests() -> None:
    fakes = Fakes(target())
    front_end = fakes.front_end()
    call(front_end, req())
    call(front_end, req())
    assert fakes.invokes[0]["request_id"] != fakes.invokes[1]["request_id"]


def test_invoke_gets_the_event_and_its_trace_id() -> None:
    fakes = Fakes(target())
    call(fakes.front_end(), req("POST", body=b'{"a":1}', query="x=1&x=2", Content_Type="application/json"))
    sent = fakes.invokes[0]
    event = sent["event"]
    assert sent["function"] is fakes.target.function
    assert sent["trace"] == event["headers"]["x-amzn-trace-id"]
    assert event["rawPath"] == "/path"
    assert event["queryStringParameters"] == {"x": "1,2"}
    assert event["body"] == '{"a":1}'
    assert event["isBase64Encoded"] is False
    assert event["headers"]["x-forwarded-port"] == "9000"
    assert event["headers"]["x-forwarded-for"] == "198.51.100.4"
    assert event["requestContext"]["accountId"] == "anonymous"
    assert event["requestContext"]["domainName"] == f"{URL_ID}.lambda-url.{REGION}.on.aws"
    assert event["requestContext"]["http"]["method"] == "POST"


def test_function_result_is_mapped() -> None:
    payload = json.dumps(
        {"statusCode": "418", "headers": {"X-Tea": "Earl Grey"}, "cookies": ["a=1"], "body": "short and stout"}
    ).encode()
    fakes = Fakes(target(), payload=payload)
    response = call(fakes.front_end(), req())
    assert response.status == 418
    assert response.body == b"short and stout"
    assert response.headers[:3] == [("x-tea", "Earl Grey"), ("set-cookie", "a=1"), ("content-type", "application/json")]


def test_inferred_result_is_mapped() -> None:
    fakes = Fakes(target(), payload=b'{"hello": "world"}')
    response = call(fakes.front_end(), req())
    assert response.status == 200
    assert response.body == b'{"hello":"world"}'


@pytest.mark.parametrize(
    ("status", "error_type"), [("error", "Runtime.ValueError"), ("timeout", "Sandbox.Timedout"), ("crash", None)]
)
def test_function_error_is_502(status: str, error_type: str | None) -> None:
    fakes = Fakes(
        target(), payload=b'{"errorMessage": "boom", "errorType": "ValueError"}', status=status, error_type=error_type
    )
    response = call(fakes.front_end(), req())
    assert response.status == 502
    assert response.body == b"Internal Server Error"
    assert response.header("x-amzn-RequestId") == fakes.invokes[0]["request_id"]


@pytest.mark.parametrize("payload", [b"not json", b'{"statusCode": "abc"}', b'{"statusCode": 700}'])
def test_unmappable_result_is_502(payload: bytes) -> None:
    fakes = Fakes(target(), payload=payload)
    response = call(fakes.front_end(), req())
    assert response.status == 502
    assert response.body == b"Internal Server Error"


def test_throttled_is_429() -> None:
    fakes = Fakes(target(), throttle=True)
    response = call(fakes.front_end(), req())
    assert response.status == 429
    assert response.body == b'{"Message":"Rate Exceeded."}'
    assert response.header("x-amzn-ErrorType") == "TooManyRequestsException"
    assert response.header("x-amzn-RequestId") == fakes.invokes[0]["request_id"]


def test_oversized_request_is_413_without_invoking() -> None:
    fakes = Fakes(target())
    body = b"a" * 6_291_456
    response = call(fakes.front_end(), req("POST", body=body, Content_Type="text/plain"))
    assert response.status == 413
    assert response.body == (
        b'{"Message":"Request must be smaller than 6291456 bytes for the InvokeFunction operation"}'
    )
    assert response.header("x-amzn-ErrorType") == "RequestEntityTooLargeException"
    assert fakes.invokes == []


def test_body_that_fits_once_in_the_event_is_invoked() -> None:
    fakes = Fakes(target())
    response = call(fakes.front_end(), req("POST", body=b"a" * 6_000_000, Content_Type="text/plain"))
    assert response.status == 200
    assert len(fakes.invokes) == 1


# --- CORS -------------------------------------------------------------------------------------------

CORS = {"AllowOrigins": ["https://app.example"], "AllowMethods": ["GET", "POST"], "AllowHeaders": ["content-type"]}


def test_preflight_is_answered_without_invoking() -> None:
    fakes = Fakes(target(cors=CORS))
    response = call(
        fakes.front_end(), req("OPTIONS", Origin="https://app.example", Access_Control_Request_Method="POST")
    )
    assert fakes.invokes == []
    assert response.status == 200
    assert response.header("access-control-allow-origin") == "https://app.example"
    assert response.header("access-control-allow-methods") == "GET,POST"
    assert response.header("access-control-allow-headers") == "content-type"
    assert response.header("x-amzn-RequestId") is not None


def test_preflight_does_not_need_the_invoke_permission() -> None:
    fakes = Fakes(target(statements=(), cors=CORS))
    response = call(fakes.front_end(), req("OPTIONS", Origin="https://app.example"))
    assert response.status == 200
    assert fakes.invokes == []


def test_options_without_cors_config_reaches_the_function() -> None:
    fakes = Fakes(target(cors=None))
    response = call(fakes.front_end(), req("OPTIONS", Origin="https://app.example"))
    assert len(fakes.invokes) == 1
    assert fakes.invokes[0]["event"]["requestContext"]["http"]["method"] == "OPTIONS"
    assert response.status == 200
    assert response.header("access-control-allow-origin") is None


def test_cors_headers_added_to_function_response_for_allowed_origin() -> None:
    payload = json.dumps({"statusCode": 200, "headers": {"Access-Control-Allow-Origin": "*"}, "body": "x"}).encode()
    fakes = Fakes(target(cors={**CORS, "ExposeHeaders": ["x-id"]}), payload=payload)
    response = call(fakes.front_end(), req(Origin="https://app.example"))
    origins = [v for k, v in response.headers if k.lower() == "access-control-allow-origin"]
    assert origins == ["*", "https://app.example"]
    assert response.header("access-control-expose-headers") == "x-id"


def test_no_cors_headers_without_origin() -> None:
    fakes = Fakes(target(cors=CORS))
    response = call(fakes.front_end(), req())
    assert response.status == 200
    assert all(not k.lower().startswith("access-control-") for k, _ in response.headers)


def test_cors_does_not_bypass_permissions_for_other_methods() -> None:
    fakes = Fakes(target(statements=(PUBLIC_URL,), cors=CORS))
    response = call(fakes.front_end(), req(Origin="https://app.example"))
    assert response.status == 403
    assert fakes.invokes == []


@pytest.mark.parametrize(
    ("headers", "culprit"),
    [({"x-greeting": "안녕하세요"}, "x-greeting"), ({"x-split": "a\r\nset-cookie: stolen=1"}, "x-split")],
)
def test_a_result_header_http_cannot_carry_is_a_502_naming_it(headers: dict[str, str], culprit: str) -> None:
    payload = json.dumps({"statusCode": 200, "headers": headers, "body": "본문"}).encode()
    response = call(Fakes(target(), payload=payload).front_end(), req())
    assert response.status == 502 and culprit in json.loads(response.body)["message"]
    assert not any(k.lower() == "set-cookie" for k, _ in response.headers)


def test_korean_in_a_body_and_an_rfc_8187_header_goes_out_as_utf8() -> None:
    disposition = "attachment; filename*=UTF-8''%ED%95%9C.txt"
    payload = json.dumps({"statusCode": 200, "headers": {"content-disposition": disposition}, "body": "안녕"}).encode()
    response = call(Fakes(target(), payload=payload).front_end(), req())
    assert response.status == 200 and response.body == "안녕".encode()
    assert response.header("content-disposition") == disposition
