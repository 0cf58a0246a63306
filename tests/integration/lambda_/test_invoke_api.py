"""Lambda's Invoke API served by the local cloud: the real handler runs, errors come back as AWS's."""

from __future__ import annotations

import base64
import json
import time

import pytest
from botocore.exceptions import ClientError

from tests.integration.function_url.test_http import ECHO
from tests.local_cloud import wait_until_active


def _invoke(lam, name: str, payload: dict, **kwargs):
    response = lam.invoke(FunctionName=name, Payload=json.dumps(payload).encode(), **kwargs)
    return response, json.loads(response["Payload"].read() or b"null")


def test_request_response_with_log_tail(deploy, aws) -> None:
    fn = deploy(ECHO, url=False)
    response, body = _invoke(aws("lambda"), fn.name, {"hello": "world"}, LogType="Tail")
    assert response["StatusCode"] == 200 and "FunctionError" not in response
    assert response["ExecutedVersion"] == "$LATEST"
    assert body["event"] == {"hello": "world"} and body["count"] == 1
    log = base64.b64decode(response["LogResult"]).decode()
    lines = log.strip().splitlines()
    assert lines[0].startswith("START RequestId: ") and lines[0].endswith("Version: $LATEST")
    assert "invocation 1" in lines
    assert lines[-2].startswith("END RequestId: ")
    report = lines[-1]
    assert report.startswith("REPORT RequestId: ")
    for field in ("Duration: ", "Billed Duration: ", "Memory Size: 128 MB", "Max Memory Used: ", "Init Duration: "):
        assert field in report
    _, warm = _invoke(aws("lambda"), fn.name, {}, LogType="Tail")
    assert warm["count"] == 2


def test_unhandled_error_payload(deploy, aws) -> None:
    fn = deploy(ECHO, url=False)
    response, body = _invoke(aws("lambda"), fn.name, {"queryStringParameters": {"fail": "1"}})
    assert response["FunctionError"] == "Unhandled"
    assert body["errorMessage"] == "asked to fail"
    assert body["errorType"] == "ValueError"
    assert isinstance(body["stackTrace"], list) and body["stackTrace"]


def test_timeout_payload_and_log(deploy, aws) -> None:
    fn = deploy(ECHO, url=False, timeout=1)
    response, body = _invoke(aws("lambda"), fn.name, {"queryStringParameters": {"sleep": "4"}}, LogType="Tail")
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Sandbox.Timedout"
    assert body["errorMessage"].endswith("Error: Task timed out after 1.00 seconds")
    assert "Task timed out after 1.00 seconds" in base64.b64decode(response["LogResult"]).decode()


def test_logs_reach_cloudwatch(deploy, aws) -> None:
    fn = deploy(ECHO, url=False)
    _invoke(aws("lambda"), fn.name, {})
    logs = aws("logs")
    events = logs.filter_log_events(logGroupName=f"/aws/lambda/{fn.name}")["events"]
    messages = [e["message"] for e in events]
    assert messages[0].startswith("START RequestId:")
    assert "invocation 1" in messages
    assert messages[-1].startswith("REPORT RequestId:") and "Init Duration" in messages[-1]
    stream = logs.describe_log_streams(logGroupName=f"/aws/lambda/{fn.name}")["logStreams"][0]["logStreamName"]
    assert "/[$LATEST]" in stream


def test_event_and_dry_run(deploy, aws) -> None:
    fn = deploy(ECHO, url=False)
    lam = aws("lambda")
    assert lam.invoke(FunctionName=fn.name, InvocationType="DryRun")["StatusCode"] == 204
    assert lam.invoke(FunctionName=fn.name, InvocationType="Event", Payload=b"{}")["StatusCode"] == 202
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        events = (
            aws("logs").filter_log_events(logGroupName=f"/aws/lambda/{fn.name}")["events"]
            if _group(aws, fn.name)
            else []
        )
        if any(e["message"].startswith("REPORT") for e in events):
            break
        time.sleep(0.1)
    else:
        pytest.fail("the asynchronous invocation never ran")


