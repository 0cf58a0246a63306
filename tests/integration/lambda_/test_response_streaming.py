"""Response streaming through the local cloud, end to end: the kit's Python streaming runtime started by
``AWS_LAMBDA_EXEC_WRAPPER`` in the function's own package, a RESPONSE_STREAM URL that passes each chunk on
as it arrives, a BUFFERED one that answers at the end, errors after the first byte, timeouts, and a runtime
the kit did not write that breaks the protocol."""

from __future__ import annotations

import base64
import json
import time

import httpx
import pytest

from tests.local_cloud import streaming_zip_with, zip_files

BROKEN_MID_STREAM = """
import time

def handler(event, context):
    def body():
        yield "first line\\n"
        time.sleep(0.3)
        raise RuntimeError("broke mid-stream")
    return {"statusCode": 200, "headers": {"content-type": "text/plain"}, "body": body()}
"""


def _client(endpoint: str) -> httpx.Client:
    from infra.kit import LocalCloudTransport

    return httpx.Client(transport=LocalCloudTransport(endpoint), timeout=60)


def _timed_lines(client: httpx.Client, url: str) -> tuple[httpx.Response, list[tuple[float, str]]]:
    started = time.monotonic()
    with client.stream("GET", url) as response:
        lines = [(time.monotonic() - started, line) for line in response.iter_lines()]
    return response, lines


def test_a_response_stream_url_passes_each_line_on_as_it_is_produced(streaming, endpoint) -> None:
    _, url = streaming("counter.handler", "RESPONSE_STREAM")
    response, lines = _timed_lines(_client(endpoint), url + "?to=4&interval=0.4")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["transfer-encoding"] == "chunked"
    assert [line.split()[0] for _, line in lines] == ["1", "2", "3", "4"]
    arrivals = [t for t, _ in lines]
    assert arrivals[-1] - arrivals[0] > 1.0  # they came one by one, 0.4 s apart


def test_the_same_function_behind_a_buffered_url_answers_at_the_end(streaming, endpoint) -> None:
    _, url = streaming("counter.handler", "BUFFERED")
    response, lines = _timed_lines(_client(endpoint), url + "?to=4&interval=0.4")
    assert response.status_code == 200 and "transfer-encoding" not in response.headers
    assert [line.split()[0] for _, line in lines] == ["1", "2", "3", "4"]
    arrivals = [t for t, _ in lines]
    assert arrivals[0] > 1.1 and arrivals[-1] - arrivals[0] < 0.2  # all at once, after the last line


def test_the_prelude_sets_status_and_headers(streaming, endpoint) -> None:
    _, url = streaming("counter.handler", "RESPONSE_STREAM")
    response = _client(endpoint).get(url + "?to=lots")
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    assert "whole number" in response.json()["error"]


def test_an_error_after_the_first_byte_cuts_the_stream_short(streaming, endpoint) -> None:
    _, url = streaming("broken.handler", "RESPONSE_STREAM", code=streaming_zip_with("broken", BROKEN_MID_STREAM))
    received: list[str] = []
    with pytest.raises(httpx.RemoteProtocolError), _client(endpoint).stream("GET", url) as response:
        assert response.status_code == 200
        for line in response.iter_lines():
            received.append(line)
    assert received == ["first line"]


def test_the_same_error_behind_a_buffered_url_is_a_502(streaming, endpoint) -> None:
    _, url = streaming("broken.handler", "BUFFERED", code=streaming_zip_with("broken", BROKEN_MID_STREAM))
    response = _client(endpoint).get(url)
    assert (response.status_code, response.text) == (502, "Internal Server Error")


def _log_messages(aws, name: str) -> list[str]:
    time.sleep(0.3)  # the environment writes END/REPORT when the stream has ended
    return [e["message"] for e in aws("logs").filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]]


def _log_messages(aws, name: str) -> list[str]:
    time.sleep(0.3)  # the environment writes END/REPORT when the stream has ended
    return [e["message"] for e in aws("logs").filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]]


def test_the_function_timeout_ends_a_stream(streaming, endpoint, aws) -> None:
    name, url = streaming("counter.handler", "RESPONSE_STREAM", timeout=2)
    received: list[str] = []
    with (
        pytest.raises(httpx.RemoteProtocolError),
        _client(endpoint).stream("GET", url + "?to=20&interval=0.5") as response,
    ):
        for line in response.iter_lines():
            received.append(line)
    assert 2 <= len(received) <= 6
    assert any(m.endswith("Task timed out after 2.00 seconds") for m in _log_messages(aws, name))


def test_the_sdk_invoke_of_a_streaming_function_gets_the_whole_stream(streaming, aws) -> None:
    name, _ = streaming("counter.handler", "RESPONSE_STREAM")
    lam = aws("lambda")
    payload = json.dumps({"queryStringParameters": {"to": "2", "interval": "0"}}).encode()
    response = lam.invoke(FunctionName=name, Payload=payload)
    body = response["Payload"].read()
    prelude, _, rest = body.partition(b"\x00" * 8)
    assert json.loads(prelude)["statusCode"] == 200
    assert [line.split()[0] for line in rest.decode().splitlines()] == ["1", "2"]


