"""A Function URL served by the local cloud, over real HTTP, for functions created with plain boto3."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import threading
import time

import pytest

ECHO = """
import json, os, time
COUNT = 0

def handler(event, context):
    global COUNT
    COUNT += 1
    query = event.get("queryStringParameters") or {}
    if "sleep" in query:
        time.sleep(float(query["sleep"]))
    if "fail" in query:
        raise ValueError("asked to fail")
    if "exit" in query:
        os._exit(3)
    if "big" in query:
        return "x" * int(query["big"])
    print("invocation", COUNT)
    names = ["AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "_HANDLER",
             "AWS_REGION", "LAMBDA_TASK_ROOT", "AWS_LAMBDA_LOG_GROUP_NAME", "GREETING", "AWS_LAMBDA_RUNTIME_API"]
    return {"count": COUNT, "pid": os.getpid(), "event": event, "env": {n: os.environ.get(n) for n in names},
            "remaining_ms": context.get_remaining_time_in_millis()}
"""


def test_get_through_the_localhost_name_with_curl(deploy) -> None:
    fn = deploy(ECHO)
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    out = subprocess.run(["curl", "-s", "-i", fn.local_url("/?a=1&a=2")], capture_output=True, text=True, timeout=30)
    head, _, body = out.stdout.partition("\n\n")
    assert head.startswith("HTTP/1.1 200")
    assert "content-type: application/json" in head.lower()
    event = json.loads(body)["event"]
    assert event["rawQueryString"] == "a=1&a=2"
    assert event["queryStringParameters"] == {"a": "1,2"}
    assert event["requestContext"]["domainName"] == fn.host
    assert event["requestContext"]["accountId"] == "anonymous"


def test_event_headers_cookies_and_body(deploy, http) -> None:
    fn = deploy(ECHO)
    response = http.post(
        "/some/path?q=foo&q=%2Fbar",
        headers={"Host": fn.host, "X-Custom": "Value", "Cookie": "a=1; b=2", "Content-Type": "application/json"},
        content=b'{"k": "v"}',
    )
    assert response.status_code == 200
    event = response.json()["event"]
    assert event["rawPath"] == "/some/path"
    assert event["queryStringParameters"] == {"q": "foo,/bar"}
    assert event["headers"]["x-custom"] == "Value"
    assert "cookie" not in event["headers"]
    assert event["cookies"] == ["a=1", "b=2"]
    assert event["body"] == '{"k": "v"}' and event["isBase64Encoded"] is False
    assert response.headers["x-amzn-requestid"] == event["requestContext"]["requestId"]
    assert response.headers["x-amzn-trace-id"] == event["headers"]["x-amzn-trace-id"]


def test_environment_of_the_function(deploy, http) -> None:
    fn = deploy(ECHO, env={"GREETING": "annyeong"})
    body = http.get("/", headers={"Host": fn.host}).json()
    env = body["env"]
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == fn.name
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "128"
    assert env["_HANDLER"] == "fn.handler"
    assert env["AWS_REGION"] == "ap-northeast-2"
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == f"/aws/lambda/{fn.name}"
    assert env["GREETING"] == "annyeong"
    assert env["AWS_LAMBDA_RUNTIME_API"].startswith("127.0.0.1:")
    # the code runs from the uploaded package, not from the working tree
    assert os.path.isfile(os.path.join(env["LAMBDA_TASK_ROOT"], "fn.py"))
    assert 0 < body["remaining_ms"] <= 10_000


def test_warm_reuse_and_a_new_environment_after_an_update(deploy, aws, http) -> None:
    fn = deploy(ECHO)
    first = http.get("/", headers={"Host": fn.host}).json()
    second = http.get("/", headers={"Host": fn.host}).json()
    assert (first["count"], second["count"]) == (1, 2)
    assert first["pid"] == second["pid"]
    aws("lambda").update_function_configuration(FunctionName=fn.name, Environment={"Variables": {"GREETING": "hi"}})
    third = http.get("/", headers={"Host": fn.host}).json()
    assert third["count"] == 1 and third["pid"] != first["pid"]
    assert third["env"]["GREETING"] == "hi"


def test_killing_an_environment_mid_request_gives_502_and_a_fresh_environment(deploy, http) -> None:
    victim, bystander = deploy(ECHO), deploy(ECHO)
    victim_pid = http.get("/", headers={"Host": victim.host}).json()["pid"]
    bystander_pid = http.get("/", headers={"Host": bystander.host}).json()["pid"]
    result: dict[str, object] = {}

    def slow_request() -> None:
        response = http.get("/?sleep=20", headers={"Host": victim.host})
        result["status"], result["body"] = response.status_code, response.text

    thread = threading.Thread(target=slow_request)
    thread.start()
    time.sleep(0.5)
    os.kill(victim_pid, signal.SIGKILL)
    thread.join(30)
    assert result == {"status": 502, "body": "Internal Server Error"}
    again = http.get("/", headers={"Host": victim.host}).json()
    assert again["pid"] != victim_pid and again["count"] == 1
    untouched = http.get("/", headers={"Host": bystander.host}).json()
    assert untouched["pid"] == bystander_pid and untouched["count"] == 2


def test_a_runtime_that_exits_is_replaced(deploy, http) -> None:
    fn = deploy(ECHO)
    assert http.get("/?exit=1", headers={"Host": fn.host}).status_code == 502
    assert http.get("/", headers={"Host": fn.host}).json()["count"] == 1


def test_unhandled_exception_is_502(deploy, http) -> None:
    fn = deploy(ECHO)
    response = http.get("/?fail=1", headers={"Host": fn.host})
    assert (response.status_code, response.text) == (502, "Internal Server Error")


def test_timeout_is_502_and_the_environment_is_replaced(deploy, http) -> None:
    fn = deploy(ECHO, timeout=1)
    started = time.monotonic()
    response = http.get("/?sleep=5", headers={"Host": fn.host})
    assert response.status_code == 502
    assert 0.9 < time.monotonic() - started < 4
    assert http.get("/", headers={"Host": fn.host}).json()["count"] == 1


def test_missing_invoke_function_permission_is_403(deploy, http) -> None:
    fn = deploy(ECHO, permissions="url-only")
    response = http.get("/", headers={"Host": fn.host})
    assert response.status_code == 403
    assert response.headers["x-amzn-errortype"] == "AccessDeniedException"
    assert response.json()["Message"].startswith("Forbidden. For troubleshooting Function URL authorization issues")


def test_unknown_url_id_is_403_message_null(http) -> None:
    response = http.get("/", headers={"Host": "0123456789abcdef0123456789abcdef.lambda-url.ap-northeast-2.on.aws"})
    assert response.status_code == 403
    assert response.content == b'{"Message":null}'
    assert response.headers["x-amzn-errortype"] == "AccessDeniedException"


def test_reserved_concurrency_zero_throttles(deploy, aws, http) -> None:
    fn = deploy(ECHO)
    aws("lambda").put_function_concurrency(FunctionName=fn.name, ReservedConcurrentExecutions=0)
    response = http.get("/", headers={"Host": fn.host})
    assert response.status_code == 429
    assert response.content == b'{"Message":"Rate Exceeded."}'


def test_reserved_concurrency_one_throttles_the_second_concurrent_request(deploy, aws, http) -> None:
    fn = deploy(ECHO)
    aws("lambda").put_function_concurrency(FunctionName=fn.name, ReservedConcurrentExecutions=1)
    statuses: list[int] = []
    slow = threading.Thread(
        target=lambda: statuses.append(http.get("/?sleep=2", headers={"Host": fn.host}).status_code)
    )
    slow.start()
    time.sleep(0.7)
    statuses.append(http.get("/", headers={"Host": fn.host}).status_code)
    slow.join(30)
    assert sorted(statuses) == [200, 429]


def test_request_over_6_mb_is_413(deploy, http) -> None:
    fn = deploy(ECHO)
    response = http.post("/", headers={"Host": fn.host, "Content-Type": "text/plain"}, content=b"a" * 6_400_000)
    assert response.status_code == 413
    assert response.headers["x-amzn-errortype"] == "RequestEntityTooLargeException"


def test_response_over_6_mb_is_502(deploy, http) -> None:
    fn = deploy(ECHO)
    assert http.get("/?big=5000000", headers={"Host": fn.host}).status_code == 200
    assert http.get("/?big=7000000", headers={"Host": fn.host}).status_code == 502


def test_cors_preflight_is_answered_without_invoking(deploy, aws, http) -> None:
    fn = deploy(ECHO)
    aws("lambda").update_function_url_config(
        FunctionName=fn.name,
        Cors={
            "AllowOrigins": ["https://example.com"],
            "AllowMethods": ["GET", "POST"],
            "AllowHeaders": ["content-type"],
            "MaxAge": 300,
        },
    )
    preflight = http.options(
        "/", headers={"Host": fn.host, "Origin": "https://example.com", "Access-Control-Request-Method": "POST"}
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "https://example.com"
    assert preflight.headers["access-control-allow-methods"] == "GET,POST"
    assert preflight.headers["access-control-max-age"] == "300"
    actual = http.get("/", headers={"Host": fn.host, "Origin": "https://example.com"})
    assert actual.headers["access-control-allow-origin"] == "https://example.com"
    assert actual.json()["count"] == 1  # the preflight did not invoke the function
    other = http.get("/", headers={"Host": fn.host, "Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_alias_url_runs_the_aliased_version(deploy, aws, http) -> None:
    fn = deploy(ECHO, url=False)
    lam = aws("lambda")
    version = lam.publish_version(FunctionName=fn.name)["Version"]
    lam.create_alias(FunctionName=fn.name, Name="live", FunctionVersion=version)
    url = lam.create_function_url_config(FunctionName=fn.name, Qualifier="live", AuthType="NONE")
    assert url["FunctionArn"].endswith(f":{fn.name}:live")
    lam.add_permission(
        FunctionName=fn.name,
        Qualifier="live",
        StatementId="url",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="NONE",
    )
    lam.add_permission(
        FunctionName=fn.name,
        Qualifier="live",
        StatementId="invoke",
        Action="lambda:InvokeFunction",
        Principal="*",
        InvokedViaFunctionUrl=True,
    )
    host = url["FunctionUrl"].split("//")[1].rstrip("/")
    body = http.get("/", headers={"Host": host}).json()
    assert body["env"]["AWS_LAMBDA_FUNCTION_VERSION"] == version


def test_a_permission_change_takes_effect_on_the_next_request(deploy, aws, http) -> None:
    fn = deploy(ECHO)
    lam = aws("lambda")
    assert http.get("/", headers={"Host": fn.host}).status_code == 200
    lam.remove_permission(FunctionName=fn.name, StatementId="FunctionURLAllowInvokeAction")
    assert http.get("/", headers={"Host": fn.host}).status_code == 403
    lam.add_permission(
        FunctionName=fn.name,
        StatementId="again",
        Action="lambda:InvokeFunction",
        Principal="*",
        InvokedViaFunctionUrl=True,
    )
    assert http.get("/", headers={"Host": fn.host}).status_code == 200


def test_a_path_appended_to_the_url(deploy, endpoint) -> None:
    """Recorded on AWS (issue 12): ``FunctionUrl + "/path/1"`` is ``//path/1`` on the wire; the context path is
    ``/path/1`` (and ``//pa2%25Fth/1`` is ``/pa2%Fth/1``); ``rawPath`` is the path as sent."""
    import httpx

    from infra.kit import LocalCloudTransport

    fn = deploy(ECHO)
    assert fn.url is not None and fn.url.endswith("/")
    with httpx.Client(transport=LocalCloudTransport(endpoint), timeout=30) as client:
        for suffix, context in (("/path/1", "/path/1"), ("/pa2%25Fth/1", "/pa2%Fth/1")):
            event = client.get(fn.url + suffix).json()["event"]
            assert event["rawPath"] == "/" + suffix
            assert event["requestContext"]["http"]["path"] == context