def _group(aws, name: str) -> bool:
    groups = aws("logs").describe_log_groups(logGroupNamePrefix=f"/aws/lambda/{name}")["logGroups"]
    return bool(groups)


def test_unknown_function_is_resource_not_found(aws) -> None:
    with pytest.raises(ClientError) as info:
        aws("lambda").invoke(FunctionName="no-such-function", Payload=b"{}")
    assert info.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_throttled_invoke(deploy, aws) -> None:
    fn = deploy(ECHO, url=False)
    lam = aws("lambda")
    lam.put_function_concurrency(FunctionName=fn.name, ReservedConcurrentExecutions=0)
    with pytest.raises(ClientError) as info:
        lam.invoke(FunctionName=fn.name, Payload=b"{}")
    assert info.value.response["Error"]["Code"] == "TooManyRequestsException"
    assert info.value.response["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"


def test_response_over_6_mb(deploy, aws) -> None:
    fn = deploy(ECHO, url=False)
    response, body = _invoke(aws("lambda"), fn.name, {"queryStringParameters": {"big": "7000000"}})
    assert response["FunctionError"] == "Unhandled"
    assert body == {
        "errorMessage": "Response payload size exceeded maximum allowed payload size (6291556 bytes).",
        "errorType": "Function.ResponseSizeTooLarge",
    }


def test_payload_that_is_not_json(deploy, aws) -> None:
    fn = deploy(ECHO, url=False)
    with pytest.raises(ClientError) as info:
        aws("lambda").invoke(FunctionName=fn.name, Payload=b"{not json")
    assert info.value.response["Error"]["Code"] == "InvalidRequestContentException"


def test_a_handler_that_cannot_be_imported(aws, role_arn) -> None:
    lam = aws("lambda")
    name = "it-import-error"
    from tests.local_cloud import zip_source

    lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role_arn,
        Handler="missing.handler",
        Code={"ZipFile": zip_source("def handler(event, context):\n    return 1\n")},
    )
    try:
        wait_until_active(lam, name)
        response, body = _invoke(lam, name, {}, LogType="Tail")
        assert response["FunctionError"] == "Unhandled"
        assert body["errorType"] == "Runtime.ImportModuleError"
        report = base64.b64decode(response["LogResult"]).decode().strip().splitlines()[-1]
        init_ms = float(report.split("Init Duration: ")[1].split(" ms")[0])
        assert report.startswith("REPORT RequestId:") and init_ms > 0
        assert body["errorMessage"].startswith("Unable to import module 'missing'")
        # the next invocation tries INIT again, in a new environment, and fails the same way
        _, again = _invoke(lam, name, {})
        assert again["errorType"] == "Runtime.ImportModuleError"
    finally:
        lam.delete_function(FunctionName=name)


def test_a_result_that_is_not_json_serialisable(deploy, aws) -> None:
    fn = deploy("def handler(event, context):\n    return {1, 2}\n", url=False)
    response, body = _invoke(aws("lambda"), fn.name, {})
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.MarshalError"


@pytest.mark.parametrize("name", ["invalid-account:function:{name}", "function:{name}:$LATEST:extra", "{name} x"])
def test_malformed_names_are_refused_before_any_look_up(deploy, aws, name: str) -> None:
    fn = deploy(ECHO, url=False)
    with pytest.raises(ClientError) as info:
        aws("lambda").invoke(FunctionName=name.format(name=fn.name), Payload=b"{}")
    error = info.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Error"]["Code"] == "ValidationException"
    assert error["Error"]["Message"].startswith(
        f"1 validation error detected: Value '{name.format(name=fn.name)}' at 'functionName' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?"
    )


def test_a_qualifier_that_contradicts_the_name(deploy, aws) -> None:
    fn = deploy(ECHO, url=False)
    lam = aws("lambda")
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as info:
        lam.invoke(FunctionName=f"{fn.name}:$LATEST", Qualifier="1", Payload=b"{}")
    assert info.value.response["Type"] == "User"
    assert info.value.response["Error"]["Message"] == (
        "The derived qualifier from the function name does not match the specified qualifier."
    )