BROKEN_RUNTIME = b"""#!/bin/sh
# A runtime the kit did not write: it claims streaming mode but sends a sized (unchunked) body.
exec python3 - <<'PY'
import http.client, json, os
api = os.environ["AWS_LAMBDA_RUNTIME_API"]
while True:
    c = http.client.HTTPConnection(api)
    c.request("GET", "/2018-06-01/runtime/invocation/next")
    r = c.getresponse(); r.read()
    rid = r.getheader("Lambda-Runtime-Aws-Request-Id")
    c.request("POST", f"/2018-06-01/runtime/invocation/{rid}/response", body=b"not chunked",
              headers={"Lambda-Runtime-Function-Response-Mode": "streaming"})
    answer = c.getresponse()
    print("runtime api answered", answer.status, answer.read().decode(), flush=True)
PY
"""


def test_a_runtime_that_breaks_the_streaming_protocol_gets_an_error_it_can_see(streaming, endpoint, aws) -> None:
    code = zip_files({"wrapper.sh": (BROKEN_RUNTIME, 0o755), "fn.py": ("def handler(e, c):\n    return 1\n", 0o644)})
    name, url = streaming(
        "fn.handler", "RESPONSE_STREAM", code=code, env={"AWS_LAMBDA_EXEC_WRAPPER": "/var/task/wrapper.sh"}
    )
    response = _client(endpoint).get(url)
    assert response.status_code == 502
    messages = _log_messages(aws, name)
    assert any("runtime api answered 400" in m and "InvalidStreamingOperation" in m for m in messages)


def test_invoke_with_response_stream_yields_payload_chunks_live(streaming, aws) -> None:
    name, _ = streaming("counter.handler", "RESPONSE_STREAM")
    payload = json.dumps({"queryStringParameters": {"to": "3", "interval": "0.4"}}).encode()
    started = time.monotonic()
    response = aws("lambda").invoke_with_response_stream(FunctionName=name, Payload=payload, LogType="Tail")
    assert response["StatusCode"] == 200 and response["ExecutedVersion"] == "$LATEST"
    assert response["ResponseStreamContentType"] == "application/vnd.amazon.eventstream"
    chunks, arrivals, complete = [], [], None
    for event in response["EventStream"]:
        if "PayloadChunk" in event:
            chunks.append(event["PayloadChunk"]["Payload"])
            arrivals.append(time.monotonic() - started)
        elif "InvokeComplete" in event:
            complete = event["InvokeComplete"]
    body = b"".join(chunks)
    prelude, _, rest = body.partition(b"\x00" * 8)
    assert json.loads(prelude)["statusCode"] == 200
    assert [line.split()[0] for line in rest.decode().splitlines()] == ["1", "2", "3"]
    assert arrivals[-1] - arrivals[1] > 0.6  # the lines came live, 0.4 s apart
    assert complete is not None and "ErrorCode" not in complete
    assert "REPORT RequestId:" in base64.b64decode(complete["LogResult"]).decode()


def test_invoke_with_response_stream_reports_an_error_after_the_first_byte(streaming, aws) -> None:
    name, _ = streaming("broken.handler", "RESPONSE_STREAM", code=streaming_zip_with("broken", BROKEN_MID_STREAM))
    events = list(aws("lambda").invoke_with_response_stream(FunctionName=name, Payload=b"{}")["EventStream"])
    assert events[-1]["InvokeComplete"]["ErrorCode"] == "RuntimeError"
    assert b"first line" in b"".join(e["PayloadChunk"]["Payload"] for e in events if "PayloadChunk" in e)


def test_invoke_with_response_stream_of_a_function_that_does_not_stream(deploy, aws) -> None:
    fn = deploy("def handler(event, context):\n    return {'hello': 'stream'}\n", url=False)
    events = list(aws("lambda").invoke_with_response_stream(FunctionName=fn.name, Payload=b"{}")["EventStream"])
    assert [list(e) for e in events] == [["PayloadChunk"], ["InvokeComplete"]]
    assert json.loads(events[0]["PayloadChunk"]["Payload"]) == {"hello": "stream"}


PLAIN = """
def handler(event, context):
    return {"statusCode": 201, "headers": {"content-type": "text/plain"}, "body": "hello"}
"""


def test_a_plain_handler_behind_a_response_stream_url_sends_its_raw_result(streaming, endpoint) -> None:
    """Recorded on AWS (issue 12): a handler that does not stream, behind RESPONSE_STREAM, is not mapped."""
    from tests.local_cloud import zip_source

    client = _client(endpoint)
    _, url = streaming("fn.handler", "RESPONSE_STREAM", code=zip_source(PLAIN), env={})
    raw = client.get(url)
    assert raw.status_code == 200
    assert raw.json() == {"statusCode": 201, "headers": {"content-type": "text/plain"}, "body": "hello"}
    _, buffered_url = streaming("fn.handler", "BUFFERED", code=zip_source(PLAIN), env={})
    mapped = client.get(buffered_url)
    assert (mapped.status_code, mapped.text, mapped.headers["content-type"]) == (201, "hello", "text/plain")
    # the fix: the same handler with the kit's streaming runtime (its wrapper) is mapped behind RESPONSE_STREAM
    _, fixed_url = streaming("fn.handler", "RESPONSE_STREAM", code=streaming_zip_with("fn", PLAIN))
    fixed = client.get(fixed_url)
    assert (fixed.status_code, fixed.text) == (201, "hello")
