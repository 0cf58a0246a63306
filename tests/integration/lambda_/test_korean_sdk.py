"""Korean text through the Lambda API with plain boto3: ``Invoke`` (payload, result and the log tail) and
``InvokeWithResponseStream`` (``PayloadChunk`` events whose boundaries fall inside Hangul syllables: the bytes
survive, and a reader that decodes chunk by chunk needs an incremental decoder)."""

from __future__ import annotations

import base64
import codecs
import json

from tests.integration import korean
from tests.integration.korean import GREETING, NAME
from tests.local_cloud import streaming_zip_with

GREETER = """
def handler(event, context):
    print("로그: " + event["이름"] + "님 안녕하세요")
    return {"받은 이벤트": event, "인사": "안녕하세요, " + event["이름"] + "님"}
"""


def test_invoke_carries_korean_in_the_payload_the_result_and_the_log_tail(deploy, aws) -> None:
    fn = deploy(GREETER, url=False)
    payload = json.dumps({"이름": NAME, "인사": GREETING}, ensure_ascii=False).encode("utf-8")
    response = aws("lambda").invoke(FunctionName=fn.name, Payload=payload, LogType="Tail")
    assert response["StatusCode"] == 200 and "FunctionError" not in response
    result = json.loads(response["Payload"].read())
    assert result == {"받은 이벤트": {"이름": NAME, "인사": GREETING}, "인사": f"안녕하세요, {NAME}님"}
    assert f"로그: {NAME}님 안녕하세요" in base64.b64decode(response["LogResult"]).decode("utf-8")


def test_invoke_with_response_stream_keeps_hangul_split_across_payload_chunks(streaming, aws) -> None:
    assert korean.cuts_fall_inside_syllables()
    name, _ = streaming("ko.handler", "RESPONSE_STREAM", code=streaming_zip_with("ko", korean.STREAM))
    response = aws("lambda").invoke_with_response_stream(FunctionName=name, Payload=b"{}")
    chunks, complete = [], None
    for event in response["EventStream"]:
        if "PayloadChunk" in event:
            chunks.append(event["PayloadChunk"]["Payload"])
        elif "InvokeComplete" in event:
            complete = event["InvokeComplete"]
    assert complete is not None and "ErrorCode" not in complete
    prelude, _, body = b"".join(chunks).partition(b"\x00" * 8)
    assert json.loads(prelude)["headers"]["content-type"] == "text/plain; charset=utf-8"
    assert body.decode("utf-8") == korean.STREAMED  # every byte survived

    body_chunks = chunks[1:]  # the first chunk is the prelude and its delimiter
    assert len(body_chunks) == len(korean.CUTS)
    undecodable = 0
    for chunk in body_chunks:
        try:
            chunk.decode("utf-8")
        except UnicodeDecodeError:
            undecodable += 1
    assert undecodable == len(body_chunks)  # each begins or ends inside a syllable: decoded alone, each fails
    decoder = codecs.getincrementaldecoder("utf-8")()
    text = "".join(decoder.decode(chunk) for chunk in body_chunks) + decoder.decode(b"", final=True)
    assert text == korean.STREAMED