def test_partial_and_qualified_arns_invoke(deploy, aws) -> None:
    fn = deploy(ECHO, url=False)
    lam = aws("lambda")
    arn = lam.get_function(FunctionName=fn.name)["Configuration"]["FunctionArn"]
    account = arn.split(":")[4]
    for name in (f"{account}:function:{fn.name}", f"{arn}:$LATEST"):
        response = lam.invoke(FunctionName=name, Payload=b"{}")
        assert response["StatusCode"] == 200 and "FunctionError" not in response


def test_an_arn_of_another_region_is_not_reachable(deploy, aws) -> None:
    fn = deploy(ECHO, url=False)
    lam = aws("lambda")
    arn = lam.get_function(FunctionName=fn.name)["Configuration"]["FunctionArn"]
    elsewhere = arn.replace(":ap-northeast-2:", ":us-east-1:")
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as info:
        lam.invoke(FunctionName=elsewhere, Payload=b"{}")
    assert info.value.response["Message"] == (
        "Functions from 'us-east-1' are not reachable in this region ('ap-northeast-2')"
    )
    assert info.value.response["Type"] == "User"


def test_the_function_keeps_working_after_an_oversized_response(deploy, aws) -> None:
    """Recorded on AWS (issue 12): every oversized call is Function.ResponseSizeTooLarge, and calls go on working.

    awslambdaric exits when the Runtime API answers its oversized POST with 413; the next invocation must
    not meet that exit (it runs in a new environment, as Lambda replaces one whose runtime has exited).
    """
    fn = deploy(ECHO, url=False)
    lam = aws("lambda")
    for _ in range(3):
        _, body = _invoke(lam, fn.name, {"queryStringParameters": {"big": "7000000"}})
        assert body["errorType"] == "Function.ResponseSizeTooLarge"
        response, body = _invoke(lam, fn.name, {"small": True})
        assert "FunctionError" not in response, body
        assert body["event"] == {"small": True}


def test_tracebacks_name_the_code_as_var_task(deploy, aws) -> None:
    """Recorded on AWS (issue 12): the frames of the function's own code read /var/task/<file>."""
    fn = deploy("def helper():\n    raise ValueError('x')\n\n\ndef handler(event, context):\n    helper()\n", url=False)
    response, body = _invoke(aws("lambda"), fn.name, {}, LogType="Tail")
    assert body["errorType"] == "ValueError"
    assert [frame.split(",")[0] for frame in body["stackTrace"]] == ['  File "/var/task/fn.py"'] * 2
    log = base64.b64decode(response["LogResult"]).decode()
    assert 'File "/var/task/fn.py", line 6, in handler' in log
    assert "/code/" not in log and "/code/" not in json.dumps(body)


def test_a_syntax_error_names_the_file_in_var_task(deploy, aws) -> None:
    fn = deploy("def handler(event, context):\n    return (\n", url=False)
    _, body = _invoke(aws("lambda"), fn.name, {})
    assert body["errorType"] == "Runtime.UserCodeSyntaxError"
    assert "/var/task/fn.py" in json.dumps(body) and "/code/" not in json.dumps(body)


@pytest.mark.parametrize("where", ["import", "handler"])
def test_sys_exit_0_is_an_exit_without_a_reason(deploy, aws, where: str) -> None:
    """Recorded on AWS (issue 12): ``sys.exit(0)`` at import or in the handler is Runtime.ExitError, no reason."""
    source = {
        "import": "import sys\nsys.exit(0)\n\n\ndef handler(event, context):\n    return 1\n",
        "handler": "import sys\n\n\ndef handler(event, context):\n    sys.exit(0)\n",
    }[where]
    fn = deploy(source, url=False)
    response, body = _invoke(aws("lambda"), fn.name, {})
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.ExitError"
    assert body["errorMessage"].endswith(" Error: Runtime exited without providing a reason")
